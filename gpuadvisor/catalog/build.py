"""Building a Catalog from files: each file's tables validated and merged over the earlier ones.

Later files extend earlier ones: a provider id that already exists is extended (offerings with
a new name are added, an offering with an existing name replaces it, [provider] keys given
override); a GPU, workload or model id that exists is replaced. Each replaced built-in fact is
recorded (Catalog.overrides) and every value from an extra file carries that file's name.

A built-in file that fails validation is a bug and stops the program; an extra file that fails
is skipped whole, with a warning naming file, line and key. A problem found while merging an
extra file into the built-ins is always the extra file's problem: it never fails a built-in.
"""

from __future__ import annotations

import os
from pathlib import Path

from gpuadvisor.catalog.locate import builtin_dir, catalog_files, extra_dirs
from gpuadvisor.catalog.providers import RawProvider, build_provider, collect_provider
from gpuadvisor.catalog.query import Catalog, FileReport, lookup_keys
from gpuadvisor.catalog.schema import (
    ARCH_KEYS,
    DISPUTE_KEYS,
    GPU_KEYS,
    TOP_LEVEL,
    TooManyProblems,
    _File,
    _Table,
    id_tables,
)
from gpuadvisor.errors import CatalogError, CatalogProblem, UsageError, did_you_mean
from gpuadvisor.models import Arch, Dispute, Gpu
from gpuadvisor.profiles import build_models, build_workloads


class Overrides:
    """Built-in facts an extra file replaced: (kind, id, field) -> the file that now gives it."""

    def __init__(self):
        self.records: dict[tuple, dict] = {}

    def replaced(self, kind: str, ident: str, fld: str | None, file: _File, before_builtin: bool, before: str) -> None:
        if file.builtin:
            return
        key = (kind, ident, fld)
        if before_builtin:
            self.records[key] = {"kind": kind, "id": ident, "field": fld, "file": file.name, "replaces": before}
        elif key in self.records:  # a second extra file replaces the first one's replacement
            self.records[key]["file"] = file.name


def _build_archs(file: _File, archs: dict[str, Arch], arch_files: dict, overrides: Overrides) -> None:
    for aid, _path, t in id_tables(file, "arch", ARCH_KEYS):
        name, order, year = t.get("name", "str"), t.get("order", "int", positive=True), t.get("year", "int", positive=True)
        lacks = t.get("lacks_dtypes", "strlist", []) or []
        if None not in (name, order, year):
            if aid in arch_files:
                overrides.replaced("arch", aid, None, file, arch_files[aid].builtin, arch_files[aid].name)
            archs[aid], arch_files[aid] = Arch(aid, name, order, year, tuple(lacks)), file


def _build_gpus(file: _File, archs: dict[str, Arch], gpus: dict[str, Gpu], overrides: Overrides) -> None:
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
        if gid in gpus:
            overrides.replaced("gpu", gid, None, file, not gpus[gid].origin, gpus[gid].file)
        gpus[gid] = Gpu(id=gid, arch=arch, sources=tuple(sources), notes=tuple(notes), aliases=tuple(aliases),
                        unconfirmed=tuple(unconfirmed), disputes=tuple(disputes),
                        arch_order=archs[arch].order, file=file.name, origin="" if file.builtin else file.name, **vals)


def _check_gpu_names(files: list[_File], gpus: dict[str, Gpu], offerings, providers) -> None:
    """A GPU id or alias from an extra file may not take a name that already means another GPU:
    another GPU's id or alias, or a built-in offering's name (a GPU alias is matched first, so
    `aliases = ["a100"]` would silently turn Modal's A100 into that GPU)."""
    taken: dict[str, tuple[str, str]] = {}  # lower name -> (gpu id, what it names)
    for g in gpus.values():
        if not g.origin:
            for k in (g.id, *g.aliases):
                taken.setdefault(k.lower(), (g.id, f"GPU {g.id}"))
    builtin_names = {f.name for f in files if f.builtin}
    for o in offerings:
        if o.file in builtin_names and o.hw is not None:
            for k in lookup_keys(o, providers[o.provider]):
                taken.setdefault(k.lower(), (o.hw.id, f"{o.provider} {o.name} ({o.hw.id})"))
    by_name = {f.name: f for f in files}
    extra = sorted((g for g in gpus.values() if g.origin), key=lambda g: files.index(by_name[g.file]))
    for g in extra:
        file = by_name[g.file]
        for where, k in [("id", g.id)] + [("aliases", a) for a in g.aliases]:
            owner = taken.get(k.lower())
            if owner is not None and owner[0] != g.id:
                file.fail(("gpu", g.id, where) if where == "aliases" else ("gpu", g.id),
                          f"{k!r} already names {owner[1]}; a GPU {'alias' if where == 'aliases' else 'id'} "
                          "must not take another GPU's name")
            else:
                taken[k.lower()] = (g.id, f"GPU {g.id} ({file.name})")


def _assemble(files: list[_File]):
    overrides = Overrides()
    archs: dict[str, Arch] = {}
    arch_files: dict[str, _File] = {}
    gpus: dict[str, Gpu] = {}
    for f in files:
        _build_archs(f, archs, arch_files, overrides)
    for f in files:
        _build_gpus(f, archs, gpus, overrides)
    raw_providers: dict[str, RawProvider] = {}
    for f in files:
        collect_provider(f, raw_providers, overrides)
    order = {f: i for i, f in enumerate(files)}
    providers, offerings = {}, []
    for rp in raw_providers.values():
        p, offs = build_provider(rp, gpus, order)
        providers[p.id] = p
        offerings.extend(offs)
    _check_gpu_names(files, gpus, offerings, providers)
    workloads = build_workloads(files, overrides)
    models = build_models(files, overrides)
    from gpuadvisor.perf.data import build_perf

    perf = build_perf(files, gpus)
    return archs, gpus, providers, offerings, workloads, models, list(overrides.records.values()), perf


def _attempt(files: list[_File]):
    """Assemble these files afresh; the result, or None when a file has too many problems to go on."""
    for f in files:
        f.problems.clear()
    try:
        return _assemble(files)
    except TooManyProblems:
        return None


def _read_all(paths, contents) -> list[_File]:
    files = []
    for origin, p in paths:
        f = _File(p, origin, (contents or {}).get((origin, p)))
        try:
            f.read()
            if not f.problems:
                for k in f.data:
                    if k not in TOP_LEVEL:
                        f.fail((k,), "unknown top-level table" + did_you_mean(k, TOP_LEVEL, n=1))
        except TooManyProblems:
            pass
        files.append(f)
    return files


def build_catalog(paths: list[tuple[str, Path]], *, strict_builtin: bool = True, contents: dict | None = None) -> Catalog:
    """Validate and merge catalog files in order. `contents` maps (origin, path) to the bytes
    already read (or the reason a file could not be), so the loader parses what it hashed."""
    files = _read_all(paths, contents)
    active = [f for f in files if not f.problems]
    while True:
        result = _attempt(active)
        failed = [f for f in active if f.problems]
        if not failed:
            break
        if any(f.builtin for f in failed) and any(not f.builtin for f in active):
            culprit = _extra_that_breaks_builtins(active)
            if culprit is not None:
                active.remove(culprit)
                continue
        builtin = [f for f in failed if f.builtin]
        if builtin and strict_builtin:
            raise CatalogError([p for f in builtin for p in f.problems])
        active = [f for f in active if not f.problems or (f.builtin and not strict_builtin)]
        if not [f for f in failed if f not in active]:
            break
    archs, gpus, providers, offerings, workloads, models, overrides, perf = result or _attempt([])
    reports, warnings = [], []
    for f in files:
        reports.append(FileReport(f.name, f.origin, list(f.problems), [k for k in f.data if k in TOP_LEVEL]))
        if f.problems:
            first = f.problems[0]
            more = f" (+{len(f.problems) - 1} more; run `gpuadvisor catalog validate {f.name}`)" if len(f.problems) > 1 else ""
            warnings.append(f"warning: skipping catalog {first}{more}")
    return Catalog(archs, gpus, providers, offerings, workloads, models, reports, warnings, overrides=overrides,
                   perf=perf)


def _extra_that_breaks_builtins(active: list[_File]) -> _File | None:
    """When a built-in file fails only together with extra files, the first extra file (in load
    order) whose addition makes it fail; that file gets the problem and is left out. None when the
    built-ins fail on their own (a bug in them)."""
    builtins = [f for f in active if f.builtin]
    _attempt(builtins)
    if any(f.problems for f in builtins):
        return None
    loaded = list(builtins)
    for extra in (f for f in active if not f.builtin):
        loaded.append(extra)
        _attempt(loaded)
        broken = [f for f in builtins if f.problems]
        if broken:
            cause = broken[0].problems[0]
            for f in loaded:
                f.problems.clear()
            extra.problems.append(CatalogProblem(extra.name, None, "", f"conflicts with the built-in catalogs: {cause}"))
            return extra
    return None


def validate_paths(paths: list[Path]) -> list[FileReport]:
    """`catalog validate`: check files as the loader merges them, in their place among the
    built-ins and the extra catalogs in use (a file that is not in a catalog directory comes last),
    so validate reports every problem the file would cause when loaded."""
    targets: list[tuple[str, Path]] = []
    for p in paths:
        if p.is_dir():
            targets.extend(catalog_files([("check", p)]))
        elif os.path.lexists(p):
            targets.append(("check", p))
        else:
            from gpuadvisor.fsread import display_path

            raise UsageError(f"no such file or directory: {display_path(p)}")
    if not targets:
        raise UsageError("no .toml files to validate")
    context = catalog_files([("builtin", builtin_dir())] + extra_dirs())
    where = {os.path.realpath(p): i for i, (_, p) in enumerate(context)}
    reports: list[FileReport] = []
    full = None  # the context is built once, however many of its files are named
    for origin, path in targets:
        i = where.get(os.path.realpath(path))
        if i is not None:
            if full is None:
                full = build_catalog(context, strict_builtin=False).files
            reports.append(full[i])
        else:
            reports.append(build_catalog(context + [(origin, path)], strict_builtin=False).files[-1])
    return reports
