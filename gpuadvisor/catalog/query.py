"""The loaded Catalog and the queries on it: offerings by provider or GPU, any spelling of a name
resolved to a GPU, workload/model lookup, and per-provider price freshness."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gpuadvisor.errors import CatalogProblem, UnknownName, UsageError
from gpuadvisor.models import Arch, Gpu, Offering, Provider


def lookup_keys(off: Offering, provider: Provider) -> list[str]:
    """Every spelling that names this offering: name, aliases and its written code form."""
    keys = [off.name, *off.aliases]
    code = provider.syntax.code.get(off.kind, '"{name}"').format(name=off.name).strip("\"'")
    if code != off.name:
        keys.append(code)
    return keys


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
    # built-in facts replaced by an extra file: {"kind", "id", "field", "file", "replaces"}
    overrides: list[dict] = field(default_factory=list)
    _index: dict | None = None
    perf: Any = None  # gpuadvisor.perf.Perf: the performance model's constants ([perf] tables)

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
        if len({o.hw.id for o in offs}) > 1:  # spellings differ by case across providers (GPU-H100, gpu-h100)
            exact = [o for o in offs if name.strip() in lookup_keys(o, self.providers[o.provider])]
            if exact and len({o.hw.id for o in exact}) == 1:
                offs = exact
        if offs:
            distinct = {o.hw.id for o in offs}
            builtin = [o for o in offs if not dict(o.origin).get("offering")]
            if len(distinct) > 1 and builtin and len({o.hw.id for o in builtin}) == 1:
                offs, distinct = builtin, {builtin[0].hw.id}  # an extra provider's name never hides a built-in one
            if len(distinct) > 1:
                where = ", ".join(f"{o.provider} {o.name} = {o.hw.id}" for o in offs)
                raise UsageError(f"{name!r} is ambiguous ({where}); use a canonical id")
            return offs[0].hw, offs[0]
        if any(k == "offering" for k, _ in hits):
            raise UsageError(f"{name!r} is a CPU machine type, not a GPU")
        raise UnknownName("GPU", name, self._one_name_per_gpu(name), hint="run `gpuadvisor list` to see every name")

    def _one_name_per_gpu(self, name: str) -> list[str]:
        """The closest names to a misspelt one, one per GPU: `h1000` suggests H100 once, not as H100,
        h100-sxm and "H100 SXM"."""
        from gpuadvisor.errors import suggest

        index, seen, out = self._name_index(), set[str](), []
        for hit in suggest(name, self.all_names(), n=12):
            targets = {h.id if k == "gpu" else h.hw.id if h.hw else h.name for k, h in index.get(hit.lower(), [])}
            if targets and not targets & seen:
                seen |= targets
                out.append(hit)
        return out


def override_notes(cat: Catalog, offerings=(), workload=None, model=None) -> list[str]:
    """What a result rests on that an extra catalog changed, one "X comes from FILE" per replaced
    built-in fact: the offerings, their GPUs and architectures, their providers' [provider] keys,
    the workload profile and the model."""
    by_id: dict[tuple, list[dict]] = {}
    for r in cat.overrides:
        by_id.setdefault((r["kind"], r["id"]), []).append(r)
    wanted: list[tuple[str, str, str]] = []
    for o in offerings:
        wanted.append(("offering", f"{o.provider} {o.name}", f"{o.provider} {o.name}"))
        for g in o.gpus:
            wanted += [("gpu", g.id, f"GPU {g.id}"), ("arch", g.arch, f"architecture {g.arch}")]
        wanted.append(("provider", o.provider, o.provider))
    if workload is not None:
        wanted.append(("workload", workload.id, f"workload {workload.id}"))
    if model is not None:
        wanted.append(("model", model.id, f"model {model.id}"))
    notes: dict[str, None] = {}
    for kind, ident, label in wanted:
        for r in by_id.get((kind, ident), ()):
            notes[f"{label}{' ' + r['field'] if r['field'] else ''} comes from {r['file']}"] = None
    return list(notes)


STALE_PRICE_DAYS = 120  # freshness.DEFAULT_MAX_AGE: the same limit as the line under answers


def catalog_info(cat: Catalog, today, stale_after: int = STALE_PRICE_DAYS) -> dict:
    """Per provider: where its catalog comes from, its as-of date, and how old its prices are
    (`today` a datetime.date). Prices older than STALE_PRICE_DAYS are counted as stale."""
    from datetime import date

    providers = []
    for p in cat.providers.values():
        offs = cat.offerings_of(p.id)
        dated = [(o, price.as_of) for o in offs if (price := o.price or o.price_low) is not None]
        priced = [o for o, _ in dated]
        ages = [(today - date.fromisoformat(as_of)).days for _, as_of in dated]
        stale = [o for o, age in zip(priced, ages, strict=True) if age > stale_after]
        providers.append({
            "id": p.id, "name": p.name, "files": list(p.files), "docs_url": p.docs_url, "as_of": p.as_of,
            "offerings": len(offs), "priced": len(priced),
            "oldest_price": min((as_of for _, as_of in dated), default=None),
            "newest_price": max((as_of for _, as_of in dated), default=None),
            "stale_prices": len(stale), "stale": [o.name for o in stale],
        })
    other = [{"path": r.path, "origin": r.origin, "sections": r.sections, "ok": not r.problems}
             for r in cat.files if "provider" not in r.sections]
    return {"today": today.isoformat(), "stale_after_days": stale_after, "providers": providers,
            "gpus": len(cat.gpus), "workloads": len(cat.workloads), "models": len(cat.models), "other_files": other}


def in_region(cat: Catalog, region: str) -> Catalog:
    """The catalog seen from one region (--region): only offerings known to run there (imported clouds
    list their regions; offerings without region data are left out), each priced at that region's
    rates where they differ. UnknownName when no offering lists the region."""
    import dataclasses

    key = region.strip().lower()
    known = sorted({r for o in cat.offerings for r in o.regions})
    if key not in {r.lower() for r in known}:
        raise UnknownName("region", region, known, hint="only imported catalogs list regions "
                          "(gpuadvisor catalog import); see `gpuadvisor list --json` for each offering's regions")
    out = []
    for o in cat.offerings:
        match = next((r for r in o.regions if r.lower() == key), None)
        if match is None:
            continue
        price, low = o.price, o.price_low
        here = dict(o.region_prices).get(match)
        if here is not None and price is not None:
            price = dataclasses.replace(price, per_hour=here, per_second=None, note=f"in {match}")
        spot = dict(o.region_spot).get(match)
        if spot is not None and low is not None:
            low = dataclasses.replace(low, per_hour=spot, per_second=None, note=f"spot in {match}")
        out.append(dataclasses.replace(o, price=price, price_low=low, regions=(match,)))
    return dataclasses.replace(cat, offerings=out, _index=None)
