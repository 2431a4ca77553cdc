"""`gpuadvisor cost`: what a traffic profile costs per month on each provider option, from the
provider's billing rules ([provider.billing]) and the analytic model in gpuadvisor.billing.

Pure functions: a Catalog and a CostQuery in, a CostReport out. Options are the configurations
that fit the memory need (a model's estimate or --vram, like recommend), or every GPU type
(count 1) when no need is given, narrowed by --provider and --gpu. Each is priced on one basis
(gpuadvisor.pricing), scaled with the provider's defaults unless the user set a value, and
compared with one dedicated worker of the same configuration kept on all month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from gpuadvisor.billing import DAY, MONTH, Bill, Period, Scaling, Usage, bill, day_usage
from gpuadvisor.catalog import Catalog
from gpuadvisor.errors import NoMatch, UnknownName, UsageError
from gpuadvisor.models import Billing, Offering, Provider
from gpuadvisor.pricing import BASES, Quote, worker_quote

if TYPE_CHECKING:
    from gpuadvisor.estimate import Estimate

# A day's shape: (hours, share of the day's requests) per part of the day.
SHAPES = {"flat": ((24.0, 1.0),), "business-hours": ((8.0, 1.0), (16.0, 0.0))}
ASSUMED_COLD_START_S = 10.0  # where a provider publishes no cold-start figure (said in the notes)
MAX_IN_FLIGHT = 5_000  # requests in flight at once the model is solved for (larger fleets: beyond this tool)
TARGET_LOAD = 0.7  # a provider's default max_workers that cannot keep up is raised to this load (said)


@dataclass(frozen=True)
class Traffic:
    requests_per_day: float
    shape: str = "flat"
    burstiness: float = 1.0  # mean number of requests that arrive together

    def periods(self, per_day: float | None = None) -> tuple[Period, ...]:
        n = self.requests_per_day if per_day is None else per_day
        return tuple(Period(h * 3600, n * share / (h * 3600)) for h, share in SHAPES[self.shape])

    @property
    def peak_rate(self) -> float:
        return max(p.rate for p in self.periods())


@dataclass(frozen=True)
class Settings:
    """What the user set; None = the provider's default."""

    idle_timeout: float | None = None
    min_workers: int | None = None
    max_workers: int | None = None
    concurrency: int | None = None
    cold_start: float | None = None


@dataclass(frozen=True)
class CostQuery:
    traffic: Traffic
    seconds_per_request: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    estimate: Estimate | None = None  # an Estimate (--model/--params) or None
    vram_gb: float | None = None
    settings: Settings = field(default_factory=Settings)
    providers: tuple[str, ...] = ()
    gpus: tuple[str, ...] = ()
    price_basis: str = "list"
    engine: str = ""  # LLM serving engine the timing assumes ("" = the catalog's default)


@dataclass(frozen=True)
class Crossover:
    """Where serverless and one dedicated worker cost the same, in requests per day."""

    requests_per_day: float | None
    kind: str  # "at" | "serverless-cheaper" (up to one worker's capacity) | "dedicated-cheaper"

    def to_json(self) -> dict:
        return {"requests_per_day": None if self.requests_per_day is None else round(self.requests_per_day, 1),
                "kind": self.kind}


@dataclass
class CostOption:
    offering: Offering
    count: int
    provider: Provider
    quote: Quote
    always_on: Quote  # what a min/dedicated worker pays per GPU-hour
    scaling: Scaling
    seconds: float  # per request
    seconds_how: str
    usage: Usage
    bill: Bill
    cold_range: tuple[float, ...] | None  # monthly cold-start cost at the low and high cold-start times
    notes: list[str]
    crossover: Crossover | None = None

    @property
    def total_price_per_hour(self) -> float:
        return self.quote.per_hour * self.count

    @property
    def dedicated_monthly(self) -> float:
        return self.always_on.per_hour * self.count * MONTH / 3600

    @property
    def dedicated_capacity(self) -> float:
        """Requests per day one worker serves at most (concurrency slots busy all day)."""
        return DAY * self.scaling.concurrency / self.seconds

    @property
    def dedicated_needed(self) -> int:
        """Always-on workers the busiest hour needs (at most TARGET_LOAD busy each): 1 for most traffic."""
        load = self.usage_peak_load / (self.scaling.concurrency * TARGET_LOAD)
        return max(1, math.ceil(load))

    usage_peak_load: float = 0.0  # requests in flight at the busiest time (set by _option)

    @property
    def per_request(self) -> float:
        return self.bill.total / (self.usage.requests * MONTH / DAY) if self.usage.requests else math.inf

    @property
    def utilisation(self) -> float:
        """Request-seconds served ÷ slot-seconds paid for (workers alive × concurrency)."""
        alive = self.usage.alive * self.scaling.concurrency
        return min(1.0, self.usage.work / alive) if alive else 0.0

    def to_json(self) -> dict:
        o, b, sc = self.offering, self.bill, self.scaling
        return {
            "provider": o.provider, "name": o.name, "gpu": o.gpu_hw.id, "count": self.count,
            "price_per_hour": round(self.quote.per_hour, 4), "total_price_per_hour": round(self.total_price_per_hour, 4),
            "monthly": {"total": round(b.total, 2), "busy": round(b.busy, 2), "idle": round(b.idle, 2),
                        "cold_starts": round(b.cold_starts, 2), "min_workers": round(b.min_workers, 2)},
            "per_request": round(self.per_request, 6), "cold_starts_per_day": round(self.usage.cold_starts, 2),
            "utilisation": round(self.utilisation, 4),
            "seconds_per_request": round(self.seconds, 4), "seconds_how": self.seconds_how,
            "price_basis": self.quote.basis, "price_estimated": self.quote.estimated, "price": self.quote.to_json(),
            "always_on_price_per_hour": round(self.always_on.per_hour, 4),
            "settings": {"idle_timeout_s": sc.idle_timeout, "min_workers": sc.min_workers, "max_workers": sc.max_workers,
                         "concurrency": sc.concurrency, "cold_start_s": round(sc.cold_start, 3)},
            "cold_starts_monthly_range": None if self.cold_range is None else [round(x, 2) for x in self.cold_range],
            "wait_probability": round(self.usage.wait_probability, 4),
            "dedicated": {"monthly": round(self.dedicated_monthly, 2), "capacity_requests_per_day": round(self.dedicated_capacity),
                          "cheaper": self.dedicated_monthly < b.total, "workers_needed": self.dedicated_needed,
                          "monthly_for_needed": round(self.dedicated_monthly * self.dedicated_needed, 2)},
            "crossover": self.crossover.to_json() if self.crossover else None,
            "billing": {"as_of": self.provider.serverless_billing.as_of,
                        "granularity_s": self.provider.serverless_billing.granularity_s,
                        "billed": list(self.provider.serverless_billing.billed)},
            "notes": list(self.notes),
        }


@dataclass
class CostReport:
    query: CostQuery
    options: list[CostOption]
    excluded: dict[str, int]
    need_gib: float | None


# ---------------------------------------------------------------------------- checks

def check_query(q: CostQuery) -> None:
    t, s = q.traffic, q.settings
    if not (t.requests_per_day > 0 and math.isfinite(t.requests_per_day)):
        raise UsageError(f"--requests-per-day must be a positive number, not {t.requests_per_day:g}")
    if t.shape not in SHAPES:
        raise UnknownName("traffic shape (--shape)", t.shape, list(SHAPES))
    if not (1 <= t.burstiness <= 10_000):
        raise UsageError(f"--burstiness is the mean number of requests that arrive together: 1 (independent) "
                         f"or more, not {t.burstiness:g}")
    if q.seconds_per_request is not None and not (0 < q.seconds_per_request <= DAY):
        raise UsageError(f"--seconds-per-request must be more than 0 and at most a day, not {q.seconds_per_request:g}")
    for name, v, low, high in (("--idle-timeout", s.idle_timeout, 0, DAY), ("--cold-start", s.cold_start, 0, 3600),
                               ("--min-workers", s.min_workers, 0, 10_000), ("--max-workers", s.max_workers, 1, 100_000),
                               ("--concurrency", s.concurrency, 1, 10_000)):
        if v is not None and not (low <= v <= high):
            raise UsageError(f"{name} must be between {low:,} and {high:,}, not {v:g}")
    if s.min_workers is not None and s.max_workers is not None and s.min_workers > s.max_workers:
        raise UsageError(f"--min-workers ({s.min_workers}) cannot exceed --max-workers ({s.max_workers})")
    if q.price_basis not in BASES:
        raise UnknownName("price basis (--price-basis)", q.price_basis, BASES)


# ---------------------------------------------------------------------------- options

def cost(cat: Catalog, q: CostQuery) -> CostReport:
    """Every option priced for the month, cheapest first. NoMatch when nothing fits or is priced."""
    check_query(q)
    from gpuadvisor.engine import fit_count, recommendable, smallest_skus

    need = q.estimate.total_gb if q.estimate is not None else q.vram_gb
    providers = tuple(dict.fromkeys(cat.provider(p).id for p in q.providers))
    picks = _gpu_filter(cat, q.gpus)
    excluded = {"too_small": 0, "no_price": 0, "no_billing": 0, "cannot_keep_up": 0}
    staged = []
    for off in cat.offerings:
        if not recommendable(off) or (providers and off.provider not in providers) or not picks(off):
            continue
        p = cat.providers[off.provider]
        if p.billing is None:
            excluded["no_billing"] += 1
            continue
        count = fit_count(off, None, need, off.max_count, pow2=True) if need else (off.fixed_count or 1)
        if count is None:
            excluded["too_small"] += 1
            continue
        price = worker_quote(cat, off, count, q.price_basis)  # with the `general` workload's host
        if price is None:
            excluded["no_price"] += 1
            continue
        staged.append((off, count, price))
    options = []
    for off, count, price in smallest_skus(staged):  # a provider's 1-, 2-, 8-GPU SKUs: only the smallest that fits
        opt = _option(cat, q, off, count, cat.providers[off.provider], price)
        if opt is None:
            excluded["cannot_keep_up"] += 1
            continue
        options.append(opt)
    if not options:
        raise NoMatch(_nothing(need, excluded, q))
    order = {pid: i for i, pid in enumerate(cat.providers)}
    options.sort(key=lambda o: (o.bill.total, order.get(o.offering.provider, 0), o.offering.name))
    return CostReport(q, options, excluded, need)


def _gpu_filter(cat: Catalog, names: tuple[str, ...]):
    """--gpu: a GPU (any name for it, a provider's included) picks every offering of that GPU, a
    pool when it is the pool's weakest member; a pool's name picks that pool."""
    if not names:
        return lambda off: True
    offerings, gpus = set(), set()
    for n in names:
        g, off = cat.resolve(n)
        if off is not None and off.kind == "pool":
            offerings.add(id(off))
        else:
            gpus.add(g.id)
            if n.strip().lower() != g.id:  # a bare name (H100) takes every form factor of it: providers
                gpus.update(s.id for s in cat.gpus.values() if _form_family(s.id) == _form_family(g.id))
    return lambda off: id(off) in offerings or (off.hw is not None and off.hw.id in gpus)


def _form_family(gpu_id: str) -> str:
    """A GPU id without its form factor: h100-sxm and h100-pcie are both `h100` (many providers do not
    say which they run, and gpuadvisor then assumes PCIe, so `--gpu h100` must find both)."""
    return gpu_id.removesuffix("-sxm").removesuffix("-pcie")


def _nothing(need, excluded: dict, q: CostQuery) -> str:
    bits = [f"{n} {why.replace('_', ' ')}" for why, n in excluded.items() if n]
    what = f"for {need:,.1f} GiB" if need else "for these filters"
    hint = ": raise --max-workers (or --concurrency) so the workers keep up" if excluded.get("cannot_keep_up") else ""
    return f"no option to price {what}" + (f" ({'; '.join(bits)})" if bits else "") + hint


def _option(cat: Catalog, q: CostQuery, off: Offering, count: int, p: Provider, price: Quote) -> CostOption | None:
    b = p.serverless_billing  # cost() skips providers without billing
    notes: list[str] = []
    seconds, how = _seconds(cat, q, off, count)
    if not math.isfinite(seconds):
        return None
    scaling = _scaling(b, q.settings, q.traffic, seconds, notes)
    if scaling is None:
        return None
    if scaling.cold_start and q.settings.cold_start is None:
        if b.cold_start_s:
            notes.append(f"cold start {scaling.cold_start:.3g} s: the middle (geometric) of {p.name}'s published "
                         f"{b.cold_start_s[0]:g}–{b.cold_start_s[1]:g} s (set --cold-start)")
        else:
            notes.append(f"cold start {scaling.cold_start:g} s assumed: {p.name} publishes no figure (set --cold-start)")
    usage = day_usage(q.traffic.periods(), seconds, scaling, q.traffic.burstiness)
    if usage.saturated:
        return None
    always = _always_on(off, price, b.always_on_basis, count)
    per_s, always_s = price.per_hour * count / 3600, always.per_hour * count / 3600
    money = bill(usage, per_s, always_s, b.billed, b.granularity_s, b.minimum_s)
    cold_range = None
    if b.cold_start_s and "cold_start" in b.billed:
        cold_range = tuple(usage.cold_starts * c * per_s * MONTH / DAY for c in b.cold_start_s)
    if usage.wait_probability > 0.01:
        notes.append(f"{usage.wait_probability:.0%} of requests find every worker busy and wait "
                     f"(max workers {scaling.max_workers}); raise {b.setting('max_workers')} to avoid it")
    if always is not price:
        notes.append(f"always-on workers at the {always.basis} rate ${always.per_hour:,.3f}/h per GPU")
    if price.estimated:
        notes.append(f"price estimated: {price.how}")
    opt = CostOption(off, count, p, price, always, scaling, seconds, how, usage, money, cold_range, notes)
    opt.usage_peak_load = q.traffic.peak_rate * seconds
    return opt


def _seconds(cat: Catalog, q: CostQuery, off: Offering, count: int) -> tuple[float, str]:
    """Seconds one request takes on this GPU: given, or timed by the performance model for the model
    (an LLM request of --tokens-in/--tokens-out among --concurrency others; one image or video)."""
    if q.seconds_per_request is not None:
        return q.seconds_per_request, "given (--seconds-per-request)"
    from gpuadvisor.perf import request_seconds
    from gpuadvisor.perf.job import job_from_estimate

    tokens = (q.tokens_in or 0, q.tokens_out or 0)
    job = job_from_estimate(cat.perf, q.estimate, cat.workloads.get("llm"), tokens, q.engine)
    return request_seconds(cat.perf, job, off.gpu_hw, count)


def _scaling(b: Billing, s: Settings, traffic: Traffic, seconds: float, notes: list[str]) -> Scaling | None:
    idle = b.idle_timeout_s if s.idle_timeout is None else s.idle_timeout
    if s.idle_timeout is not None and b.idle_timeout_range_s:
        low, high = b.idle_timeout_range_s
        if not low <= idle <= high:
            notes.append(f"{b.setting('idle_timeout')} allows {low:g}–{high:g} s: {idle:g} s is outside, "
                         f"{min(max(idle, low), high):g} s used")
            idle = min(max(idle, low), high)
    conc = s.concurrency or b.concurrency
    min_w = b.min_workers if s.min_workers is None else s.min_workers
    max_w = s.max_workers if s.max_workers is not None else (b.max_workers or None)
    if s.cold_start is not None:
        cold = s.cold_start
    elif b.cold_start_s:
        cold = math.sqrt(max(b.cold_start_s[0], 1e-3) * b.cold_start_s[1])
    else:
        cold = ASSUMED_COLD_START_S
    load = traffic.peak_rate * seconds  # requests in flight at the busiest time, on average
    if load > MAX_IN_FLIGHT:
        raise UsageError(f"{load:,.0f} requests in flight at once is beyond this model (at most {MAX_IN_FLIGHT:,}); "
                         "lower the traffic or the seconds per request")
    if max_w is not None and load >= 0.95 * max_w * conc:
        if s.max_workers is not None:
            return None  # the user's limit cannot keep up: left out (counted)
        needed = max(min_w, math.ceil(load / (TARGET_LOAD * conc)))
        notes.append(f"the default {b.setting('max_workers')} ({max_w}) cannot keep up with {load:,.1f} requests in "
                     f"flight: sized with {needed} (set --max-workers)")
        max_w = needed
    if max_w is not None and min_w > max_w:
        max_w = min_w
    return Scaling(idle, cold, min_w, max_w, conc)


def _always_on(off: Offering, price: Quote, basis: str, count: int) -> Quote:
    """The rate an always-on worker pays: the provider's always-on basis where the offering has a
    price on it (RunPod's active workers), else the quote used for everything else; with the same
    CPU and RAM billed on top as the quote."""
    if basis:
        for p in (off.price_low, off.price):
            if p is not None and p.basis.lower().startswith(basis.lower()):
                return replace(price, per_hour=p.per_hour + price.host_per_hour / count, basis=p.basis, estimated=False,
                               how=f"${p.per_hour:,.3f}/h, {p.basis}, as of {p.as_of}", as_of=p.as_of)
    return price


# ---------------------------------------------------------------------------- dedicated worker

def crossover(cat: Catalog, q: CostQuery, opt: CostOption) -> Crossover:
    """The requests per day at which this option's serverless bill equals one dedicated worker's,
    by bisection on a log scale (the bill grows with traffic), up to what one worker can serve."""
    dedicated = opt.dedicated_monthly
    b = opt.provider.serverless_billing
    cap = opt.dedicated_capacity * TARGET_LOAD * (sum(h for h, s in SHAPES[q.traffic.shape] if s) / 24)

    def monthly(per_day: float) -> float:
        u = day_usage(q.traffic.periods(per_day), opt.seconds, opt.scaling, q.traffic.burstiness)
        if u.saturated:
            return math.inf
        return bill(u, opt.quote.per_hour * opt.count / 3600, opt.always_on.per_hour * opt.count / 3600,
                    b.billed, b.granularity_s, b.minimum_s).total

    low, high = 1 / 30, cap
    if low >= high or monthly(low) >= dedicated:
        return Crossover(None, "dedicated-cheaper")
    if monthly(high) <= dedicated:
        return Crossover(high, "serverless-cheaper")
    while high / low > 1.01:  # to 1%: a dozen solves
        mid = math.sqrt(low * high)
        if monthly(mid) < dedicated:
            low = mid
        else:
            high = mid
    return Crossover(math.sqrt(low * high), "at")


def add_crossovers(cat: Catalog, report: CostReport, top: int) -> None:
    """The break-even traffic for the options that will be shown (each takes a few dozen solves)."""
    for opt in report.options[:top]:
        opt.crossover = crossover(cat, report.query, opt)
