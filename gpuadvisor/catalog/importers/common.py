"""Rows from any importer → one provider TOML: grouping, prices per GPU, regions, the report of
what was skipped, and the checked, atomic write into the user catalog directory."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from gpuadvisor.errors import UsageError

MAX_CSV_BYTES = 64 * 1024 * 1024
# Bounds checked while streaming, before each row is parsed (audit N6): rows read, and offerings
# built (a catalog file holds at most 512 KB, a few thousand offerings; past this the import stops).
MAX_CSV_ROWS = 2_000_000
MAX_OFFERINGS = 5_000
MAX_DISTINCT = 200_000  # distinct keys an importer keeps while reading (gpuhunt's instance × location)


@dataclass(frozen=True)
class Row:
    """One priced row: an instance in a region, with `count` GPUs named `gpu_name` (None: CPU only)."""

    instance: str
    gpu_name: str | None
    count: int
    vcpus: float | None
    ram_gb: float | None
    region: str
    price: float  # USD per hour for the whole instance
    spot: float | None
    gpu_label: str = ""  # the GPU's own name where the file has one (SkyPilot GpuInfo Name)
    memory_gib: float | None = None  # per GPU, where the file says
    written: str | None = None  # the importer's own written form (dstack's gpu spec)


@dataclass
class Imported:
    provider_id: str
    toml: str
    offerings: int
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    unmapped: dict[str, int] = field(default_factory=dict)  # accelerator name -> rows
    path: Path | None = None
    replaced: str = ""

    def to_json(self) -> dict:
        return {"provider": self.provider_id, "file": str(self.path) if self.path else None,
                "offerings": self.offerings, "unmapped": self.unmapped, "skipped": self.skipped,
                "replaced": self.replaced or None}


SNIPPETS = {  # the tool whose task file an imported provider's snippet is written for
    "skypilot": {"code": "{name}", "config": "instance_type: {value}",
                 "snippet": "resources:\n  cloud: {cloud}\n  {{config}}",
                 "note": "Snippets are SkyPilot task YAML (resources: cloud, instance_type)."},
    "gpuhunt": {"code": "{name}", "config": "gpu: {value}", "config_cpu": "cpu: {vcpus}\nmemory: {ram_gb}GB",
                "snippet": "type: task\nbackends: [{cloud}]\nresources:\n  {{config}}",
                "note": "Snippets are dstack run configurations (backends, resources.gpu as NAME:COUNT)."},
}


def _q(s: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, plus DEL, which TOML refuses raw."""
    return json.dumps(_printable(s), ensure_ascii=False).replace("\x7f", "\\u007f")


def _printable(s: str) -> str:
    """Text that encodes as UTF-8: bytes that were not UTF-8 (surrogate-escaped) shown as \\xNN."""
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _comment(s: str) -> str:
    """Text for a TOML comment (N9): no control character can end the comment or reach the file raw."""
    return "".join(c if c >= " " and not "\x7f" <= c < "\xa0" and c not in "\u2028\u2029" else f"\\x{ord(c):02x}"
                   for c in _printable(s))


# --id is a slug (N9, N16): it names a file in the catalog directory and a provider id
PROVIDER_ID = r"[a-z0-9][a-z0-9_-]{0,63}"
CLOUD_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"


def check_provider_id(pid: str, derived: bool = False) -> str:
    import re

    if re.fullmatch(PROVIDER_ID, pid):
        return pid
    from gpuadvisor.errors import clip

    what = "the provider id taken from the cloud name" if derived else "--id"
    raise UsageError(f"{what} {clip(_printable(pid), 70)} is not a plain name: use 1-64 lowercase letters, digits, "
                     "- and _, starting with a letter or digit (e.g. --id lambda-pods)")


def check_cloud(cloud: str, given: bool) -> str:
    import re

    if re.fullmatch(CLOUD_NAME, cloud):
        return cloud
    from gpuadvisor.errors import clip

    if given:
        raise UsageError(f"--cloud {clip(_printable(cloud), 70)} is not a plain name: use letters, digits, ., - and _ "
                         "(as SkyPilot or dstack writes it, e.g. lambda)")
    raise UsageError(f"cannot tell the cloud from the file name ({clip(_printable(cloud), 70)} is not a plain name): "
                     "give --cloud NAME (as SkyPilot or dstack writes it, e.g. lambda)")


def _num(x: float) -> str:
    return repr(round(float(x), 6))


def build_toml(fmt: str, rows: list[Row], skipped: dict[str, int], *, source: str, provider_id: str,
               cloud: str, as_of: str) -> Imported:
    from gpuadvisor.catalog.importers.names import NOT_THIS, decide

    check_provider_id(provider_id)  # also for library callers: these reach file names and TOML (N9)
    check_cloud(cloud, given=True)
    unmapped: dict[str, int] = {}
    # (instance, gpu id, count) -> [first row, {region: (lowest on-demand, lowest spot)}]: rows are
    # folded in as they stream, so memory follows the offerings, never the rows
    groups: dict[tuple, list] = {}
    decided: dict[tuple, str | None] = {}
    for r in rows:
        gid = None
        if r.gpu_name:
            dk = (r.gpu_name, r.instance, r.gpu_label, r.memory_gib)
            gid = decided[dk] if dk in decided else decided.setdefault(dk, decide(*dk)) if len(decided) < MAX_DISTINCT else decide(*dk)
            if gid is None:
                label = r.gpu_name + (f" ({NOT_THIS[r.gpu_name.upper()]})" if r.gpu_name.upper() in NOT_THIS else "")
                if label in unmapped or len(unmapped) < 1000:
                    unmapped[label] = unmapped.get(label, 0) + 1
                continue
        gkey = (r.instance, gid, r.count if gid else 0)
        group = groups.get(gkey)
        if group is None:
            if len(groups) >= MAX_OFFERINGS:
                raise UsageError(f"{_clip(source)} has more than {MAX_OFFERINGS:,} offerings (instance types × GPU counts); "
                                 "a catalog file holds at most 512 KB: import a smaller file (e.g. one cloud's); nothing written")
            group = groups[gkey] = [r, {}]
        by_region = group[1]
        price, spot = by_region.get(r.region, (r.price, None))
        new_spot = r.spot if r.spot and r.spot > 0 else None
        spot = min((x for x in (spot, new_spot) if x is not None), default=None)
        by_region[r.region] = (min(price, r.price), spot)
    syn = SNIPPETS[fmt]
    lines = [f"# gpuadvisor — {_comment(cloud)}, imported by `gpuadvisor catalog import {fmt}` from {_comment(source)} "
             f"on {_comment(as_of)}.",
             f"# {syn['note']} Prices are the file's, per GPU-hour (instance price ÷ GPUs); the file has",
             "# no date of its own, so as_of is the import date. Re-import to refresh; edit at your own risk.",
             "", "[provider]", f"id = {_q(provider_id)}", f"name = {_q(cloud + ' (' + fmt + ' import)')}",
             f"as_of = {_q(as_of)}", "max_count = 16", "lists = false",
             f"notes = [{_q(syn['note'])}, {_q('Imported from ' + source + '; unmapped names: see the import report.')}]",
             "", "[provider.syntax]", f"code = {_q(syn['code'])}", f"config = {_q(syn['config'])}"]
    if "config_cpu" in syn:
        lines.append(f"config_cpu = {_q(syn['config_cpu'])}")
    lines.append(f"snippet = {_q(syn['snippet'].format(cloud=cloud))}")
    names: set[str] = set()
    count = 0
    for (instance, gid, n), (first, by_region) in sorted(groups.items(), key=lambda kv: (kv[0][1] or "~", kv[0][2], kv[0][0])):
        name = instance if instance.lower() not in names else f"{instance}-{n}"
        names.add(name.lower())
        lines += ["", "[[offering]]", f"name = {_q(name)}"]
        lines += [f"gpu = {_q(gid)}", f"fixed_count = {n}"] if gid else ['kind = "cpu"']
        if first.written and gid:
            lines.append(f"written = {_q(first.written)}")
        if first.ram_gb:
            lines.append(f"ram_gb = {_num(first.ram_gb)}")
        if first.vcpus:
            lines.append(f"vcpus = {_num(first.vcpus)}")
        div = n if gid else 1
        regions = sorted(by_region)
        low = min(p for p, _ in by_region.values())
        spots = [s for _, s in by_region.values() if s]
        lines.append("regions = [" + ", ".join(_q(x) for x in regions) + "]")
        differ = {k: v for k, v in by_region.items() if v[0] != low}
        if differ:
            lines.append("region_prices = { " + ", ".join(f"{_q(k)} = {_num(v[0] / div)}" for k, v in sorted(differ.items())) + " }")
        if spots and len({s for s in spots}) > 1:
            lines.append("region_spot = { " + ", ".join(f"{_q(k)} = {_num(v[1] / div)}" for k, v in sorted(by_region.items()) if v[1]) + " }")
        if gid and first.gpu_name and first.gpu_name.upper().replace("-", "") in ("H100", "A10080GB") and \
                not any(w in (first.instance + first.gpu_label).lower() for w in ("pcie", "sxm", "nvl")):
            lines.append(f"notes = [{_q('SXM assumed: the file does not say whether this ' + first.gpu_name + ' is SXM or PCIe.')}]")
        src = f"{fmt} import of {source}" + (f" ({len(regions)} regions; lowest shown)" if len(regions) > 1 else "")
        lines.append(f"price = {{ per_hour = {_num(low / div)}, as_of = {_q(as_of)}, basis = \"list\", source = {_q(src)} }}")
        if spots:
            lines.append(f"price_low = {{ per_hour = {_num(min(spots) / div)}, as_of = {_q(as_of)}, basis = \"spot\", "
                         f"source = {_q(src)}, note = \"spot / interruptible\" }}")
        count += 1
    if not count:
        raise UsageError(f"no offering could be imported from {source}: "
                         + (f"every accelerator name is unmapped ({', '.join(sorted(unmapped))})" if unmapped else
                            "the file has no priced rows"))
    toml = "\n".join(lines) + "\n"
    from gpuadvisor.catalog.schema import MAX_FILE_BYTES

    if len(toml.encode()) > MAX_FILE_BYTES:  # checked before anything is written (N6)
        raise UsageError(f"the catalog imported from {_clip(source)} would be {len(toml.encode()):,} bytes ({count:,} "
                         f"offerings); a catalog larger than {MAX_FILE_BYTES // 1024} KB is not read: import a smaller "
                         "file; nothing written")
    return Imported(provider_id, toml, count, dict(skipped), unmapped)


def _clip(text: str, n: int = 120) -> str:
    from gpuadvisor.errors import clip

    return clip(text, n)


def install(imp: Imported, directory: Path, force: bool = False) -> Imported:
    """Validate the new file with the built-in catalogs, then write it atomically. An existing file
    is replaced only with `force`; the refusal says what it holds and what would replace it."""
    from gpuadvisor.catalog import build_catalog, builtin_dir, catalog_files
    from gpuadvisor.fsread import display_path

    target = directory / f"{imp.provider_id}.toml"
    shown = display_path(target)
    replaced = ""
    if os.path.lexists(target):
        held = _describe(target)
        if not force:
            raise UsageError(f"{shown} exists ({held}); importing would replace it with {imp.offerings} offering(s): "
                             "pass --force to replace it, or --id to import under another name")
        replaced = held
    builtins = catalog_files([("builtin", builtin_dir())])
    ids = _builtin_ids(builtins)
    if imp.provider_id in ids:
        raise UsageError(f"provider id {imp.provider_id!r} is a built-in provider; pass --id with another name "
                         f"(e.g. --id {imp.provider_id}-pods)")
    import tempfile

    from gpuadvisor.catalog.transaction import install_files

    with tempfile.TemporaryDirectory(prefix="gpuadvisor-import-") as tmp:  # validated outside the catalogs
        staged = Path(tmp) / target.name
        staged.write_text(imp.toml, encoding="utf-8")
        report = build_catalog(builtins + [("user", staged)], strict_builtin=False).files[-1]
        if report.problems:
            problem = str(report.problems[0]).replace(str(staged), shown)
            raise UsageError(f"the imported catalog does not validate, nothing written: {problem}")
    try:
        install_files(directory, {target.name: imp.toml.encode("utf-8")})
    except OSError as e:
        raise UsageError(f"cannot write {shown} ({e.strerror or e}); nothing written") from None
    imp.path, imp.replaced = target, replaced
    return imp


def _describe(path: Path) -> str:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        pid = data.get("provider", {}).get("id", "?")
        return f"provider {pid}, {len(data.get('offering', []))} offering(s)"
    except (OSError, ValueError, AttributeError):
        return "a file gpuadvisor cannot read as a catalog"


def _builtin_ids(files) -> set[str]:
    import tomllib

    ids = set()
    for _, p in files:
        try:
            pid = tomllib.loads(p.read_text(encoding="utf-8")).get("provider", {}).get("id")
        except (OSError, ValueError):
            continue
        if pid:
            ids.add(pid)
    return ids


def number(row: dict, key: str, where: str, required: bool = False) -> float | None:
    """A float from a CSV cell; '' is None (or an error when required)."""
    raw = (row.get(key) or "").strip()
    if not raw:
        if required:
            raise UsageError(f"{where}: {key} is empty")
        return None
    try:
        v = float(raw)
    except ValueError:
        raise UsageError(f"{where}: {key} {raw!r} is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise UsageError(f"{where}: {key} {raw!r} is not a finite number")
    return v


def read_table(text: str | bytes, required: tuple[str, ...], what: str):
    """Rows (dicts) of a CSV, streamed: bytes are decoded as they are read (never a second copy of
    the file), the header is checked first (UsageError naming the missing columns), and the row
    cap is checked before each row is parsed."""
    import csv
    import io

    if isinstance(text, bytes):
        if b"\0" in text:
            raise UsageError(f"not a {what} CSV: it contains a NUL byte")
        lines: io.TextIOBase = io.TextIOWrapper(io.BytesIO(text), encoding="utf-8-sig", newline="")
    else:
        if "\0" in text:
            raise UsageError(f"not a {what} CSV: it contains a NUL byte")
        lines = io.StringIO(text)
    reader = csv.DictReader(lines)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except (csv.Error, UnicodeDecodeError) as e:
        raise UsageError(f"not a {what} CSV: {_why_not(e)}") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise UsageError(f"not a {what} CSV: missing column(s) {', '.join(missing)} (header: {','.join(header)[:120] or 'none'})")
    return _capped_rows(reader, what)


def _capped_rows(reader, what: str):
    import csv

    n = 0
    while True:
        if n >= MAX_CSV_ROWS:
            raise UsageError(f"the {what} CSV has more than {MAX_CSV_ROWS:,} rows; not read (nothing written)")
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as e:
            raise UsageError(f"not a {what} CSV: {_why_not(e)} (line {reader.line_num + 1})") from None
        n += 1
        yield row


def _why_not(e: Exception) -> str:
    return f"not UTF-8 text ({e.reason})" if isinstance(e, UnicodeDecodeError) else str(e)
