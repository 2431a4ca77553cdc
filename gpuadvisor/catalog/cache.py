"""The validated catalog kept on disk between runs, so later runs skip TOML parsing.

Data only: the cache is JSON of plain lists and dicts, rebuilt here into the dataclasses of
gpuadvisor.models and gpuadvisor.profiles. Decoding it can only ever yield data (never pickle or
marshal, which run code). It is still checked before use: the directory and the file must belong
to the user and not be writable by group or others, and the file must be a regular file, opened
without following a symlink and without blocking (a FIFO there must not hang every command).
Anything else is refused with one warning, and the run goes on uncached.

The key is a hash of the package version, the source of the code that builds and defines what is
cached, and the bytes of every catalog file, so an edit is seen even when size and mtime are
kept (cp -p, tar, coarse timestamps). Writes are atomic (a private temporary file renamed over),
leave nothing behind when interrupted, and prune old cache files.

Integrity (audit 2026-12-04 N13): a cache file is one JSON object, format, key and a blake2b
digest of the payload's exact bytes first, then the payload; a payload that does not match its
digest is rebuilt, never decoded. A large catalog's payload goes on after the catalog with the
ranking's index and one offering per line (encode_payload; catalog.rows), all under the digest. Clean-up (N8): the cache directory is opened without following a
symlink, and pruning removes only regular files of ours whose names are exactly the ones this
module writes (`catalog-` + 32 hex + `.json`, `.catalog-PID-8hex.tmp`, old `catalog-HEX.pickle`),
a .json only when it starts with this cache's header.
"""

from __future__ import annotations

import gc
import os
import stat
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from gpuadvisor.catalog.query import Catalog, FileReport
from gpuadvisor.catalog.rows import CachedIndex, OfferingRows
from gpuadvisor.errors import CatalogProblem
from gpuadvisor.models import Arch, Billing, Dispute, Gpu, Offering, Price, Provider, Syntax

if TYPE_CHECKING:  # imported where a record of theirs is decoded (start-up: a command that never
    from gpuadvisor.perf.constants import Perf  # reads workloads, models or perf never loads them)

CACHE_ENV = "GPUADVISOR_NO_CACHE"
FORMAT = 10  # bump when the layout below changes (7: a digest header line; 8: perf engines; 10: rows of a large catalog)
MAX_CACHE_BYTES = 256 * 1024 * 1024
KEEP = 4  # cache files kept (the newest), so switching between catalog sets stays fast
_CODE = ("catalog/__init__.py", "catalog/build.py", "catalog/cache.py", "catalog/locate.py", "catalog/providers.py",
         "catalog/query.py", "catalog/schema.py", "models.py", "profiles.py", "errors.py", "apps/write/syntax.py",
         "tomlpos.py", "fsread.py", "perf/constants.py", "perf/data.py", "catalog/rows.py", "shortlist.py",
         "pricing.py")  # what builds, checks and defines the cached objects
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/gpuadvisor (absolute values only), else ~/.cache/gpuadvisor on Linux and the
    platform's own cache directory on macOS and Windows (locate.app_dir); None without a home."""
    from gpuadvisor.catalog.locate import app_dir

    return app_dir("cache")


def _blake2b():
    try:
        from _blake2 import blake2b  # the C module itself: hashlib would load OpenSSL (~4 ms) first
    except ImportError:  # pragma: no cover - other Pythons
        from hashlib import blake2b
    return blake2b(digest_size=20)


def fingerprint(files: list[tuple[str, Path]], contents: dict) -> str:
    """The cache key: version, code and the bytes of each catalog file (or why it was unreadable)."""
    from gpuadvisor import __version__

    h = _blake2b()
    h.update(f"gpuadvisor {__version__} format {FORMAT}\0".encode())
    pkg = Path(__file__).resolve().parent.parent
    for name in _CODE:
        try:
            with open(pkg / name, "rb") as f:
                h.update(f.read())
        except OSError:
            h.update(b"-")
        h.update(b"\0")
    for origin, p in files:
        raw = contents.get((origin, p))
        h.update(f"{origin}\0".encode() + os.fsencode(p) + b"\0")
        h.update(raw if isinstance(raw, bytes) else f"unreadable: {raw}".encode())
        h.update(b"\0")
    return h.hexdigest()


def read_sources(files: list[tuple[str, Path]]) -> dict:
    """Each catalog file's bytes, read once (bounded: gpuadvisor.fsread), or why it cannot be read."""
    from gpuadvisor.catalog.schema import read_catalog_bytes

    return {(origin, p): read_catalog_bytes(p) for origin, p in files}


# ---------------------------------------------------------------------------- JSON <-> dataclasses

_NAMES: dict[type, tuple[str, ...]] = {}


def _names(cls) -> tuple[str, ...]:
    if cls not in _NAMES:
        _NAMES[cls] = tuple(f.name for f in fields(cls))
    return _NAMES[cls]


# Tuple fields that are usually empty: a row stores them in a trailing {field: value} of the
# non-empty ones only, so rebuilding a row converts only what is there (most offerings have no
# aliases, notes, claims, upgrades or suffixes).
_SPARSE = {
    "Gpu": ("notes", "aliases", "unconfirmed"), "Provider": ("notes", "origin"),
    "Offering": ("aliases", "notes", "claimed", "may_upgrade_to", "suffixes", "origin"),
    "Workload": ("aliases", "guidance"), "Model": ("aliases", "notes"),
}


def _row(obj) -> list:
    """A dataclass as the list of its field values, then a dict of its non-empty sparse fields;
    nested objects as rows, an offering's GPUs as their ids (decode links them back to the one
    Gpu object each)."""
    sparse = _SPARSE.get(type(obj).__name__, ())
    out, extra = [], {}
    for name in _names(type(obj)):
        v = getattr(obj, name)
        if name in sparse:
            if v:
                extra[name] = v
            continue
        if isinstance(v, Gpu):
            v = v.id
        elif name == "gpus":
            v = [g.id for g in v]
        elif isinstance(v, (Price, Syntax, Billing)):
            v = _row(v)
        elif name == "disputes":
            v = [_row(d) for d in v]
        out.append(v)
    out.append(extra)
    return out


def _maker(cls, conv: dict):
    """A function row -> instance of cls, converting the fields named in `conv` (lists back to
    tuples, ids back to objects). Instances get their fields without __init__ (they are frozen
    dataclasses: the cache holds what validation already checked)."""
    sparse = _SPARSE.get(cls.__name__, ())
    dense = [n for n in _names(cls) if n not in sparse]
    at = [(dense.index(k), f) for k, f in conv.items() if k not in sparse]
    sparse_conv = {k: conv[k] for k in sparse}
    empty = {k: () for k in sparse}
    n, new, setattr_ = len(dense) + 1, cls.__new__, object.__setattr__

    def make(row: list):  # the row is consumed: decode reads each parsed document once
        if len(row) != n:
            raise ValueError(f"{cls.__name__}: {len(row)} fields, not {n}")
        for i, f in at:
            row[i] = f(row[i])
        values = dict(zip(dense, row))  # noqa: B905 (the row's last item is the sparse dict)
        values.update(empty)
        for k, v in row[-1].items():
            values[k] = sparse_conv[k](v)
        obj = new(cls)
        setattr_(obj, "__dict__", values)
        return obj

    return make


def _pairs(v) -> tuple:
    return tuple(map(tuple, v))


def encode(cat: Catalog) -> dict:
    return {
        "archs": [_row(a) for a in cat.archs.values()],
        "gpus": [_row(g) for g in cat.gpus.values()],
        "providers": [_row(p) for p in cat.providers.values()],
        "offerings": [_row(o) for o in cat.offerings],
        "workloads": [_row(w) for w in cat.workloads.values()],
        "models": [_row(m) for m in cat.models.values()],
        "files": [[r.path, r.origin, [[p.file, p.line, p.key, p.message] for p in r.problems], r.sections]
                  for r in cat.files],
        "warnings": cat.warnings, "overrides": cat.overrides,
        "perf": _perf_row(cat.perf) if cat.perf is not None else None,
    }


def _perf_row(p: Perf) -> list:
    out = []
    for name in _names(type(p)):
        v = getattr(p, name)
        if name in ("diffusion", "audio"):
            v = [_row(f) for f in v]
        elif name in ("codecs", "engines"):
            v = [[key, _row(c)] for key, c in v]
        out.append(v)
    out.append({})  # the sparse-field dict every row ends with (Perf has none)
    return out


def _perf(row: list | None) -> Perf | None:
    if row is None:
        return None
    from gpuadvisor.perf.constants import AudioModel, DiffusionFamily, Engine, NvCodec, Perf

    t = tuple
    family = _maker(DiffusionFamily, {"sources": t, "calibration": _pairs})
    codec = _maker(NvCodec, {"encode_fps": _pairs, "decode_fps": _pairs})
    engine = _maker(Engine, {"quant_efficiency": _pairs, "allreduce_us": _pairs})
    return _maker(Perf, {"bandwidth_efficiency": _pairs, "scaling": _pairs, "gemm_efficiency": _pairs,
                         "allreduce_us": _pairs, "data_parallel_efficiency": _pairs,
                         "diffusion": lambda v: t(map(family, v)), "codecs": lambda v: t((a, codec(c)) for a, c in v),
                         "engines": lambda v: t((e, engine(c)) for e, c in v), "sources": t,
                         "audio": lambda v: t(map(_maker(AudioModel, {}), v))})(row)


def encode_payload(cat: Catalog) -> bytes:
    """The cached bytes: the catalog as one JSON document; a large one (shortlist.LARGE_CATALOG
    offerings) as the document without its offerings, the ranking's index on the next line, and one
    offering row per line after it (catalog.rows: rebuilt only when read). JSON text never holds a
    raw newline, so the lines split back exactly."""
    import json

    from gpuadvisor.shortlist import LARGE_CATALOG, encode_index

    dumps = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
    doc = encode(cat)
    if len(cat.offerings) < LARGE_CATALOG:
        return dumps(doc).encode()
    rows = doc.pop("offerings")
    doc["offerings"] = len(rows)
    index = encode_index(cat)
    return b"\n".join([dumps(doc).encode(), *(dumps(index[part]).encode() for part in CachedIndex.PARTS),
                        *(dumps(r).encode() for r in rows)])


def decode_payload(lines: list[bytes]) -> Catalog | None:
    """A catalog from the payload's lines (one: a whole document; more: encode_payload's layout)."""
    import json

    doc = json.loads(lines[0])
    if not isinstance(doc, dict):
        return None
    if len(lines) == 1:
        return decode(doc)
    parts = len(CachedIndex.PARTS)
    if not isinstance(doc.get("offerings"), int) or len(lines) != 1 + parts + doc["offerings"]:
        return None
    return decode(doc, lines[1 + parts:], CachedIndex(lines[1:1 + parts]))


def decode(doc: dict, rows: list[bytes] | None = None, index: CachedIndex | None = None) -> Catalog:
    t = tuple
    arch = _maker(Arch, {"lacks_dtypes": t})
    dispute = _maker(Dispute, {})
    archs = {r[0]: arch(r) for r in doc["archs"]}
    gpu = _maker(Gpu, {"sources": t, "notes": t, "aliases": t, "unconfirmed": t,
                       "disputes": lambda v: t(map(dispute, v))})
    gpus = {r[0]: gpu(r) for r in doc["gpus"]}
    syntax = _maker(Syntax, {"code": dict})
    billing = _maker(Billing, {"sources": t, "billed": t, "notes": t, "settings": _pairs,
                               "idle_timeout_range_s": lambda v: None if v is None else t(v),
                               "cold_start_s": lambda v: None if v is None else t(v)})
    provider = _maker(Provider, {"notes": t, "files": t, "origin": _pairs, "syntax": syntax,
                                 "billing": lambda v: None if v is None else billing(v)})
    providers = {r[0]: provider(r) for r in doc["providers"]}
    price = _maker(Price, {})
    by_id = gpus.__getitem__
    offering = _maker(Offering, {
        "gpus": lambda ids: t(map(by_id, ids)), "aliases": t, "notes": t, "claimed": _pairs, "may_upgrade_to": t,
        "suffixes": _pairs, "origin": _pairs, "price": lambda v: None if v is None else price(v),
        "price_low": lambda v: None if v is None else price(v), "legacy_aliases": t, "ambiguous_aliases": t,
        "hw": lambda i: None if i is None else by_id(i), "regions": t, "region_prices": _pairs, "region_spot": _pairs,
        "may_be": t})
    if rows is None:
        offerings: list[Offering] | OfferingRows = list(map(offering, doc["offerings"]))
    else:
        assert index is not None
        offerings = OfferingRows(rows, offering, index)
    files = [FileReport(path, origin, [CatalogProblem(*p) for p in problems], sections)
             for path, origin, problems, sections in doc["files"]]
    cat = LazyCatalog.__new__(LazyCatalog)
    cat.__dict__.update(archs=archs, gpus=gpus, providers=providers, offerings=offerings, files=files,
                        warnings=list(doc["warnings"]), overrides=list(doc["overrides"]), _index=None,
                        _pending=_Pending(workloads=doc["workloads"], models=doc["models"], perf=doc.get("perf")))
    return cat


def _workloads(rows: list) -> dict:
    from gpuadvisor.profiles import Workload

    workload = _maker(Workload, {"aliases": tuple, "guidance": tuple})
    return {r[0]: workload(r) for r in rows}


def _models(rows: list) -> dict:
    from gpuadvisor.profiles import Model

    model = _maker(Model, {"aliases": tuple, "notes": tuple, "sources": tuple})
    return {r[0]: model(r) for r in rows}


class _Pending:
    """Rows of a cached catalog not decoded yet, and what they became once read. Shared by copies
    of the catalog (copy.copy, the price overlay), so each table is decoded once."""

    def __init__(self, **rows):
        self.rows, self.done = rows, {}

    def get(self, name: str, decoder):
        if name not in self.done:
            collecting = gc.isenabled()
            gc.disable()  # as in CacheStore.read: none of these objects is in a cycle
            try:
                self.done[name] = decoder(self.rows.pop(name))
            finally:
                if collecting:
                    gc.enable()
        return self.done[name]


def _lazy(name: str, decoder) -> property:
    def get(self):
        d = self.__dict__
        return d[name] if name in d else d["_pending"].get(name, decoder)

    def put(self, value) -> None:
        self.__dict__[name] = value

    return property(get, put, doc=f"decoded from the cache on first use ({decoder.__name__})")


class LazyCatalog(Catalog):
    """A Catalog read from the cache whose workloads, models and performance tables are decoded when
    first read: `list` and `translate` read none of them, and importing their record types (the
    performance model, the profiles) and rebuilding them cost more start-up than the rest of the
    decode (issue 25 part 7). Set like any Catalog field; built normally by __init__ (replace)."""

    workloads = _lazy("workloads", _workloads)
    models = _lazy("models", _models)
    perf = _lazy("perf", _perf)


# ---------------------------------------------------------------------------- the cache directory

class Refused(Exception):
    """A cache directory or file that must not be trusted; the message says why."""


class CacheStore:
    """The cache directory for one run. `warnings` holds the one line said when it is refused."""

    def __init__(self, directory: Path | None = None):
        self.dir = cache_dir() if directory is None else directory
        self.warnings: list[str] = []
        self.refused = self.dir is None or not hasattr(os, "getuid")  # owner checks need POSIX
        self._fd: int | None = None

    def _refuse(self, why: str) -> None:
        if not self.refused:
            self.warnings.append(f"warning: not using the catalog cache: {why}")
        self.refused = True

    def _open_dir(self, create: bool) -> int | None:
        """The directory, opened and checked (ours, not writable by others); created 0700."""
        if self._fd is not None or self.refused or self.dir is None:
            return self._fd
        directory = self.dir
        flags = os.O_RDONLY | _DIRECTORY | _CLOEXEC | _NOFOLLOW  # a symlinked cache dir is refused (N8)
        try:
            fd = os.open(directory, flags)
        except FileNotFoundError:
            if not create:
                return None
            try:
                _make_private_dirs(directory)
                fd = os.open(directory, flags)
            except OSError:  # a read-only home or full disk only costs speed
                self.refused = True
                return None
        except OSError:  # not a directory, no permission: no cache, as if turned off
            if os.path.islink(directory):
                self._refuse(f"{_shown(directory)} is a symbolic link (a cache directory must be a real one)")
            self.refused = True
            return None
        try:
            _check_owned(os.fstat(fd), directory, "directory")
        except Refused as e:
            os.close(fd)
            self._refuse(str(e))
            return None
        self._fd = fd
        return fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def read(self, key: str) -> Catalog | None:
        dfd = self._open_dir(create=False)
        if dfd is None or self.dir is None:
            return None
        directory = self.dir
        name = _file_name(key)
        try:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=dfd)
        except FileNotFoundError:
            return None
        except OSError as e:
            import errno

            if e.errno == errno.ELOOP:
                self._refuse(f"{_shown(directory / name)} is a symbolic link")
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refused(f"{_shown(directory / name)} is not a regular file; remove it")
            _check_owned(st, directory / name, "file")
            if st.st_size > MAX_CACHE_BYTES:
                return None
            data = _read_all(fd, st.st_size)
        except Refused as e:
            self._refuse(str(e))
            return None
        except OSError:
            return None
        finally:
            os.close(fd)
        # Decoding makes ~20 objects per offering, none in a cycle: the collector would only walk
        # them (and everything else alive) again and again, which doubled the time at 10,000.
        collecting = gc.isenabled()
        gc.disable()
        try:
            lines = _verified_lines(data, key)
            if lines is None:  # another format or key, or changed bytes: rebuilt, never decoded (N13)
                return None
            return decode_payload(lines)
        except Exception:  # damaged or from another layout: rebuilt and rewritten
            return None
        finally:
            if collecting:
                gc.enable()

    def write(self, key: str, cat: Catalog) -> None:
        if self.refused:  # said once; this run goes on uncached
            return
        try:
            payload = encode_payload(cat)
        except (TypeError, ValueError):  # a value JSON cannot hold (a TOML date in `claimed`): not cached
            return
        data = _head(key) + _digest(payload).encode() + _PAYLOAD + payload + b"}"
        if len(data) > MAX_CACHE_BYTES:
            return
        dfd = self._open_dir(create=True)
        if dfd is None:
            return
        tmp = f".catalog-{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=dfd)
        except OSError:
            return
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, _file_name(key), src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException as e:  # also Ctrl-C: never leave a .tmp behind
            try:
                os.unlink(tmp, dir_fd=dfd)
            except OSError:
                pass
            if not isinstance(e, Exception):
                raise
            return
        _prune(dfd, _file_name(key))


def _file_name(key: str) -> str:
    return f"catalog-{key[:32]}.json"


# A cache file is one JSON object whose payload's exact bytes are covered by the digest before it:
# {"format":10,"key":"<key>","digest":"<40 hex>","payload":{...}}
# (a large catalog's payload goes on with a line of index and one line per offering: encode_payload)
_PAYLOAD = b'","payload":'


def _head(key: str) -> bytes:
    return f'{{"format":{FORMAT},"key":"{key}","digest":"'.encode()


def _verified_lines(data: bytes, key: str) -> list[bytes] | None:
    """The payload of a cache file written for `key` in this FORMAT, split at its newlines, if its
    bytes match their digest; None otherwise. (The digest reads the payload in place and the split
    is the only copy: a large catalog's cache is tens of MB.)"""
    head = _head(key)
    at = len(head) + 40
    start = at + len(_PAYLOAD)
    if not data.startswith(head) or data[at:start] != _PAYLOAD or not data.endswith(b"}"):
        return None
    if data[len(head):at].decode("ascii", "replace") != _digest(memoryview(data)[start:-1]):
        return None
    lines = data.split(b"\n")
    if len(lines) == 1:
        return [data[start:-1]]
    lines[0], lines[-1] = lines[0][start:], lines[-1][:-1]
    return lines


def _digest(payload: bytes | memoryview) -> str:
    h = _blake2b()
    h.update(payload)
    return h.hexdigest()


def _check_owned(st: os.stat_result, path: Path, what: str) -> None:
    if st.st_uid != os.getuid():
        raise Refused(f"the cache {what} {_shown(path)} belongs to uid {st.st_uid}, not to you")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise Refused(f"the cache {what} {_shown(path)} is writable by group or others "
                      f"(chmod go-w {_shown(path)} to use it)")


def _read_all(fd: int, size: int) -> bytes:
    chunks, total = [], 0
    while total <= MAX_CACHE_BYTES:
        chunk = os.read(fd, max(size + 1 - total, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _make_private_dirs(path: Path) -> None:
    """mkdir -p with every directory it creates 0700 (as the XDG spec asks), whatever the umask."""
    missing = []
    p = path
    while not os.path.lexists(p) and p.parent != p:
        missing.append(p)
        p = p.parent
    for p in reversed(missing):
        try:
            os.mkdir(p, 0o700)
        except FileExistsError:
            pass


_OURS = None


def _ours():
    """The exact names this module writes: cache files, their temporary files, and the pickle
    caches of versions before the JSON cache (catalog-<crc32>.pickle)."""
    global _OURS
    if _OURS is None:
        import re

        _OURS = (re.compile(r"catalog-[0-9a-f]{32}\.json"), re.compile(r"\.catalog-\d+-[0-9a-f]{8}\.tmp"),
                 re.compile(r"catalog-(?:[0-9a-f]{8}|[0-9a-f]{32})\.pickle"))
    return _OURS


def _prune(dfd: int, keep: str) -> None:
    """Keep the KEEP newest cache files; remove older ones, old pickle caches and temporary files
    more than a minute old (left by a killed process; younger ones may be in use). Only regular
    files of ours with exactly the names this module writes (N8); a .json only if it starts
    with this cache's header."""
    import time

    try:
        entries = list(os.scandir(dfd))
    except OSError:
        return
    cache_name, tmp_name, pickle_name = _ours()
    caches, now, uid = [], time.time(), os.getuid()
    for e in entries:
        name = e.name
        if not (cache_name.fullmatch(name) or tmp_name.fullmatch(name) or pickle_name.fullmatch(name)):
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or st.st_uid != uid:
            continue
        if cache_name.fullmatch(name):
            if name != keep and _is_our_cache(name, dfd):
                caches.append((st.st_mtime, name))
        elif pickle_name.fullmatch(name) or now - st.st_mtime > 60:
            _unlink(name, dfd)
    for _mtime, name in sorted(caches, reverse=True)[KEEP - 1:]:
        _unlink(name, dfd)


def _is_our_cache(name: str, dfd: int) -> bool:
    """Whether a catalog-*.json file starts with a header this cache writes (any FORMAT)."""
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=dfd)
    except OSError:
        return False
    try:
        return os.read(fd, 10) == b'{"format":'
    except OSError:
        return False
    finally:
        os.close(fd)


def _unlink(name: str, dfd: int) -> None:
    try:
        os.unlink(name, dir_fd=dfd)
    except OSError:
        pass


def _shown(path) -> str:
    from gpuadvisor.fsread import display_path

    return display_path(path)
