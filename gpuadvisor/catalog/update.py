"""`gpuadvisor catalog update [URL…]`: download catalog TOML files (or a .tar.gz of them), validate
everything, then install into the user catalog directory; on any failure nothing changes.

- Download: catalog/download.py (urllib, imported only there). HTTPS only, except plain http:// to
  a loopback host (127.0.0.1, ::1, localhost), for local mirrors and tests; redirects checked by
  the same rule. Bounded: a size cap per download, a socket timeout and one deadline for the
  whole transfer; a body shorter than its Content-Length is an error; server text is cleaned.
- Tarballs are read in memory and every member is checked with tarfile's "data" filter: no absolute
  paths or `..`, no links, no devices; only regular *.toml files, at most MAX_MEMBERS of them, each at
  most the catalog file cap. Member paths are flattened to their file names.
- Validation: the new files are checked together with the built-in catalogs and the user's other
  extra catalogs, exactly as they will load; one problem in one file stops the whole update.
- Install: all files or none, even under kill -9 (catalog/transaction.py: a staging directory, a
  journal renamed into place as the commit, then the renames; any later run finishes a committed
  install it finds, and the next install removes what an uncommitted one left).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gpuadvisor.errors import UsageError

URL_ENV = "GPUADVISOR_CATALOG_URL"
MAX_DOWNLOAD_BYTES = 16 * 1024 * 1024
MAX_MEMBERS = 200
TIMEOUT_S = 20.0


def fetch(url: str, cap: int | None = None, timeout: float | None = None, progress=None) -> bytes:
    """The body at `url`, at most `cap` bytes, within `timeout` seconds per read and 3 × timeout in
    all (slow drips included). UsageError (one line, saying why) for anything else. `progress(done,
    total)` is called as bytes arrive (total 0 when the server does not say). The work, redirect
    checks and the deadline included, is catalog/download.py's."""
    from gpuadvisor.catalog import download

    timeout = TIMEOUT_S if timeout is None else timeout
    return download.fetch(url, MAX_DOWNLOAD_BYTES if cap is None else cap, timeout, 3 * timeout, progress)


def unpack(url: str, body: bytes) -> dict[str, bytes]:
    """File name -> bytes: a .tar.gz's *.toml members, checked, or the one TOML file at the URL."""
    from gpuadvisor.catalog.schema import MAX_FILE_BYTES

    path = url.split("?", 1)[0].rstrip("/")
    if body[:2] == b"\x1f\x8b" or path.endswith((".tar.gz", ".tgz")):
        return _untar(url, body, MAX_FILE_BYTES)
    name = path.rsplit("/", 1)[-1]
    if not name.endswith(".toml"):
        raise UsageError(f"{url}: not a .toml file or a .tar.gz of them; nothing changed")
    if len(body) > MAX_FILE_BYTES:
        raise UsageError(f"{url}: {len(body):,} bytes is over the catalog file cap; nothing changed")
    return {_safe_name(url, name): body}


def _safe_name(url: str, name: str) -> str:
    if not name.endswith(".toml") or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
        raise UsageError(f"{url}: unsafe file name {name!r}; nothing changed")
    return name


MAX_LONG_HEADER = 64 * 1024  # a GNU long name or pax record longer than this is no catalog's (N3)


def _untar(url: str, body: bytes, member_cap: int) -> dict[str, bytes]:
    """The archive's members, read through a decompressor capped at what MAX_MEMBERS catalog files
    can hold, with long-name/pax headers capped before tarfile reads them whole (audit N3)."""
    import gzip
    import io
    import tarfile

    out: dict[str, bytes] = {}
    limit = MAX_MEMBERS * (member_cap + 2 * 512) + 64 * 1024
    try:
        raw = _Capped(gzip.GzipFile(fileobj=io.BytesIO(body)), limit, url) if body[:2] == b"\x1f\x8b" else io.BytesIO(body)
        # _Capped reads like a file; tarfile's stub asks for a whole file object
        with tarfile.open(fileobj=raw, mode="r|", tarinfo=_bounded_tarinfo()) as tar:  # type: ignore[call-overload]
            for n, member in enumerate(tar):
                if n >= MAX_MEMBERS:
                    raise UsageError(f"{url}: more than {MAX_MEMBERS} members; nothing changed")
                try:
                    tarfile.data_filter(member, "/nonexistent-destination")
                except tarfile.FilterError as e:
                    raise UsageError(f"{url}: unsafe member {member.name!r} ({e}); nothing changed") from None
                if member.isdir():
                    continue
                if not member.isfile():
                    raise UsageError(f"{url}: member {member.name!r} is not a regular file; nothing changed")
                name = member.name.rsplit("/", 1)[-1]
                if not name.endswith(".toml"):
                    raise UsageError(f"{url}: member {member.name!r} is not a .toml file; nothing changed")
                if member.size > member_cap:
                    raise UsageError(f"{url}: member {member.name!r} is over the catalog file cap; nothing changed")
                name = _safe_name(url, name)
                if name in out:
                    raise UsageError(f"{url}: two members are named {name}; nothing changed")
                f = tar.extractfile(member)
                out[name] = f.read(member_cap + 1) if f else b""
                if sum(map(len, out.values())) > limit:
                    raise UsageError(f"{url}: the archive unpacks to more than {limit:,} bytes; nothing changed")
    except UsageError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as e:
        raise UsageError(f"{url}: not a readable .tar.gz ({e}); nothing changed") from None
    if not out:
        raise UsageError(f"{url}: the archive holds no .toml file; nothing changed")
    return out


class _Capped:
    """A read-only stream that refuses to give more than `limit` bytes (a decompression bomb stops
    at the cap, however small the download)."""

    def __init__(self, inner, limit: int, url: str):
        self.inner, self.limit, self.url, self.done = inner, limit, url, 0

    def read(self, n: int = -1) -> bytes:
        want = self.limit + 1 - self.done if n is None or n < 0 else min(n, self.limit + 1 - self.done)
        data = self.inner.read(max(want, 0))
        self.done += len(data)
        if self.done > self.limit:
            raise UsageError(f"{self.url}: the archive unpacks to more than {self.limit:,} bytes; nothing changed")
        return data


def _bounded_tarinfo():
    import tarfile

    _EXTENDED = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE,
                 tarfile.SOLARIS_XHDTYPE)

    class BoundedTarInfo(tarfile.TarInfo):
        """tarfile reads a GNU long-name or pax header's data whole, before any member check: refuse
        one larger than MAX_LONG_HEADER first."""

        def _proc_member(self, tarfile_):
            if self.type in _EXTENDED and self.size > MAX_LONG_HEADER:
                raise tarfile.HeaderError(f"a {self.size:,}-byte extended header (at most {MAX_LONG_HEADER:,})")
            return super()._proc_member(tarfile_)

    return BoundedTarInfo


@dataclass
class Plan:
    """What an update would do: files written (new or replaced) and the offering changes."""

    files: dict[str, bytes]
    directory: Path
    added: list[str] = field(default_factory=list)  # "provider name"
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # "provider name: $a → $b"
    replaced: list[str] = field(default_factory=list)  # file names that exist now

    def to_json(self) -> dict:
        return {"directory": str(self.directory), "files": sorted(self.files), "replaced": self.replaced,
                "added": self.added, "removed": self.removed, "changed": self.changed}


def plan(files: dict[str, bytes], directory: Path) -> Plan:
    """Validate the new files in their place among the catalogs in use and say what changes.
    UsageError naming file, line and key on the first problem; nothing is written."""
    import tempfile

    from gpuadvisor.catalog import build_catalog, builtin_dir, catalog_files, extra_dirs

    dirs = [("builtin", builtin_dir())] + extra_dirs()
    current = catalog_files(dirs)
    before = build_catalog(current, strict_builtin=False)
    with tempfile.TemporaryDirectory() as tmp:
        staged = []
        for name, data in sorted(files.items()):
            p = Path(tmp) / name
            p.write_bytes(data)
            staged.append(("user", p))
        same = {os.path.realpath(directory / n) for n in files}
        kept = [(o, p) for o, p in current if os.path.realpath(p) not in same]
        after = build_catalog(kept + staged, strict_builtin=False)
        for report in after.files[len(kept):]:
            if report.problems:
                raise UsageError(f"{report.problems[0]}; nothing changed".replace(tmp + os.sep, ""))
    result = Plan(files, directory, replaced=sorted(n for n in files if (directory / n).exists()))
    old = {(o.provider, o.name): o for o in before.offerings}
    new = {(o.provider, o.name): o for o in after.offerings}
    result.added = [f"{p} {n}" for p, n in new if (p, n) not in old]
    result.removed = [f"{p} {n}" for p, n in old if (p, n) not in new]
    for key in new.keys() & old.keys():
        a, b = old[key].price_per_hour, new[key].price_per_hour
        if a != b:
            show = lambda x: "no price" if x is None else f"${x:,.4g}/h"  # noqa: E731
            result.changed.append(f"{key[0]} {key[1]}: {show(a)} → {show(b)}")
    result.changed.sort()
    return result


def install(p: Plan) -> None:
    """Install every file of the plan, all or none, even under kill -9 (catalog/transaction.py:
    staged in a new directory, committed by one rename of a journal, then moved into place)."""
    from gpuadvisor.catalog.transaction import install_files

    try:
        install_files(p.directory, p.files)
    except OSError as e:
        raise UsageError(f"cannot write the catalogs ({e.strerror or e}); nothing changed") from None


def default_urls() -> list[str]:
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        raise UsageError(f"name a URL, or set {URL_ENV} to the catalog URL to use by default")
    return url.split()
