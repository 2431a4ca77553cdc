"""Loading, validating and querying the TOML catalogs.

Built-in catalogs ship inside the package (see builtin_dir). Extra catalog
directories come from GPUADVISOR_CATALOG_PATH (os.pathsep-separated) and
$XDG_CONFIG_HOME/gpuadvisor/catalogs (default ~/.config/gpuadvisor/catalogs), in that order
after the built-ins. A file may hold any of these top-level tables:

  [arch.<id>]        GPU architectures           [gpu.<id>]          GPU hardware facts
  [provider] + [[offering]]  one provider        [workload.<id>]     recommend profiles
  [model.<id>]       model architectures (estimate)

Later files extend earlier ones: a provider id that already exists is extended (offerings with
a new name are added, an offering with an existing name replaces it, [provider] keys given
override); a GPU, workload or model id that exists is replaced. A built-in file that fails
validation is a bug and stops the program; an extra file that fails is skipped whole, with a
warning naming file, line and key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpuadvisor.errors import CatalogError, CatalogProblem, UnknownName, UsageError, did_you_mean
from gpuadvisor.models import Arch, Dispute, Gpu, Offering, Price, Provider, Syntax

MAX_FILE_BYTES = 4 * 1024 * 1024  # a catalog larger than this is refused, not parsed
ENV_PATH = "GPUADVISOR_CATALOG_PATH"
KINDS = ("gpu", "pool", "cpu")
TOP_LEVEL = ("arch", "gpu", "provider", "offering", "workload", "model")


# ---------------------------------------------------------------------------- locations

def builtin_dir() -> Path:
    """The catalogs shipped in the wheel (gpuadvisor/catalogs); in a source checkout, the
    repository's catalogs/. For an installed package on a file system this is the same directory
    importlib.resources.files("gpuadvisor") / "catalogs" names; importlib.resources (3 ms to
    import) is only asked when the package is not a plain directory (a zip, say)."""
    here = Path(__file__).resolve().parent
    if (here / "catalogs").is_dir():
        return here / "catalogs"
    from importlib.resources import as_file, files

    packaged = files("gpuadvisor").joinpath("catalogs")
    if packaged.is_dir():
        with as_file(packaged) as real:
            return Path(real)
    return here.parent / "catalogs"


def user_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gpuadvisor" / "catalogs"


def extra_dirs() -> list[tuple[str, Path]]:
    """(origin, directory) for every extra catalog location, in load order."""
    out = [("env", Path(p)) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
    out.append(("user", user_dir()))
    return out


def catalog_files(dirs: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """The *.toml files of each directory (sorted by name), in directory order. os.scandir, not
    Path.glob: this runs on every start and glob costs several milliseconds."""
    found = []
    for origin, d in dirs:
        try:
            with os.scandir(d) as it:
                names = sorted(e.name for e in it if e.name.endswith(".toml") and e.is_file())
        except NotADirectoryError:
            if str(d).endswith(".toml"):
                found.append((origin, d))
            continue
        except OSError:  # missing or unreadable directory: nothing to load
            continue
        found.extend((origin, d / n) for n in names)
    return found


# ---------------------------------------------------------------------------- validation

class _File:
    """One catalog file: its parsed data and the problems found in it."""

    def __init__(self, path: Path, origin: str):
        self.path, self.origin = path, origin
        self.name = str(path)
        self.text = ""
        self.data: dict = {}
        self.problems: list[CatalogProblem] = []
        self._lines: dict | None = None

    def read(self) -> None:
        try:
            size = self.path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.fail((), f"file is {size:,} bytes; catalogs larger than {MAX_FILE_BYTES:,} bytes are refused")
                return
            self.text = self.path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            self.fail((), f"not UTF-8 text ({e.reason} at byte {e.start})")
            return
        except OSError as e:
            self.fail((), f"cannot read: {e.strerror or e}")
            return
        import tomllib  # only when a file is actually parsed (the cache usually spares it)

        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as e:
            msg = str(e)
            line = getattr(e, "lineno", None)
            if line is None and "(at line " in msg:
                try:
                    line = int(msg.rsplit("(at line ", 1)[1].split(",")[0])
                except ValueError:
                    line = None
            if line is None and "(at end of document)" in msg:
                line = max(1, len(self.text.splitlines()))
            reason = msg.split(" (at line")[0].split(" (at end of document)")[0]
            self.problems.append(CatalogProblem(self.name, line, "", f"invalid TOML: {reason}"))
        except RecursionError:
            self.fail((), "invalid TOML: nested too deeply")

    def line(self, path: tuple) -> int | None:
        if self._lines is None:
            from gpuadvisor.tomlpos import key_lines

            self._lines = key_lines(self.text)
        from gpuadvisor.tomlpos import line_of

        return line_of(self._lines, path)

    def fail(self, path: tuple, message: str) -> None:
        self.problems.append(CatalogProblem(self.name, self.line(path) if path else None, _dotted(path), message))


def _dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_MISSING = object()
_NUMBER = (int, float)


class _Table:
    """Typed access to one TOML table; every problem is recorded against its file, key and line."""

    def __init__(self, file: _File, path: tuple, data: Any, allowed: tuple[str, ...]):
        self.file, self.path = file, path
        self.ok = isinstance(data, dict)
        self.data = data if self.ok else {}
        if not self.ok:
            file.fail(path, f"must be a table, not {_typename(data)}")
            return
        for key in self.data:
            if key not in allowed:
                file.fail(path + (key,), "unknown key" + did_you_mean(key, allowed, n=1))

    def get(self, key: str, kind: str, default: Any = _MISSING, *, positive: bool = False,
            nonneg: bool = False, choices: tuple = ()) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.file.fail(self.path, f"missing required key {key!r}")
                return None
            return default
        where = self.path + (key,)
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "num": isinstance(value, _NUMBER) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "strlist": isinstance(value, list) and all(isinstance(v, str) for v in value),
            "table": isinstance(value, dict),
            "list": isinstance(value, list),
            "any": True,
        }[kind]
        if not ok:
            want = {"str": "a string", "int": "an integer", "num": "a number", "bool": "true or false",
                    "strlist": "a list of strings", "table": "a table", "list": "a list", "any": ""}[kind]
            self.file.fail(where, f"must be {want}, not {_typename(value)} {_short(value)}")
            return None if default is _MISSING else default
        if kind == "str" and not value.strip():
            self.file.fail(where, "must not be empty")
            return None if default is _MISSING else default
        if kind in ("int", "num"):
            if value != value or value in (float("inf"), float("-inf")):
                self.file.fail(where, "must be a finite number")
                return None if default is _MISSING else default
            if positive and value <= 0:
                self.file.fail(where, f"must be greater than 0, not {value}")
                return None if default is _MISSING else default
            if nonneg and value < 0:
                self.file.fail(where, f"must not be negative, not {value}")
                return None if default is _MISSING else default
        if choices and value not in choices:
            self.file.fail(where, f"must be one of {', '.join(map(str, choices))}, not {value!r}")
            return None if default is _MISSING else default
        return value

    def table(self, key: str, allowed: tuple[str, ...]) -> _Table | None:
        if key not in self.data:
            return None
        return _Table(self.file, self.path + (key,), self.data[key], allowed)


def _typename(v: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "table"}.get(type(v), type(v).__name__)


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


# ---------------------------------------------------------------------------- builders

_ARCH_KEYS = ("name", "order", "year")
_GPU_KEYS = ("name", "arch", "compute_capability", "vram_gb", "memory_type", "bandwidth_gb_s",
             "fp16_tflops", "fp8_tflops", "fp4_tflops", "nvenc", "nvdec", "av1_encode",
             "nvlink_gb_s", "nvlink_group", "tdp_w", "form_factor", "sources", "notes", "aliases",
             "unconfirmed", "disputes")
_DISPUTE_KEYS = ("field", "used", "other", "other_source", "why")
_PROVIDER_KEYS = ("id", "name", "docs_url", "as_of", "max_count", "count_note", "notes", "syntax")
_SYNTAX_KEYS = ("code", "counted", "list", "config", "config_count", "snippet")
_OFFERING_KEYS = ("name", "kind", "gpu", "members", "max_count", "aliases", "ram_gb", "vcpus",
                  "price", "notes", "claimed", "legacy", "recommend", "may_upgrade_to", "suffixes")
_PRICE_KEYS = ("per_hour", "per_second", "as_of", "basis", "source", "note")
_CLAIMABLE = ("vram_gb", "bandwidth_gb_s", "nvenc", "nvdec", "av1_encode", "arch")

DEFAULT_SYNTAX = {
    "code": '"{name}"', "counted": None, "list": "[{items}]", "config": "gpu={value}",
    "config_count": "gpu={value}, gpu_count={count}", "snippet": "{config}",
}


def _valid_id(file: _File, path: tuple, ident: str) -> bool:
    if not ident or ident != ident.lower() or any(c.isspace() for c in ident):
        file.fail(path, f"id {ident!r} must be lowercase with no spaces")
        return False
    return True


def id_tables(file: _File, section: str, allowed: tuple[str, ...]):
    """(id, path, table) for each well-formed [section.<id>] table of a file; problems recorded."""
    tables = file.data.get(section, {})
    if not isinstance(tables, dict):
        file.fail((section,), f"must be a table of [{section}.<id>] tables")
        return
    for ident, raw in tables.items():
        path = (section, ident)
        t = _Table(file, path, raw, allowed)
        if t.ok and _valid_id(file, path, ident):
            yield ident, path, t


def _build_archs(file: _File, archs: dict[str, Arch]) -> None:
    for aid, _path, t in id_tables(file, "arch", _ARCH_KEYS):
        name, order, year = t.get("name", "str"), t.get("order", "int", positive=True), t.get("year", "int", positive=True)
        if None not in (name, order, year):
            archs[aid] = Arch(aid, name, order, year)


def _build_gpus(file: _File, archs: dict[str, Arch], gpus: dict[str, Gpu]) -> None:
    for gid, path, t in id_tables(file, "gpu", _GPU_KEYS):
        before = len(file.problems)
        arch = t.get("arch", "str")
        if arch is not None and arch not in archs:
            file.fail(path + ("arch",), f"unknown architecture {arch!r}" + did_you_mean(arch, list(archs), n=1))
        vals = dict(
            name=t.get("name", "str"), compute_capability=t.get("compute_capability", "str"),
            vram_gb=t.get("vram_gb", "num", positive=True), memory_type=t.get("memory_type", "str"),
            bandwidth_gb_s=t.get("bandwidth_gb_s", "num", positive=True),
            fp16_tflops=t.get("fp16_tflops", "num", positive=True),
            fp8_tflops=t.get("fp8_tflops", "num", None, positive=True),
            fp4_tflops=t.get("fp4_tflops", "num", None, positive=True),
            nvenc=t.get("nvenc", "int", nonneg=True), nvdec=t.get("nvdec", "int", nonneg=True),
            av1_encode=t.get("av1_encode", "bool"), nvlink_gb_s=t.get("nvlink_gb_s", "num", nonneg=True),
            nvlink_group=t.get("nvlink_group", "int", 0, nonneg=True), tdp_w=t.get("tdp_w", "num", positive=True),
            form_factor=t.get("form_factor", "str"),
        )
        sources = t.get("sources", "strlist")
        if sources is not None and not sources:
            file.fail(path + ("sources",), "must list at least one source (URL or document)")
        notes = t.get("notes", "strlist", [])
        aliases = t.get("aliases", "strlist", [])
        unconfirmed = t.get("unconfirmed", "strlist", [])
        for f in unconfirmed or []:
            if f not in _GPU_KEYS:
                file.fail(path + ("unconfirmed",), f"{f!r} is not a GPU field")
        disputes = []
        raw_disputes = t.get("disputes", "list", [])
        for i, rd in enumerate(raw_disputes or []):
            dt = _Table(file, path + ("disputes", i), rd, _DISPUTE_KEYS)
            if not dt.ok:
                continue
            fld = dt.get("field", "str")
            if fld is not None and fld not in _GPU_KEYS:
                file.fail(path + ("disputes", i, "field"), f"{fld!r} is not a GPU field")
            d = (fld, dt.get("used", "any"), dt.get("other", "any"), dt.get("other_source", "str"), dt.get("why", "str"))
            if None not in d:
                disputes.append(Dispute(*d))
        if len(file.problems) > before or arch not in archs:
            continue
        gpus[gid] = Gpu(id=gid, arch=arch, sources=tuple(sources), notes=tuple(notes), aliases=tuple(aliases),
                        unconfirmed=tuple(unconfirmed), disputes=tuple(disputes),
                        arch_order=archs[arch].order, file=file.name, **vals)


@dataclass
class _RawProvider:
    """A provider's [provider] keys and offerings merged over files, before validation."""

    id: str
    fields: dict = field(default_factory=dict)
    field_files: dict = field(default_factory=dict)
    offerings: dict = field(default_factory=dict)  # lower(name) -> (file, index, raw)
    files: list = field(default_factory=list)


def _collect_provider(file: _File, providers: dict[str, _RawProvider]) -> None:
    head = file.data.get("provider")
    offerings = file.data.get("offering", [])
    if head is None:
        if offerings:
            file.fail(("offering",), "offerings need a [provider] table with an id in the same file")
        return
    t = _Table(file, ("provider",), head, _PROVIDER_KEYS)
    if not t.ok:
        return
    pid = t.get("id", "str")
    if pid is None or not _valid_id(file, ("provider", "id"), pid):
        return
    rp = providers.setdefault(pid, _RawProvider(pid))
    rp.files.append(file)
    for k, v in t.data.items():
        if k == "syntax" and isinstance(v, dict) and isinstance(rp.fields.get("syntax"), dict):
            v = {**rp.fields["syntax"], **v}
        rp.fields[k] = v
        rp.field_files[k] = file
    if not isinstance(offerings, list):
        file.fail(("offering",), "must be an array of tables: write [[offering]]")
        return
    for i, raw in enumerate(offerings):
        name = raw.get("name") if isinstance(raw, dict) else None
        key = name.lower() if isinstance(name, str) else f"#{file.name}#{i}"
        if key in rp.offerings and rp.offerings[key][0] is file:
            first = rp.offerings[key][1]
            file.fail(("offering", i, "name"), f"duplicate offering name {name!r} (first at line {file.line(('offering', first))})")
            continue
        rp.offerings[key] = (file, i, raw)


def _build_syntax(rp: _RawProvider) -> Syntax | None:
    raw = rp.fields.get("syntax", {})
    file = rp.field_files.get("syntax") or rp.files[0]
    t = _Table(file, ("provider", "syntax"), raw, _SYNTAX_KEYS)
    if not t.ok:
        return None
    vals = {}
    for key, default in DEFAULT_SYNTAX.items():
        v = t.data.get(key, default)
        if key == "code" and isinstance(v, str):
            v = {k: v for k in KINDS}
        if key == "code":
            if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
                file.fail(("provider", "syntax", "code"), "must be a string or a table of strings per kind")
                return None
            v = {k: v.get(k, DEFAULT_SYNTAX["code"]) for k in KINDS}
            samples = list(v.values())
        else:
            if v is not None and not isinstance(v, str):
                file.fail(("provider", "syntax", key), f"must be a string, not {_typename(v)}")
                return None
            samples = [v] if v else []
        for s in samples:
            try:
                s.format(name="X", value="X", count=2, items="X", config="X")
            except (KeyError, IndexError, ValueError) as e:
                file.fail(("provider", "syntax", key), f"bad template {s!r}: {e}")
                return None
        vals[key] = v.strip("\n") if isinstance(v, str) else v
    return Syntax(**vals)


def _build_provider(rp: _RawProvider, gpus: dict[str, Gpu]) -> tuple[Provider | None, list[Offering]]:
    file = rp.field_files.get("name") or rp.files[0]
    t = _Table(file, ("provider",), rp.fields, _PROVIDER_KEYS)
    name = t.get("name", "str", rp.id)
    max_count = t.get("max_count", "int", 8, positive=True)
    syntax = _build_syntax(rp)
    provider = Provider(
        id=rp.id, name=name or rp.id, docs_url=t.get("docs_url", "str", None), as_of=t.get("as_of", "str", None),
        max_count=max_count, count_note=t.get("count_note", "str", ""),
        notes=tuple(t.get("notes", "strlist", []) or ()), syntax=syntax or Syntax(**{**DEFAULT_SYNTAX, "code": {k: '"{name}"' for k in KINDS}}),
        files=tuple(f.name for f in rp.files),
    )
    offerings = []
    seen: dict[str, tuple[_File, int, str]] = {}
    for file, i, raw in rp.offerings.values():
        off = _build_offering(file, i, raw, provider, gpus)
        if off is None:
            continue
        for key in lookup_keys(off, provider):
            k = key.lower()
            if k in seen and seen[k][2] != off.name:
                file.fail(("offering", i, "name"), f"{key!r} of offering {off.name!r} duplicates "
                          f"{seen[k][2]!r} ({seen[k][0].name}:{seen[k][0].line(('offering', seen[k][1]))})")
            seen.setdefault(k, (file, i, off.name))
        offerings.append(off)
    return provider, offerings


def _build_offering(file: _File, i: int, raw: Any, provider: Provider, gpus: dict[str, Gpu]) -> Offering | None:
    path = ("offering", i)
    t = _Table(file, path, raw, _OFFERING_KEYS)
    if not t.ok:
        return None
    before = len(file.problems)
    name = t.get("name", "str")
    kind = t.get("kind", "str", "gpu", choices=KINDS)
    members: list[Gpu] = []

    def gpu_ref(gid: str, where: tuple) -> Gpu | None:
        if gid in gpus:
            return gpus[gid]
        file.fail(where, f"unknown GPU id {gid!r}" + did_you_mean(gid, list(gpus), n=1))
        return None

    if kind == "gpu":
        gid = t.get("gpu", "str")
        if gid is not None:
            g = gpu_ref(gid, path + ("gpu",))
            members = [g] if g else []
        if "members" in t.data:
            file.fail(path + ("members",), "only a pool has members; add kind = \"pool\"")
    elif kind == "pool":
        ids = t.get("members", "strlist")
        if ids is not None and not ids:
            file.fail(path + ("members",), "a pool needs at least one member")
        for gid in ids or []:
            g = gpu_ref(gid, path + ("members",))
            if g:
                members.append(g)
        if "gpu" in t.data:
            file.fail(path + ("gpu",), "a pool lists its GPUs in members, not gpu")
    elif kind == "cpu":
        for key in ("gpu", "members"):
            if key in t.data:
                file.fail(path + (key,), "a CPU machine type has no GPU")
    max_count = t.get("max_count", "int", provider.max_count if kind != "cpu" else 0, nonneg=kind == "cpu", positive=kind != "cpu")
    ram_gb = t.get("ram_gb", "num", None, positive=True)
    vcpus = t.get("vcpus", "num", None, positive=True)
    aliases = t.get("aliases", "strlist", [])
    notes = t.get("notes", "strlist", [])
    legacy = t.get("legacy", "bool", False)
    recommend = t.get("recommend", "bool", True)
    upgrades = t.get("may_upgrade_to", "strlist", [])
    for gid in upgrades or []:
        gpu_ref(gid, path + ("may_upgrade_to",))
    suffixes = t.get("suffixes", "table", {})
    for s, meaning in (suffixes or {}).items():
        if len(s) != 1 or s.isalnum() or not isinstance(meaning, str):
            file.fail(path + ("suffixes", s), "a suffix is one non-alphanumeric character mapped to a description")
    claimed = t.get("claimed", "table", {})
    for k in claimed or {}:
        if k not in _CLAIMABLE:
            file.fail(path + ("claimed", k), f"claimed values are for {', '.join(_CLAIMABLE)}")
    price = None
    pt = t.table("price", _PRICE_KEYS)
    if pt is not None and pt.ok:
        vals = (pt.get("per_hour", "num", positive=True), pt.get("as_of", "str"), pt.get("source", "str"))
        if None not in vals:
            as_of = vals[1]
            if not _is_date(as_of):
                file.fail(path + ("price", "as_of"), f"must be a date YYYY-MM-DD, not {as_of!r}")
            price = Price(per_hour=vals[0], as_of=as_of, source=vals[2], basis=pt.get("basis", "str", "list"),
                          per_second=pt.get("per_second", "num", None, positive=True), note=pt.get("note", "str", ""))
    if len(file.problems) > before or name is None:
        return None
    hw = _weakest(members) if members else None
    return Offering(
        provider=provider.id, name=name, kind=kind, gpus=tuple(members), max_count=max_count,
        aliases=tuple(aliases), ram_gb=ram_gb, vcpus=vcpus, price=price, notes=tuple(notes),
        claimed=tuple((claimed or {}).items()), legacy=legacy, recommend=recommend,
        may_upgrade_to=tuple(upgrades), suffixes=tuple((suffixes or {}).items()),
        file=file.name, hw=hw,
    )


def _weakest(gpus: list[Gpu]) -> Gpu:
    """What a pool guarantees: its member with the least VRAM, then bandwidth, then compute."""
    return min(gpus, key=lambda g: (g.vram_gb, g.bandwidth_gb_s, g.fp16_tflops))


def _is_date(s: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", s))


def lookup_keys(off: Offering, provider: Provider) -> list[str]:
    """Every spelling that names this offering: name, aliases and its written code form."""
    keys = [off.name, *off.aliases]
    code = provider.syntax.code.get(off.kind, '"{name}"').format(name=off.name).strip("\"'")
    if code != off.name:
        keys.append(code)
    return keys


# ---------------------------------------------------------------------------- catalog

def record_names(records: dict) -> list[str]:
    """Every id and alias of records that have both (workloads, models)."""
    return list(records) + [a for r in records.values() for a in r.aliases]


def find_record(records: dict, name: str, what: str, hint: str = ""):
    """A workload or model by id or alias, case-insensitively; UnknownName with suggestions otherwise."""
    key = name.strip().lower()
    for r in records.values():
        if key == r.id or key in (a.lower() for a in r.aliases):
            return r
    raise UnknownName(what, name, record_names(records), hint=hint)


@dataclass
class FileReport:
    path: str
    origin: str
    problems: list[CatalogProblem]
    sections: list[str]

    def to_json(self) -> dict:
        return {"path": self.path, "origin": self.origin, "ok": not self.problems,
                "sections": self.sections, "problems": [p.to_json() for p in self.problems]}


@dataclass
class Catalog:
    archs: dict[str, Arch]
    gpus: dict[str, Gpu]
    providers: dict[str, Provider]
    offerings: list[Offering]
    workloads: dict[str, Any]
    models: dict[str, Any]
    files: list[FileReport]
    warnings: list[str]
    _index: dict | None = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_index"] = None
        state.pop("_warned", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- queries --------------------------------------------------------------------
    def provider(self, name: str) -> Provider:
        p = self.providers.get(name.strip().lower())
        if p is None:
            raise UnknownName("provider", name, list(self.providers))
        return p

    def offerings_of(self, provider_id: str) -> list[Offering]:
        return [o for o in self.offerings if o.provider == provider_id]

    def offerings_for_gpu(self, gpu_id: str) -> list[Offering]:
        return [o for o in self.offerings if any(g.id == gpu_id for g in o.gpus)]

    def lookup(self, provider_id: str, name: str) -> Offering:
        """A provider's offering by any of its spellings, case-insensitively."""
        provider = self.provider(provider_id)
        key = name.strip().lower()
        for off in self.offerings_of(provider.id):
            if key in (k.lower() for k in lookup_keys(off, provider)):
                return off
        names = [k for o in self.offerings_of(provider.id) for k in lookup_keys(o, provider)]
        raise UnknownName(f"{provider.id} GPU name", name, names,
                          hint=f"run `gpuadvisor list --provider {provider.id}` to see its names")

    def _name_index(self) -> dict[str, list]:
        if self._index is None:
            idx: dict[str, list] = {}
            for g in self.gpus.values():
                for k in (g.id, *g.aliases):
                    idx.setdefault(k.lower(), []).append(("gpu", g))
            for o in self.offerings:
                for k in lookup_keys(o, self.providers[o.provider]):
                    idx.setdefault(k.lower(), []).append(("offering", o))
            self._index = idx
        return self._index

    def all_names(self) -> list[str]:
        names = list(self.gpus)
        for g in self.gpus.values():
            names.extend(g.aliases)
        for o in self.offerings:
            names.extend(lookup_keys(o, self.providers[o.provider]))
        return names

    def resolve(self, name: str) -> tuple[Gpu, Offering | None]:
        """A GPU from a canonical id, a GPU alias or any provider's spelling (first match wins:
        canonical id, then GPU alias, then offerings). Returns the offering it came from, if any;
        for a pool the GPU is its weakest member."""
        key = name.strip().lower()
        hits = self._name_index().get(key, [])
        gpu_hits = [h for k, h in hits if k == "gpu"]
        if gpu_hits:
            return gpu_hits[0], None
        offs = [h for k, h in hits if k == "offering" and h.hw is not None]
        if offs:
            distinct = {o.hw.id for o in offs}
            if len(distinct) > 1:
                where = ", ".join(f"{o.provider} {o.name} = {o.hw.id}" for o in offs)
                raise UsageError(f"{name!r} is ambiguous ({where}); use a canonical id")
            return offs[0].hw, offs[0]
        if any(k == "offering" for k, _ in hits):
            raise UsageError(f"{name!r} is a CPU machine type, not a GPU")
        raise UnknownName("GPU", name, self.all_names(), hint="run `gpuadvisor list` to see every name")


_CACHE: dict[tuple, Catalog] = {}
CACHE_ENV = "GPUADVISOR_NO_CACHE"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gpuadvisor"


_CACHED_CODE = ("catalog.py", "models.py", "profiles.py")  # modules whose objects the cache pickles


def _fingerprint(files: list[tuple[str, Path]]) -> tuple:
    """What a cached catalog depends on: the package version, the code that builds and defines
    the cached objects (so an edited checkout never unpickles an old shape), and every catalog
    file's path, size and mtime."""
    from gpuadvisor import __version__

    here = Path(__file__).parent
    parts = [("code", name, -1, _mtime(here / name)) for name in _CACHED_CODE]
    for origin, p in files:
        try:
            st = p.stat()
            parts.append((origin, str(p), st.st_size, st.st_mtime_ns))
        except OSError:
            parts.append((origin, str(p), -1, -1))
    return (__version__, tuple(parts))


def _mtime(p: Path) -> int:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return -1


def _cache_path(key: tuple) -> Path:
    import zlib

    return cache_dir() / f"catalog-{zlib.crc32(repr(key).encode()):08x}.pickle"


def _read_disk_cache(key: tuple) -> Catalog | None:
    import pickle

    try:
        with open(_cache_path(key), "rb") as f:
            stored_key, cat = pickle.load(f)
    except Exception:  # missing, unreadable, stale format: rebuild
        return None
    return cat if stored_key == key and isinstance(cat, Catalog) else None


def _write_disk_cache(key: tuple, cat: Catalog) -> None:
    import pickle
    import tempfile

    path = _cache_path(key)
    d = path.parent
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".catalog-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, cat), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except Exception:  # a read-only home or full disk only costs speed
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:
            pass


def load_catalog(extra: list[tuple[str, Path]] | None = None, *, use_cache: bool = True) -> Catalog:
    """Built-ins plus extra directories (default: environment and user dir).

    Parsed once per process, and the validated result is kept in $XDG_CACHE_HOME/gpuadvisor
    (default ~/.cache/gpuadvisor) keyed on every catalog file's path, size and mtime, so later
    runs skip TOML parsing unless a file changed. GPUADVISOR_NO_CACHE=1 turns the disk cache off."""
    dirs = [("builtin", builtin_dir())] + (extra_dirs() if extra is None else extra)
    files = catalog_files(dirs)
    key = _fingerprint(files)
    if use_cache and key in _CACHE:
        return _CACHE[key]
    disk = use_cache and not os.environ.get(CACHE_ENV)
    cat = _read_disk_cache(key) if disk else None
    if cat is None:
        cat = build_catalog(files)
        if disk:
            _write_disk_cache(key, cat)
    if use_cache:
        _CACHE[key] = cat
    return cat


def build_catalog(paths: list[tuple[str, Path]], *, strict_builtin: bool = True) -> Catalog:
    files = []
    for origin, p in paths:
        f = _File(p, origin)
        f.read()
        if not f.problems:
            for k in f.data:
                if k not in TOP_LEVEL:
                    f.fail((k,), "unknown top-level table" + did_you_mean(k, TOP_LEVEL, n=1))
        files.append(f)
    active = [f for f in files if not f.problems]
    while True:
        for f in active:
            f.problems.clear()
        result = _assemble(active)
        failed = [f for f in active if f.problems]
        if not failed:
            break
        builtin = [f for f in failed if f.origin == "builtin"]
        if builtin and strict_builtin:
            raise CatalogError([p for f in builtin for p in f.problems])
        active = [f for f in active if not f.problems or (f.origin == "builtin" and not strict_builtin)]
        if not [f for f in failed if f not in active]:
            break
    archs, gpus, providers, offerings, workloads, models = result
    reports, warnings = [], []
    for f in files:
        reports.append(FileReport(f.name, f.origin, list(f.problems), [k for k in f.data if k in TOP_LEVEL]))
        if f.problems:
            first = f.problems[0]
            more = f" (+{len(f.problems) - 1} more; run `gpuadvisor catalog validate {f.name}`)" if len(f.problems) > 1 else ""
            warnings.append(f"warning: skipping catalog {first}{more}")
    return Catalog(archs, gpus, providers, offerings, workloads, models, reports, warnings)


def _assemble(files: list[_File]):
    archs: dict[str, Arch] = {}
    gpus: dict[str, Gpu] = {}
    for f in files:
        _build_archs(f, archs)
    for f in files:
        _build_gpus(f, archs, gpus)
    raw_providers: dict[str, _RawProvider] = {}
    for f in files:
        _collect_provider(f, raw_providers)
    providers, offerings = {}, []
    for rp in raw_providers.values():
        p, offs = _build_provider(rp, gpus)
        if p is not None:
            providers[p.id] = p
            offerings.extend(offs)
    from gpuadvisor.profiles import build_models, build_workloads

    workloads = build_workloads(files)
    models = build_models(files)
    return archs, gpus, providers, offerings, workloads, models


def validate_paths(paths: list[Path]) -> list[FileReport]:
    """`catalog validate`: check files against the built-ins (they may use built-in GPU ids)."""
    targets: list[tuple[str, Path]] = []
    for p in paths:
        if p.is_dir():
            targets.extend(catalog_files([("check", p)]))
        elif p.exists():
            targets.append(("check", p))
        else:
            raise UsageError(f"no such file or directory: {p}")
    if not targets:
        raise UsageError("no .toml files to validate")
    builtin = catalog_files([("builtin", builtin_dir())])
    builtin_reports = None  # the built-ins are checked together, once, however many of them are named
    # Each other target is checked with the built-ins only, so one bad file cannot hide another's problems.
    reports = []
    for origin, path in targets:
        if any(path.resolve() == b.resolve() for _, b in builtin):
            if builtin_reports is None:
                builtin_reports = build_catalog(builtin, strict_builtin=False).files
            reports.extend(r for r in builtin_reports if Path(r.path).resolve() == path.resolve())
            continue
        cat = build_catalog(builtin + [(origin, path)], strict_builtin=False)
        reports.append(cat.files[-1])
    return reports


def get_catalog() -> Catalog:
    return load_catalog()


STALE_PRICE_DAYS = 180


def catalog_info(cat: Catalog, today) -> dict:
    """Per provider: where its catalog comes from, its as-of date, and how old its prices are
    (`today` a datetime.date). Prices older than STALE_PRICE_DAYS are counted as stale."""
    from datetime import date

    providers = []
    for p in cat.providers.values():
        offs = cat.offerings_of(p.id)
        priced = [o for o in offs if o.price]
        ages = [(today - date.fromisoformat(o.price.as_of)).days for o in priced]
        stale = [o for o, age in zip(priced, ages, strict=True) if age > STALE_PRICE_DAYS]
        providers.append({
            "id": p.id, "name": p.name, "files": list(p.files), "docs_url": p.docs_url, "as_of": p.as_of,
            "offerings": len(offs), "priced": len(priced),
            "oldest_price": min((o.price.as_of for o in priced), default=None),
            "newest_price": max((o.price.as_of for o in priced), default=None),
            "stale_prices": len(stale), "stale": [o.name for o in stale],
        })
    other = [{"path": r.path, "origin": r.origin, "sections": r.sections, "ok": not r.problems}
             for r in cat.files if "provider" not in r.sections]
    return {"today": today.isoformat(), "stale_after_days": STALE_PRICE_DAYS, "providers": providers,
            "gpus": len(cat.gpus), "workloads": len(cat.workloads), "models": len(cat.models), "other_files": other}
