"""Building a Catalog from files: each file's tables validated and merged over the earlier ones.

Later files extend earlier ones: a provider id that already exists is extended (offerings with
a new name are added, an offering with an existing name replaces it, [provider] keys given
override); a GPU, workload or model id that exists is replaced. A built-in file that fails
validation is a bug and stops the program; an extra file that fails is skipped whole, with a
warning naming file, line and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpuadvisor.catalog.locate import builtin_dir, catalog_files
from gpuadvisor.catalog.query import Catalog, FileReport, lookup_keys
from gpuadvisor.catalog.schema import (
    ARCH_KEYS,
    CLAIMABLE,
    DEFAULT_SYNTAX,
    DISPUTE_KEYS,
    GPU_KEYS,
    KINDS,
    OFFERING_KEYS,
    PRICE_KEYS,
    PROVIDER_KEYS,
    SYNTAX_KEYS,
    TOP_LEVEL,
    _File,
    _Table,
    _typename,
    _valid_id,
    id_tables,
)
from gpuadvisor.errors import CatalogError, UsageError, did_you_mean
from gpuadvisor.models import Arch, Dispute, Gpu, Offering, Price, Provider, Syntax
from gpuadvisor.profiles import build_models, build_workloads


def _build_archs(file: _File, archs: dict[str, Arch]) -> None:
    for aid, _path, t in id_tables(file, "arch", ARCH_KEYS):
        name, order, year = t.get("name", "str"), t.get("order", "int", positive=True), t.get("year", "int", positive=True)
        if None not in (name, order, year):
            archs[aid] = Arch(aid, name, order, year)


def _build_gpus(file: _File, archs: dict[str, Arch], gpus: dict[str, Gpu]) -> None:
    for gid, path, t in id_tables(file, "gpu", GPU_KEYS):
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
            usable_gib=t.get("usable_gib", "num", None, positive=True),
            usable_note=t.get("usable_note", "str", ""),
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
            if f not in GPU_KEYS:
                file.fail(path + ("unconfirmed",), f"{f!r} is not a GPU field")
        disputes = []
        raw_disputes = t.get("disputes", "list", [])
        for i, rd in enumerate(raw_disputes or []):
            dt = _Table(file, path + ("disputes", i), rd, DISPUTE_KEYS)
            if not dt.ok:
                continue
            fld = dt.get("field", "str")
            if fld is not None and fld not in GPU_KEYS:
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
    t = _Table(file, ("provider",), head, PROVIDER_KEYS)
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
    t = _Table(file, ("provider", "syntax"), raw, SYNTAX_KEYS)
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
    t = _Table(file, ("provider",), rp.fields, PROVIDER_KEYS)
    name = t.get("name", "str", rp.id)
    max_count = t.get("max_count", "int", 8, positive=True)
    syntax = _build_syntax(rp)
    provider = Provider(
        id=rp.id, name=name or rp.id, docs_url=t.get("docs_url", "str", None), as_of=t.get("as_of", "str", None),
        max_count=max_count, count_note=t.get("count_note", "str", ""),
        notes=tuple(t.get("notes", "strlist", []) or ()), syntax=syntax or Syntax(**{**DEFAULT_SYNTAX, "code": {k: '"{name}"' for k in KINDS}}),
        files=tuple(f.name for f in rp.files), list_note=t.get("list_note", "str", ""),
        verified_count=t.get("verified_count", "int", None, positive=True),
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
    t = _Table(file, path, raw, OFFERING_KEYS)
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
    verified = t.get("verified_count", "int", provider.verified_count, positive=True)
    legacy_aliases = t.get("legacy_aliases", "strlist", []) or []
    ambiguous_aliases = t.get("ambiguous_aliases", "strlist", []) or []
    for key, names in (("legacy_aliases", legacy_aliases), ("ambiguous_aliases", ambiguous_aliases)):
        for a in names:
            if a not in (aliases or []):
                file.fail(path + (key,), f"{a!r} is not one of this offering's aliases")
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
        if k not in CLAIMABLE:
            file.fail(path + ("claimed", k), f"claimed values are for {', '.join(CLAIMABLE)}")
    price = _price(file, t, path, "price", "list")
    price_low = _price(file, t, path, "price_low", "as low as")
    if price_low is not None and price is not None and price_low.per_hour > price.per_hour:
        file.fail(path + ("price_low", "per_hour"), f"is above the on-demand price ({price.per_hour:g}); "
                  "price_low is a discounted or committed figure")
    if len(file.problems) > before or name is None:
        return None
    hw = _weakest(members) if members else None
    return Offering(
        provider=provider.id, name=name, kind=kind, gpus=tuple(members), max_count=max_count,
        aliases=tuple(aliases), ram_gb=ram_gb, vcpus=vcpus, price=price, price_low=price_low, notes=tuple(notes),
        claimed=tuple((claimed or {}).items()), legacy=legacy, recommend=recommend,
        may_upgrade_to=tuple(upgrades), suffixes=tuple((suffixes or {}).items()),
        file=file.name, hw=hw, verified_count=verified, legacy_aliases=tuple(legacy_aliases),
        ambiguous_aliases=tuple(ambiguous_aliases),
    )


def _price(file: _File, t: _Table, path: tuple, key: str, default_basis: str) -> Price | None:
    """A dated price table (`price` on-demand, `price_low` a discount or commitment)."""
    pt = t.table(key, PRICE_KEYS)
    if pt is None or not pt.ok:
        return None
    vals = (pt.get("per_hour", "num", positive=True), pt.get("as_of", "str"), pt.get("source", "str"))
    if None in vals:
        return None
    as_of = vals[1]
    if not _is_date(as_of):
        file.fail(path + (key, "as_of"), f"must be a date YYYY-MM-DD, not {as_of!r}")
    return Price(per_hour=vals[0], as_of=as_of, source=vals[2], basis=pt.get("basis", "str", default_basis),
                 per_second=pt.get("per_second", "num", None, positive=True), note=pt.get("note", "str", ""))


def _weakest(gpus: list[Gpu]) -> Gpu:
    """What a pool guarantees: its member with the least VRAM, then bandwidth, then compute."""
    return min(gpus, key=lambda g: (g.vram_gb, g.bandwidth_gb_s, g.fp16_tflops))


def _is_date(s: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", s))


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
    archs, gpus, providers, offerings, workloads, models, perf = result
    reports, warnings = [], []
    for f in files:
        reports.append(FileReport(f.name, f.origin, list(f.problems), [k for k in f.data if k in TOP_LEVEL]))
        if f.problems:
            first = f.problems[0]
            more = f" (+{len(f.problems) - 1} more; run `gpuadvisor catalog validate {f.name}`)" if len(f.problems) > 1 else ""
            warnings.append(f"warning: skipping catalog {first}{more}")
    return Catalog(archs, gpus, providers, offerings, workloads, models, reports, warnings, perf=perf)


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
    workloads = build_workloads(files)
    models = build_models(files)
    from gpuadvisor.perfdata import build_perf

    perf = build_perf(files, gpus)
    return archs, gpus, providers, offerings, workloads, models, perf


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

