"""Recommendation engine: rank what to rent for a job by work done per dollar.

Pure functions: a Requirement and a Catalog in, ranked Candidates out. No printing, no CLI.

1. Candidates: every GPU type (and every multi-member pool) of the allowed providers at the
   smallest count whose *usable* memory (what nvidia-smi reports) reaches the need, within the
   provider's and the user's limits. Multi-GPU counts round up to 2, 4, 8 where the profile says
   so; single-GPU profiles (diffusion, encoders, transcoding) never split a job.
2. Each candidate gets a throughput in the workload's unit (gpuadvisor.perf) and a price on one
   basis (gpuadvisor.pricing: on-demand list prices, estimated where unknown).
3. Objectives: `value` (default) ranks by cost per unit of useful work among options that are not
   too slow (the profile's floor, or --min-throughput); work beyond what one stream can use (the
   profile's ceiling) is not credited. `cost` ranks by $/h; `speed` by throughput.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from gpuadvisor.apps.write.syntax import Option, write_config
from gpuadvisor.catalog import Catalog, find_record
from gpuadvisor.errors import NoMatch, UsageError
from gpuadvisor.models import Gpu, Offering, Provider
from gpuadvisor.perf import Job, Throughput, link, throughput
from gpuadvisor.perf import job as perf_job
from gpuadvisor.pricing import BASES, Quote, worker_quote
from gpuadvisor.profiles import Workload
from gpuadvisor.readable import readable
from gpuadvisor.sharding import fit_count, shard_overhead

if TYPE_CHECKING:
    from gpuadvisor.shortlist import LazyCandidates

OBJECTIVES = ("value", "cost", "speed")
LABELS = {"value": "best value", "cost": "cheapest", "speed": "fastest"}
CRAMPED = 0.05  # under this fraction of the need spare per GPU, a pick never wins a value tie


@dataclass(frozen=True, eq=False)
class Requirement:
    """What the user needs. vram_gb: GiB the job needs in total (weights + cache + overhead)."""

    vram_gb: float
    workload: Workload
    providers: tuple[str, ...] = ()
    max_gpus: int | None = None
    min_nvenc: int = 0
    budget_per_hour: float | None = None  # USD per hour for the whole configuration
    optimize: str = "value"
    min_throughput: float | None = None  # in the workload's unit (llm: tokens/s for the whole batch)
    price_basis: str = "list"
    job: Job | None = None  # from a model estimate; None: sized from vram_gb alone
    codec: str | None = None  # transcode: overrides the profile's codec


@dataclass(frozen=True, eq=False)
class Candidate:
    """A configuration that fits, with its throughput and price. Reasons and config are written on
    first use: a ranking scores every candidate but shows only the top few."""

    offering: Offering
    count: int
    provider: Provider
    need_gb: float
    workload: Workload
    throughput: Throughput
    quote: Quote | None
    credited: float  # throughput counted for value (capped at the profile's ceiling)
    below_floor: bool
    score: float = 0.0
    labels: tuple[str, ...] = ()  # "best value", "cheapest", "fastest"
    job: Job | None = None

    @property
    def hw(self) -> Gpu:
        return self.offering.gpu_hw  # candidates are recommendable: GPU types and pools

    @property
    def total_vram_gb(self) -> float:
        return self.offering.vram_gb * self.count

    @property
    def total_usable_gib(self) -> float:
        return self.offering.usable_gib * self.count

    @cached_property
    def per_gpu(self) -> tuple[float, tuple[tuple[str, float], ...]]:
        """(GiB each GPU holds, what sharding adds on each): the need ÷ count plus shard_overhead."""
        extra = shard_overhead(self.job, self.count)
        return self.need_gb / self.count + sum(v for _, v in extra), extra

    @property
    def spare_per_gpu(self) -> float:
        return self.offering.usable_gib - self.per_gpu[0]

    @property
    def tight(self) -> bool:
        """Less spare memory per GPU than the profile's headroom: it fits on paper, with little room
        for the runtime (vLLM, for one, leaves 10% of the GPU free by default). Multi-GPU picks get the
        same test per GPU, sharding buffers included."""
        return self.spare_per_gpu < self.per_gpu[0] * self.workload.headroom

    @property
    def cramped(self) -> bool:
        """Under CRAMPED spare per GPU: never the best value when a pick with room ties with it."""
        return self.spare_per_gpu < self.per_gpu[0] * CRAMPED

    @property
    def price_per_hour(self) -> float | None:
        """The GPU's own price per hour (per GPU); the total adds any CPU and RAM billed apart."""
        return None if self.quote is None else self.quote.per_hour - self.quote.host_per_hour / self.count

    @property
    def total_price_per_hour(self) -> float | None:
        return None if self.quote is None else self.quote.per_hour * self.count

    @property
    def cost_per_unit(self) -> float | None:
        return self.throughput.cost_per_unit(self.total_price_per_hour)

    @cached_property  # a sort key: computed once per candidate, not per comparison
    def value_cost(self) -> float | None:
        """The one $/unit figure value ranks on and shows: the price over the throughput the job
        uses (throughput beyond the ceiling, what the job's streams can use, is not credited)."""
        scale = self.credited / self.throughput.value if self.throughput.value else 0.0
        return self.throughput.cost_per_unit(self.total_price_per_hour, self.throughput.per_hour * scale)

    @cached_property
    def reasons(self) -> tuple[str, ...]:
        return tuple(reasons_for(self))

    @cached_property
    def config(self) -> str:
        return write_config(self.provider, [Option(self.offering, self.count)])

    def with_rank_facts(self, score: float, labels: tuple[str, ...]) -> Candidate:
        return Candidate(self.offering, self.count, self.provider, self.need_gb, self.workload, self.throughput,
                         self.quote, self.credited, self.below_floor, score, labels, self.job)

    def to_json(self, rank: int) -> dict:
        o, q, thr = self.offering, self.quote, self.throughput
        cpu = self.cost_per_unit
        return {
            "rank": rank, "provider": o.provider, "name": o.name, "kind": o.kind, "gpu": self.hw.id,
            "members": o.members, "count": self.count, "vram_gb": o.vram_gb, "total_vram_gb": self.total_vram_gb,
            "usable_gib": o.usable_gib, "total_usable_gib": round(self.total_usable_gib, 2),
            "per_gpu_need_gib": round(self.per_gpu[0], 2), "spare_per_gpu_gib": round(self.spare_per_gpu, 2),
            "sharding_gib": {k: round(v, 3) for k, v in self.per_gpu[1]}, "tight": self.tight,
            "score": round(self.score, 3), "reasons": list(self.reasons), "config": self.config,
            # the two are None exactly when q is
            "price_per_hour": None if (gpu_hour := self.price_per_hour) is None else round(gpu_hour, 4),
            "total_price_per_hour": None if (total_hour := self.total_price_per_hour) is None else round(total_hour, 4),
            "host_price_per_hour": None if q is None else round(q.host_per_hour, 4),
            "price_basis": None if q is None else q.basis, "price_estimated": bool(q and q.estimated),
            "price": None if q is None else q.to_json(),
            "throughput": thr.to_json(),
            "cost_per_unit": None if cpu is None else {"value": round(cpu, 6), "unit": thr.cost_unit},
            "value_cost": None if self.value_cost is None else {"value": round(self.value_cost, 6), "unit": thr.cost_unit},
            "below_floor": self.below_floor, "labels": list(self.labels),
            "performance": thr.explain(),
        }


@dataclass
class Ranking:
    requirement: Requirement
    candidates: Sequence[Candidate]  # a list, or shortlist.LazyCandidates (built as read)
    excluded: dict[str, int] = field(default_factory=dict)
    floor: float | None = None  # in the workload's unit
    ceiling: float | None = None
    job: Job | None = None
    tolerance: float = 0.0  # value: costs per unit within this fraction of the lowest tie (lower $/h first)

    def best(self) -> dict[str, int | None]:
        """1-based rank, in this ranking's order, of the best value, cheapest and fastest option."""
        if not self.candidates:
            return {"value": None, "cost": None, "speed": None}
        return {objective: next((i for i, c in enumerate(self.candidates, 1) if LABELS[objective] in c.labels), None)
                for objective in OBJECTIVES}

    def lowest_value_cost(self) -> tuple[int, Candidate] | None:
        """(1-based rank, candidate) of the lowest $/unit among options not below the floor; the first on a tie."""
        counted = [(i, c) for i, c in enumerate(self.candidates, 1) if c.value_cost is not None and not c.below_floor]
        return min(counted, key=lambda ic: ic[1].value_cost) if counted else None  # type: ignore[arg-type,return-value]


class LargeRanking(Ranking):
    """A Ranking whose candidates (shortlist.LazyCandidates) are built as they are read: the labelled
    options are found among each class's first and placed by counting, not by reading the whole order."""

    candidates: LazyCandidates

    def best(self) -> dict[str, int | None]:
        heads = [self.candidates.finish(c) for c in self.candidates.heads()]
        out: dict[str, int | None] = {}
        for objective in OBJECTIVES:
            holder = next((c for c in heads if LABELS[objective] in c.labels), None)
            out[objective] = None if holder is None else self.candidates.position(holder)
        return out

    def lowest_value_cost(self) -> tuple[int, Candidate] | None:
        counted = [c for c in self.candidates.heads() if c.value_cost is not None and not c.below_floor]
        if not counted:
            return None
        low = min(vc for c in counted if (vc := c.value_cost) is not None)
        first = min(self.candidates.position(c) for c in counted if c.value_cost == low)
        return first, self.candidates[first - 1]


# ---------------------------------------------------------------------------- sizing

def gpu_limit(off: Offering, max_gpus: int | None) -> int:
    """The most GPUs of this offering allowed: the provider's limit, capped by the user's."""
    return min(off.max_count, max_gpus) if max_gpus else off.max_count


def smallest_count(off: Offering, need_gb: float, limit: int, pow2: bool = False) -> int | None:
    """The fewest GPUs of this offering whose usable memory reaches the need, or None past the limit.

    With pow2, a multi-GPU count is rounded up to 2, 4, 8, … when the limit allows (tensor
    parallelism splits a model evenly); otherwise the memory-only minimum is kept."""
    if off.usable_gib <= 0:
        return None
    count = off.gpus_for(need_gb)
    if off.fixed_count:  # a SKU of n GPUs: it fits when n is at least the count wanted (rounded as above)
        if pow2 and count > 1:
            count = 1 << (count - 1).bit_length()
        return off.fixed_count if count <= off.fixed_count <= limit else None
    if count > limit:
        return None
    if pow2 and count > 1:
        rounded = 1 << (count - 1).bit_length()
        if rounded <= limit:
            return rounded
    return count


def smallest_skus(staged: list) -> list:
    """Of a provider's fixed-count SKUs of one GPU that fit (gpu-l40s, gpu-2x-l40s, …), only the one
    with the fewest GPUs, then the cheapest: the others are the same GPU with more than the job needs.
    `staged` holds (offering, count, …) tuples; order is kept."""
    best: dict[tuple, tuple] = {}
    for item in staged:
        off, count = item[0], item[1]
        if off.fixed_count:
            key = (off.provider, off.hw.id)
            price = off.price_per_hour if off.price_per_hour is not None else math.inf
            if key not in best or (count, price) < best[key][:2]:
                best[key] = (count, price, item)
    keep = {id(v[2]) for v in best.values()}
    return [item for item in staged if not item[0].fixed_count or id(item) in keep]


def recommendable(off: Offering) -> bool:
    """GPU types, and pools with several members (they add availability); never CPU, legacy or opted-out."""
    if off.kind == "cpu" or off.legacy or not off.recommend or off.hw is None:
        return False
    return off.kind == "gpu" or len(off.gpus) > 1


# ---------------------------------------------------------------------------- the job

def job_from_vram(cat: Catalog, need: float, w: Workload, codec: str | None = None,
                  tokens: tuple[int, int] = (0, 0)) -> Job:
    """A job known only by its memory need (gpuadvisor.perf.job)."""
    return perf_job.job_from_vram(cat.perf, need, w, codec, tokens)


def job_from_estimate(cat: Catalog, est, w: Workload, tokens: tuple[int, int] = (0, 0), engine: str = "") -> Job:
    """A job from `estimate` (gpuadvisor.perf.job)."""
    return perf_job.job_from_estimate(cat.perf, est, w, tokens, engine)


def job_for(cat: Catalog, w: Workload, est, need: float, codec: str | None = None, tokens: tuple[int, int] = (0, 0),
            engine: str = "") -> Job:
    """The job to time (gpuadvisor.perf.job): the model's own figures where they fit the profile."""
    return perf_job.job_for(cat.perf, w, est, need, codec, tokens, engine)


# ---------------------------------------------------------------------------- ranking

def resolve_workload(cat: Catalog, name: str | None) -> Workload:
    """A workload by id or alias; None (not given) is `general`."""
    return find_record(cat.workloads, "general" if name is None else name, "workload",
                       hint="choose from " + ", ".join(cat.workloads))


def check_requirement(cat: Catalog, req: Requirement) -> Requirement:
    if not (req.vram_gb == req.vram_gb) or req.vram_gb <= 0 or math.isinf(req.vram_gb):
        raise UsageError(f"--vram must be a positive number of GiB, not {req.vram_gb:g}")
    if req.max_gpus is not None and req.max_gpus < 1:
        raise UsageError(f"--max-gpus must be 1 or more, not {req.max_gpus}")
    if req.min_nvenc < 0:
        raise UsageError(f"--min-nvenc must be 0 or more, not {req.min_nvenc}")
    if req.budget_per_hour is not None and not req.budget_per_hour > 0:
        raise UsageError(f"--budget must be a positive number of USD per hour, not {req.budget_per_hour:g}")
    if req.optimize not in OBJECTIVES:
        from gpuadvisor.errors import UnknownName

        raise UnknownName("objective (--optimize)", req.optimize, OBJECTIVES)
    if req.price_basis not in BASES:
        from gpuadvisor.errors import UnknownName

        raise UnknownName("price basis (--price-basis)", req.price_basis, BASES)
    if req.min_throughput is not None and not (req.min_throughput >= 0 and math.isfinite(req.min_throughput)):
        raise UsageError(f"--min-throughput must be 0 or more, not {req.min_throughput:g}")
    providers = tuple(dict.fromkeys(cat.provider(p).id for p in req.providers))
    return Requirement(req.vram_gb, req.workload, providers, req.max_gpus, req.min_nvenc, req.budget_per_hour,
                       req.optimize, req.min_throughput, req.price_basis, req.job, req.codec)


def _sort_key(objective: str, order: dict[str, int], roomy_best: float | None = None, tolerance: float = 0.0):
    """Sort key for an objective. Value: the lowest $/unit first, except that a pick with under 5% of
    its memory spare per GPU goes after a pick with room whose $/unit is within the model's tolerance
    of its own (it fits on paper; a runtime that needs a little more memory fails)."""
    def key(c: Candidate):
        price = c.total_price_per_hour
        tail = (c.count, order.get(c.offering.provider, 0), c.offering.name)
        if objective == "cost":
            return (price is None, price or 0.0, -c.throughput.value, *tail)
        if objective == "speed":
            return (-round(c.throughput.value, 9), price is None, price or 0.0, *tail)
        vc = c.value_cost
        demoted = (vc is not None and c.cramped and roomy_best is not None and not c.below_floor
                   and roomy_best <= vc * (1 + tolerance))
        rank_cost = (roomy_best if demoted else vc) or 0.0
        return (c.below_floor, vc is None, rank_cost, demoted, price or 0.0, -c.throughput.value, *tail)
    return key


def roomy_best(cands: list[Candidate]) -> float | None:
    """The lowest $/unit among picks with room (not cramped, not below the floor), or None."""
    costs = [c.value_cost for c in cands if c.value_cost is not None and not c.below_floor and not c.cramped]
    return min(costs) if costs else None


def rank(cat: Catalog, req: Requirement) -> Ranking:
    """Every fitting candidate in the objective's order. Raises NoMatch (exit 1) when nothing fits.
    A large catalog (an imported cloud) is ranked by classes of alike offerings (gpuadvisor.shortlist),
    with the same result."""
    from gpuadvisor.shortlist import LARGE_CATALOG

    return rank_large(cat, req) if len(cat.offerings) >= LARGE_CATALOG else rank_each(cat, req)


def _job(cat: Catalog, req: Requirement) -> Job:
    job = req.job or job_from_vram(cat, req.vram_gb, req.workload, req.codec)
    if req.codec and job.model == "transcode":
        job = Job(job.model, job.need_gib, codec=req.codec, assumed=job.assumed)
    return job


def _excluded() -> dict[str, int]:
    return {"too_small": 0, "min_nvenc": 0, "no_av1": 0, "no_engines": 0, "over_budget": 0, "no_price_for_budget": 0}


def _limits(cat: Catalog, req: Requirement, job: Job, thrs: list[Throughput]) -> tuple[float | None, float | None]:
    """(floor, ceiling) of the useful throughput."""
    floor, ceiling = _floor(req, job, thrs), _ceiling(cat, req.workload, job)
    if ceiling is not None and floor is not None and ceiling < floor:
        ceiling = floor  # what the job uses is at least what it asks for (--min-throughput)
    return floor, ceiling


def _candidate(cat: Catalog, req: Requirement, job: Job, off: Offering, count: int, thr: Throughput, q: Quote | None,
               floor: float | None, ceiling: float | None) -> Candidate:
    credited = min(thr.value, ceiling) if ceiling else thr.value
    return Candidate(off, count, cat.providers[off.provider], req.vram_gb, req.workload, thr, q, credited,
                     floor is not None and thr.value < floor, job=job)


def rank_each(cat: Catalog, req: Requirement) -> Ranking:
    """rank, building a candidate for every fitting offering."""
    req = check_requirement(cat, req)
    w = req.workload
    job = _job(cat, req)
    excluded = _excluded()
    pool = [o for o in cat.offerings if recommendable(o) and (not req.providers or o.provider in req.providers)]
    staged = []
    # The speed depends on the GPU and the count only: offerings of one GPU (regions, hosts, an
    # imported cloud's instance types) are timed once (issue 22 part 8: 100,000 imported offerings).
    speeds: dict[tuple[str, int], Throughput] = {}
    ref = cat.gpus.get("l4")
    for off in pool:
        hw = off.hw
        if hw is None:  # (recommendable: never)
            continue
        limit = 1 if w.single_gpu else gpu_limit(off, req.max_gpus)
        count = fit_count(off, job, req.vram_gb, limit, w.pow2_counts)
        if count is None:
            excluded["too_small"] += 1
            continue
        if hw.nvenc < max(req.min_nvenc, w.min_nvenc if job.model == "transcode" else 0):
            excluded["min_nvenc"] += 1
            continue
        if job.model == "transcode" and job.codec == "av1" and not hw.av1_encode:
            excluded["no_av1"] += 1
            continue
        thr = speeds.get((hw.id, count))
        if thr is None:
            thr = speeds[hw.id, count] = readable(throughput(cat.perf, job, hw, count, ref), count, job.batch)
        if thr.value <= 0:
            excluded["no_engines"] += 1
            continue
        q = worker_quote(cat, off, count, req.price_basis, w)
        if req.budget_per_hour is not None:
            if q is None:
                excluded["no_price_for_budget"] += 1
                continue
            if q.per_hour * count > req.budget_per_hour:
                excluded["over_budget"] += 1
                continue
        staged.append((off, count, thr, q))
    staged = smallest_skus(staged)
    if not staged:
        raise NoMatch(nothing_fits_message(cat, req, excluded, pool))
    floor, ceiling = _limits(cat, req, job, [t for _, _, t, _ in staged])
    out = [_candidate(cat, req, job, off, count, thr, q, floor, ceiling) for off, count, thr, q in staged]
    order = {p: i for i, p in enumerate(cat.providers)}
    roomy = roomy_best(out)
    out.sort(key=_sort_key(req.optimize, order, roomy, cat.perf.value_tolerance))
    facts = _scorer(out, req.optimize, roomy, cat.perf.value_tolerance)
    return Ranking(req, [facts(c) for c in out], excluded, floor, ceiling, job, cat.perf.value_tolerance)


def rank_large(cat: Catalog, req: Requirement) -> Ranking:
    """rank by classes of alike offerings (gpuadvisor.shortlist): candidates are built as they are read."""
    from gpuadvisor.shortlist import LazyCandidates, Stream, fitting_classes

    req = check_requirement(cat, req)
    job = _job(cat, req)
    excluded = _excluded()
    staged = fitting_classes(cat, req, job, excluded)
    if not staged:
        return rank_each(cat, req)  # raises NoMatch, with the message that counts what was excluded
    floor, ceiling = _limits(cat, req, job, [thr for _, _, thr in staged])
    basis = req.price_basis

    offerings = cat.offerings

    def maker(count: int, thr: Throughput):
        def make(i: int) -> Candidate:
            off = offerings[i]
            return _candidate(cat, req, job, off, count, thr, worker_quote(cat, off, count, basis, req.workload), floor, ceiling)
        return make

    streams = [Stream(members, maker(count, thr)) for members, count, thr in staged]
    heads = [s.at(0) for s in streams]
    order = {p: i for i, p in enumerate(cat.providers)}
    roomy = roomy_best(heads)
    key = _sort_key(req.optimize, order, roomy, cat.perf.value_tolerance)
    facts = _scorer(heads, req.optimize, roomy, cat.perf.value_tolerance)
    return LargeRanking(req, LazyCandidates(streams, key, facts), excluded, floor, ceiling, job,
                        cat.perf.value_tolerance)


def _floor(req: Requirement, job: Job, thrs: list[Throughput]) -> float | None:
    """The least throughput that is not too slow: --min-throughput, the profile's floor per stream,
    or a fraction of the fastest option."""
    w = req.workload
    if req.min_throughput is not None:
        return req.min_throughput
    if w.floor is not None:
        return w.floor * (job.batch if job.model == "llm" else 1)
    if w.floor_fraction is not None:
        return w.floor_fraction * max(t.value for t in thrs)
    return None


def _ceiling(cat: Catalog, w: Workload, job: Job) -> float | None:
    """The most throughput one stream can use: the profile's ceiling (llm: per sequence × batch), or
    what `ceiling_gpu` does on the same job."""
    if w.ceiling is not None:
        return w.ceiling * (job.batch if job.model == "llm" else 1)
    if w.ceiling_gpu and w.ceiling_gpu in cat.gpus:
        return throughput(cat.perf, job, cat.gpus[w.ceiling_gpu], 1).value
    return None


def _scorer(cands: list[Candidate], objective: str, roomy: float | None, tolerance: float):
    """A function giving a candidate its score (0–1 against the best option on the objective's own
    measure) and labels (the best value, the cheapest, the fastest). `cands` holds every candidate, or
    the first of each class (each objective's best is one of those)."""
    priced = [c for c in cands if c.total_price_per_hour is not None]
    cheapest = min(priced, key=_sort_key("cost", {}), default=None)
    fastest = min(cands, key=_sort_key("speed", {}))
    best_value = min(cands, key=_sort_key("value", {}, roomy, tolerance))
    top_thr = max(c.throughput.value for c in cands)
    low_price = min((p for c in priced if (p := c.total_price_per_hour) is not None), default=None)  # all are
    low_cost = min((vc for c in cands if (vc := c.value_cost) is not None), default=None)
    holders = (("best value", best_value), ("cheapest", cheapest), ("fastest", fastest))

    def facts(c: Candidate) -> Candidate:
        if objective == "speed":
            score = c.throughput.value / top_thr
        elif objective == "cost":
            total = c.total_price_per_hour
            score = (low_price / total) if total and low_price is not None else 0.0
        else:
            vc = c.value_cost
            score = (low_cost / vc) if vc and low_cost is not None else 0.0
            if c.below_floor:
                score *= 0.5
        labels = tuple(lbl for lbl, who in holders if who is not None and who.offering is c.offering)
        return c.with_rank_facts(score, labels)

    return facts


def nothing_fits_message(cat: Catalog, req: Requirement, excluded: dict[str, int], pool: list[Offering]) -> str:
    need = _gb(req.vram_gb)
    if excluded["too_small"] == len(pool) or not pool:
        best: dict[str, tuple[float, str]] = {}
        for off in pool:
            limit = 1 if req.workload.single_gpu else gpu_limit(off, req.max_gpus)
            total = off.usable_gib * limit
            label = f"{off.name} × {limit} = {_gb(total)} GiB" if limit > 1 else f"{off.name} = {_gb(total)} GiB"
            if off.provider not in best or total > best[off.provider][0]:
                best[off.provider] = (total, label)
        largest = "; ".join(f"{p}: {lbl}" for p, (_, lbl) in best.items()) or "none"
        cap = (f" on one GPU ({req.workload.name} does not split a job over GPUs)" if req.workload.single_gpu
               else f" with at most {req.max_gpus} GPU(s)" if req.max_gpus else "")
        return f"no configuration reaches {need} GiB{cap}. Largest possible — {largest}"
    parts = []
    if excluded["min_nvenc"]:
        parts.append(f"{excluded['min_nvenc']} have too few NVENC encoders")
    if excluded["no_av1"]:
        parts.append(f"{excluded['no_av1']} cannot encode AV1")
    if excluded["no_engines"]:
        parts.append(f"{excluded['no_engines']} have no engines for this job")
    if excluded["over_budget"]:
        parts.append(f"{excluded['over_budget']} cost more than ${req.budget_per_hour:,.2f}/h")
    if excluded["no_price_for_budget"]:
        parts.append(f"{excluded['no_price_for_budget']} have no known price to check against --budget")
    return f"nothing fits {need} GiB with these constraints: " + "; ".join(parts)


def smallest_per_provider(cat: Catalog, need_gb: float, providers: tuple[str, ...] = (), pow2: bool = False,
                          max_gpus: int | None = None, single_gpu: bool = False,
                          dtype: str | None = None, job: Job | None = None) -> dict[str, tuple[Offering, int] | None]:
    """For each provider, the cheapest configuration that fits with the fewest GPUs: fewest GPUs, then
    the lowest price (as `recommend` prices a worker; unpriced last), then the least memory, faster;
    an offering that is not self-serve (restricted) only where nothing else fits.
    Least memory first sent a 27B model to 4 T4s over one cheaper A100 (audit 2026-12-04 W4). An
    architecture that cannot run the model's dtype (bf16 before Ampere) is not offered. None where
    nothing fits. A single-GPU job never gets several GPUs."""
    ids = [cat.provider(p).id for p in providers] if providers else list(cat.providers)
    out: dict[str, tuple[Offering, int] | None] = {}
    for pid in ids:
        best = None
        for off in cat.offerings_of(pid):
            if not recommendable(off) or off.kind == "pool":
                continue
            arch = cat.archs.get(off.gpu_hw.arch)  # recommendable: has a GPU
            if dtype and arch is not None and dtype in arch.lacks_dtypes:
                continue
            count = fit_count(off, job, need_gb, 1 if single_gpu else gpu_limit(off, max_gpus), pow2)
            if count is None:
                continue
            q = worker_quote(cat, off, count)
            price = q.per_hour * count if q is not None else math.inf
            key = (bool(off.restricted), count, price, off.usable_gib * count, -off.bandwidth_gb_s,
                   -off.gpu_hw.fp16_tflops, off.name)  # a self-serve offering before one on request
            if best is None or key < best[0]:
                best = (key, off, count)
        out[pid] = (best[1], best[2]) if best else None
    return out


# ---------------------------------------------------------------------------- reasons

def _gb(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 else f"{x:,.1f}"


def speed_text(x: float) -> str:
    """A throughput as the reasons and the recommend table print it: three figures at most."""
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}" if x >= 10 else f"{x:,.2f}"


def _money(x: float) -> str:
    return f"${x:,.2f}" if x >= 0.1 else f"${x:,.3f}" if x >= 0.001 else f"${x:.2g}"


def reasons_for(c: Candidate) -> list[str]:
    """Why this pick, in the order a reader asks: does it fit, how fast, what it costs, what else to know.
    A multi-GPU pick never says "one GPU", and the fit line says how the memory is split."""
    off, count, thr, w = c.offering, c.count, c.throughput, c.workload
    need, total = c.need_gb, c.total_usable_gib
    spare = total - need
    each = _gb(off.usable_gib)
    size = f"on {count} × {each} GiB usable"
    out = []
    if count > 1:
        each_need, extra = c.per_gpu
        adds = (f" + {_gb(sum(v for _, v in extra))} per GPU for sharding ("
                + ", ".join(f"{k} {v:,.1f}" for k, v in extra) + ")") if extra else ""
        left = c.spare_per_gpu
        text = f"fits {_gb(need)} GiB {size}: {_gb(need / count)} GiB each{adds}, {_gb(left)} GiB to spare per GPU"
        if c.tight:
            text += ": little headroom for runtime overhead"
        out.append(text)
    elif spare < need * w.headroom:
        out.append(f"fits {_gb(need)} GiB in {each} GiB usable with only {_gb(spare)} GiB to spare: little headroom for runtime overhead")
    elif total > 2 * need and spare > 8:
        out.append(f"fits {_gb(need)} GiB in {each} GiB usable but leaves {_gb(spare)} GiB unused")
    else:
        out.append(f"fits {_gb(need)} GiB in {each} GiB usable, {_gb(spare)} GiB to spare")
    speed = f"≈ {speed_text(thr.value)} {thr.unit}"
    if thr.per_stream is not None and c.job and c.job.batch > 1:
        speed += f" ({speed_text(thr.per_stream)} per sequence × {c.job.batch})"
    extras = dict((n, (v, u)) for n, v, u in thr.extra)
    if "seconds per generation" in extras:
        speed += f" ({speed_text(extras['seconds per generation'][0])} s each)"
    if c.below_floor:
        speed += ": below the speed floor"
    out.append(speed)
    vc, unit = c.value_cost, thr.cost_unit.removeprefix("$")
    if vc is not None:
        text = f"{_money(vc)}{unit}"
        if c.credited < thr.value * 0.995:
            text += f" at the {speed_text(c.credited)} {thr.unit} the job uses"
        out.append(text + (f" — {', '.join(c.labels)}" if c.labels else ""))
    elif c.labels:
        out.append(", ".join(c.labels))
    if count > 1:
        kind = link(c.hw, count)
        how = {"nvlink": f"NVLink {c.hw.nvlink_gb_s:,.0f} GB/s joins " + ("both" if count == 2 else f"all {count}"),
               "bridge": "NVLink in pairs, PCIe between", "pcie": "no NVLink: PCIe between them"}[kind]
        minimum = off.gpus_for(need)
        split = (f"{count} GPUs ({minimum} would hold it; split evenly)" if w.pow2_counts and minimum < count
                 else f"{count} GPUs")
        out.append(f"{split}: {how}")
    if w.throughput == "transcode" and c.hw.nvenc and not c.hw.av1_encode:
        out.append("no AV1 hardware encode")
    if off.kind == "pool":
        out.append(f"pool: may give any of {', '.join(g.id for g in off.gpus)}; sized and timed as its weakest, {c.hw.id}")
    if off.restricted:
        out.append(f"restricted: {off.restricted}")
    if off.may_upgrade_to:
        out.append(f"{off.provider} may upgrade it to {' or '.join(g.upper() for g in off.may_upgrade_to)} at no extra cost")
    if off.unverified(count):
        from gpuadvisor.translate import count_caveat

        out.append(count_caveat(c.provider, off, count))
    q = c.quote
    if q is None:
        out.append(f"no price known for {c.hw.id} on any provider: ranked after priced options")
    elif q.estimated:
        out.append(f"price estimated: {q.how}" + (f" (× {count} GPUs)" if count > 1 else ""))
    else:
        gpu = c.price_per_hour
        assert gpu is not None, "priced: q is not None"
        host = (f" + {_money(q.host_per_hour)}/h CPU and RAM billed apart ({c.workload.host_vcpus:g} vCPUs, "
                f"{c.workload.host_memory_gb:g} GB assumed)" if q.host_per_hour else "")
        out.append(f"{_money(q.per_hour * count)}/h" + (f" ({_money(gpu)} per GPU{host})" if count > 1 or host else "")
                   + f", {q.basis}, as of {q.as_of}")
    return out
