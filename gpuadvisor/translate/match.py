"""Matching: one source option -> the best target offering and count, classified by the loss rule,
with notes saying what changes; CPU machine types by vCPUs and RAM; pools that widen availability."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuadvisor.apps.write.syntax import Option
from gpuadvisor.catalog import Catalog
from gpuadvisor.errors import NoMatch
from gpuadvisor.models import Gpu, Offering, Provider
from gpuadvisor.pricing import worker_quote
from gpuadvisor.translate.loss import classify, differences, distance
from gpuadvisor.translate.spec import SourceOption, count_caveat, gpu_names


@dataclass(frozen=True)
class TargetOption:
    offering: Offering
    count: int
    match: str
    notes: tuple[str, ...] = ()
    suffix: str = ""  # kept from the source on a same-provider rewrite (Modal's `!`, `+`)
    vcpus: float | None = None  # a sized CPU target (Modal): what it is written with
    ram_gb: float | None = None
    alternatives: tuple[tuple[Offering, int, str], ...] = ()  # (offering, count, why): other targets to print

    @property
    def option(self) -> Option:
        return Option(self.offering, self.count, self.suffix, self.vcpus, self.ram_gb)

    def to_json(self) -> dict:
        o = self.offering
        return {"name": o.name + self.suffix, "gpu": o.hw.id if o.hw else None, "count": self.count, "match": self.match,
                "notes": list(self.notes), "kind": o.kind, "members": o.members, "vram_gb": o.vram_gb,
                "total_vram_gb": o.vram_gb * self.count, "restricted": o.restricted or None}


def target_candidates(cat: Catalog, target: Provider, cpu: bool) -> list[Offering]:
    """Target offerings a translation may pick: GPU types and pools (not ANY, not legacy)."""
    out = []
    for o in cat.offerings_of(target.id):
        if o.legacy or (o.kind == "pool" and not o.recommend):
            continue
        if (o.kind == "cpu") == cpu:
            out.append(o)
    return out


def nearest_skus(offerings: list[Offering], n: int) -> list[Offering]:
    """Of fixed-count SKUs of one GPU (gpu-l40s, gpu-2x-l40s, …), only the one to weigh for n GPUs: the
    fewest GPUs at or above n, else the most there are. Other offerings pass through."""
    ladders: dict[tuple, list[Offering]] = {}
    for o in offerings:
        if o.fixed_count and o.hw is not None:
            ladders.setdefault((o.hw.id, o.kind), []).append(o)
    keep = set()
    for skus in ladders.values():
        above = [o for o in skus if o.fixed_count is not None and o.fixed_count >= n]  # all are: see above
        pick = min(above, key=lambda o: (o.fixed_count, o.price_per_hour or math.inf)) if above else \
            max(skus, key=lambda o: (o.fixed_count, -(o.price_per_hour or math.inf)))
        keep.add(id(pick))
    return [o for o in offerings if not o.fixed_count or id(o) in keep]


def _count_for(dst: Offering, src_total: float, n: int) -> int:
    """Keep the source count when allowed; otherwise the fewest GPUs reaching the source's total VRAM.
    A fixed-count SKU has its own count."""
    if dst.fixed_count:
        return dst.fixed_count
    if n <= dst.max_count:
        return n
    return min(dst.gpus_for(src_total), dst.max_count)


PRICE_CAP = 1.5  # never write a card costing more than this × the cheapest same-class target (issue 21)
CLASS_SPAN = 1.6  # a same-class target has the source's memory per GPU, and at most this × it


@dataclass(frozen=True, eq=False)
class _Candidate:
    off: Offering
    count: int
    hw: Gpu  # the part compared: the catalog's assumed GPU, or the one of `may_be` closest to the source
    losses: tuple[str, ...]
    distance: float
    per_hour: float | None  # the whole worker's $/h, as `change` prices it (None: unpriced)


def _candidate(cat: Catalog, src: Gpu, n: int, off: Offering) -> _Candidate:
    m = _count_for(off, src.vram_gb * n, n)
    parts = [off.gpu_hw, *(cat.gpus[g] for g in off.may_be if g in cat.gpus)]
    scored = []
    for hw in parts:
        losses = differences(src, n, hw, m)[0]
        scored.append((distance(src, n, hw, m, losses), hw, losses))
    d, hw, losses = min(scored, key=lambda t: t[0])
    if off.kind == "pool":
        d += 0.05  # a typed GPU is preferred to a pool at equal distance
    q = worker_quote(cat, off, m)
    return _Candidate(off, m, hw, tuple(losses), d, None if q is None else q.per_hour * m)


def _same_class(src: Gpu, n: int, c: _Candidate) -> bool:
    """Carries what the source promised at its count: the same kind of memory (HBM or GDDR), as much per
    GPU (not a bigger class), NVLink, video encoders and FP8 where the source has them. Speed may drop
    (said as a loss)."""
    hw = c.hw
    if hw.memory_type.startswith("HBM") != src.memory_type.startswith("HBM"):
        return False  # a datacenter HBM part and a GDDR card are different classes, whatever their size
    if n > 1 and src.nvlink_gb_s and src.nvlink_group >= n and not (hw.nvlink_gb_s and hw.nvlink_group >= n):
        return False  # GPUs that talk over NVLink are not carried by PCIe-only cards
    return (c.count == n and c.per_hour is not None and src.vram_gb <= hw.vram_gb <= src.vram_gb * CLASS_SPAN
            and not (src.nvenc and not hw.nvenc) and not (src.fp8_tflops and not hw.fp8_tflops))


def _choose(src: Gpu, n: int, cands: list[_Candidate]) -> tuple[_Candidate, list[tuple[_Candidate, str]]]:
    """The nearest target by the loss rule, unless it costs more than PRICE_CAP × the cheapest target
    of the source's class: then the nearest of those priced within the cap. Returns the pick and the
    alternatives to print (the nearer, dearer card; a cheaper same-class card under an upgrade)."""
    nearest = min(cands, key=lambda c: (c.distance, c.off.name))
    same = [c for c in cands if _same_class(src, n, c)]
    if not same or nearest.hw.id == src.id:
        return nearest, []
    floor = min(c.per_hour for c in same if c.per_hour is not None)  # _same_class: all priced
    pick, alts = nearest, []
    if nearest.per_hour is not None and nearest.per_hour > PRICE_CAP * floor:
        allowed = [c for c in cands if c.per_hour is not None and c.per_hour <= PRICE_CAP * floor
                   and (c in same or not c.losses)]
        pick = min(allowed, key=lambda c: (c.distance, c.off.name))
        assert pick.per_hour is not None, "allowed candidates are priced"
        alts.append((nearest, f"nearer to the source but {nearest.per_hour / pick.per_hour:.1f}× the price: "
                              f"{_named(nearest)} at ${nearest.per_hour:,.2f}/h against ${pick.per_hour:,.2f}/h"))
    cheapest = min(same, key=lambda c: (c.per_hour, c.distance))
    assert cheapest.per_hour is not None, "_same_class: all priced"
    if not pick.losses and pick not in same and pick.per_hour is not None \
            and cheapest.per_hour < pick.per_hour * 0.9:
        lost = "; ".join(cheapest.losses) or "nothing lost"
        alts.append((cheapest, f"a cheaper card of the same class: {_named(cheapest)} at ${cheapest.per_hour:,.2f}/h "
                               f"against ${pick.per_hour:,.2f}/h ({lost})"))
    return pick, alts


def _named(c: _Candidate) -> str:
    return f"{c.off.name}" + (f" ×{c.count}" if c.count > 1 and not c.off.fixed_count else "") + f" ({c.off.gpu_hw.id})"


def match_option(cat: Catalog, target: Provider, so: SourceOption) -> TargetOption:
    if so.offering.provider == target.id:  # a rewrite in the same provider keeps the name, count and suffix
        return TargetOption(so.offering, so.count, "exact", (), so.suffix)
    if so.offering.kind == "cpu":
        return _match_cpu(cat, target, so)
    src, n = so.offering.gpu_hw, so.count  # not a CPU offering: returned above
    cands = [_candidate(cat, src, n, off) for off in nearest_skus(target_candidates(cat, target, cpu=False), n)]
    if not cands:
        raise NoMatch(f"{target.name} lists no GPU types in the catalogs")
    best, alts = _choose(src, n, cands)
    if best.off.restricted:
        open_ = [c for c in cands if not c.off.restricted]
        if open_:
            c = min(open_, key=lambda c: (c.distance, c.off.name))
            alts.append((c, f"self-serve: {_named(c)}" + (f" at ${c.per_hour:,.2f}/h" if c.per_hour is not None else "")
                            + (f" ({'; '.join(c.losses)})" if c.losses else "")))
    off, m, part = best.off, best.count, best.hw
    off, pool_note = _prefer_pool(cat, target, off, src, n, m)
    if off is not best.off:
        part = off.gpu_hw
    losses, gains, minor = differences(src, n, part, m)
    match = classify(src, n, part, m, losses, gains)
    notes = [*losses, *gains, *minor]
    if part is not off.gpu_hw:  # compared as one of the parts the name may be: what the assumed part would lose
        kept = {loss.split(" ")[0] for loss in losses}
        assumed = [loss for loss in differences(src, n, off.gpu_hw, m)[0] if loss.split(" ")[0] not in kept]
        if match == "exact":
            match = "equivalent"
        notes.insert(0, f"{target.name} does not say whether {off.name} is the {part.id} or the {off.gpu_hw.id}: "
                        f"matched as the {part.id}" + (f"; gpuadvisor's figures assume the {off.gpu_hw.id} ("
                                                        + "; ".join(assumed) + ")" if assumed else ""))
    if off.restricted:
        notes.insert(0, f"restricted: {off.restricted}")
    if pool_note:
        notes.append(pool_note)
    if match == "equivalent" and part is off.gpu_hw:
        notes.insert(0, f"same {src.vram_gb:g} GB {src.arch} class: {src.id} → {off.gpu_hw.id}")
    if off.kind == "pool":
        notes.append(f"{off.name} is a pool: may give any of {', '.join(g.id for g in off.gpus)} (matched by its weakest, {off.gpu_hw.id})")
    if off.may_upgrade_to:
        notes.append(f"{target.name} may run {off.name} on {gpu_names(cat, off.may_upgrade_to)} at no extra cost")
    if off.unverified(m):
        notes.append(count_caveat(target, off, m))
    notes.extend(_promises(cat, target, so, off))
    if so.suffix and not dict(off.suffixes):
        notes.append(f"{so.offering.name}{so.suffix} ({dict(so.offering.suffixes).get(so.suffix, '')}): "
                     f"{target.name} has no such suffix; {off.name} is what it gives")
    return TargetOption(off, m, match, tuple(notes), alternatives=tuple((c.off, c.count, why) for c, why in alts))


def _promises(cat: Catalog, target: Provider, so: SourceOption, off: Offering) -> list[str]:
    """What a wide pool (RunPod's ANY, Modal's legacy `any`) promises on one side and not the other."""
    notes = []
    src = so.offering
    if src.kind == "pool" and len(src.gpus) > 3:
        notes.append(f"{target.name} cannot promise the same set of {len(src.gpus)} GPUs as {src.name}: "
                     f"{off.name} is written for its weakest member, {src.gpu_hw.id}")
    catch_all = [p for p in cat.offerings_of(target.id) if p.kind == "pool" and not p.recommend and len(p.gpus) >= 10]
    if src.kind == "pool" and len(src.gpus) > 1 and catch_all:
        top = max(catch_all[0].gpus, key=lambda g: (g.vram_gb, g.bandwidth_gb_s, g.fp16_tflops))
        notes.append(f"on {target.name}, {catch_all[0].name} would take any of its {len(catch_all[0].gpus)} GPUs, up to "
                     f"{top.id}, billed at the rate of whichever it lands on: not a cheap-GPU promise")
    return notes


def _prefer_pool(cat: Catalog, target: Provider, off: Offering, src: Gpu, n: int, m: int) -> tuple[Offering, str]:
    """For a non-exact match, a pool whose every member is at least as good widens availability.
    Returns the offering to use and, when a pool was passed over, a note saying why."""
    if off.kind != "gpu":
        return off, ""
    for pool in target_candidates(cat, target, cpu=False):
        if pool.kind != "pool" or len(pool.gpus) < 2 or off.hw not in pool.gpus or m > pool.max_count:
            continue
        lost = {g.id: differences(src, n, g, m)[0] for g in pool.gpus}
        if off.hw.id != src.id and not any(lost.values()):
            return pool, ""
        worse = [f"{gid} ({'; '.join(ls)})" for gid, ls in lost.items() if ls]
        if worse:
            return off, f"pool {pool.name} would widen availability but may give " + ", ".join(worse)
    return off, ""


def _match_cpu(cat: Catalog, target: Provider, so: SourceOption) -> TargetOption:
    """A CPU machine type: the smallest of the target's that has the RAM and vCPUs asked for (else
    the largest, a downgrade), or the same figures on a provider that sizes CPU itself."""
    cpus = target_candidates(cat, target, cpu=True)
    if not cpus:
        raise NoMatch(f"{so.offering.name} is a CPU-only machine type and {target.name} lists no CPU machine types "
                      "in the catalogs")
    want_cpu, want_ram = so.cpu_size
    sized = next((o for o in cpus if o.sized), None)
    if sized is not None:
        cores = max(0.125, want_cpu / 2)
        note = (f"{target.name} sizes CPU per function: {want_cpu:g} vCPU{'s' if want_cpu != 1 else ''} = cpu={cores:g} "
                f"physical core{'s' if cores != 1 else ''} (two hardware threads each), {want_ram:g} GB = "
                f"memory={int(round(want_ram * 1024))} MiB")
        return TargetOption(sized, 1, "exact", (note,), vcpus=want_cpu, ram_gb=want_ram)

    def key(o: Offering):
        short = (o.ram_gb or 0) < want_ram or (o.vcpus or 0) < want_cpu
        size = (o.ram_gb or 0) + (o.vcpus or 0)
        return (short, -size if short else size, o.name)

    off = min(cpus, key=key)
    notes = []
    if (off.ram_gb or 0) < want_ram:
        notes.append(f"RAM {want_ram:g} → {off.ram_gb:g} GB")
    if (off.vcpus or 0) < want_cpu:
        notes.append(f"vCPUs {want_cpu:g} → {off.vcpus:g}")
    if not notes:
        if (off.ram_gb or 0) > want_ram:
            notes.append(f"RAM {want_ram:g} → {off.ram_gb:g} GB")
        if (off.vcpus or 0) > want_cpu:
            notes.append(f"vCPUs {want_cpu:g} → {off.vcpus:g}")
    match = "exact" if ((off.vcpus or 0), (off.ram_gb or 0)) == (want_cpu, want_ram) else (
        "downgrade" if (off.ram_gb or 0) < want_ram or (off.vcpus or 0) < want_cpu else "upgrade")
    return TargetOption(off, 1, match, tuple(notes))
