"""What a serverless endpoint is billed for: the analytic model behind `gpuadvisor cost`.

Pure functions; no catalog, no CLI. Arrivals are Poisson (or bursts of requests arriving together,
Poisson in time, with a geometric number of requests of mean `burst`); each request keeps one of a
worker's `concurrency` slots for `seconds` (plus the cold start when it has to wait for one).
Workers scale out one at a time, up to `max_workers`, and a worker that has served its last
request waits `idle_timeout` seconds for another before it shuts down. `min_workers` never shut down.

The model, per worker *level* k (the k-th worker, busy while more than (k-1) × concurrency requests
are in the system; requests go to the lowest level with a free slot, so higher levels go idle first):

  π(n)      requests in the system, stationary: a birth-death chain with batch arrivals, solved
            across each cut n|n+1:  π(n+1) · min(n+1, s)/S = λ_b · Σ_{i≤n} π(i) · q^(n-i)
            (s = max_workers × concurrency slots, λ_b = λ / burst, q = 1 - 1/burst). With single
            arrivals and no worker limit this is the Poisson distribution of mean a = λS.
  p_k       P(n > (k-1)c): the share of time level k has work.
  r_k       λ_b · Σ_{i≤(k-1)c} π(i) q^((k-1)c-i): how often level k gets work after having none.
  g_k       r_k / (1 - p_k): how fast work comes back to an idle level k, taken as Poisson.
  idle_k    r_k · (1 - e^(-g_k T)) / g_k: seconds per second level k waits (at most T each time).
  cold_k    r_k · e^(-g_k T): how often level k had shut down when work came back: a cold start.

Busy = Σ p_k over on-demand levels (k > min_workers) with S as given; idle and cold starts come
from the chain solved again with S + C × w, where w is the share of requests that wait for a cold
start (cold starts × min(burst, concurrency) ÷ requests, solved by iteration): a cold
start holds its requests' slots C longer, which sends more of the following arrivals to other
workers. Cold-start seconds = cold starts × C; min_workers are billed for the whole period. For one
worker (max_workers 1, concurrency 1) the fixed point is the M/G/1 queue with set-up times:
busy λS, cold starts e·e^(-λT), idle e(1 - e^(-λT))/λ, with e = λ(1 - λS - C · cold starts).
tests/test_billing.py checks the model against a seeded discrete-event simulation.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

# Records are NamedTuples, not dataclasses: as cheap to use and several times cheaper to create at
# import, which every `cost` run pays (see README "Performance").
DAY = 86_400.0
MONTH = 365.0 / 12 * DAY  # 30.42 days, 730 hours
MAX_STATES = 2_000_000  # requests in the system the chain is solved for (a sanity bound)


class Scaling(NamedTuple):
    """How the endpoint scales (the provider's defaults unless the user set them)."""

    idle_timeout: float  # seconds an idle worker waits before it shuts down
    cold_start: float  # seconds from a worker's start to serving
    min_workers: int = 0
    max_workers: int | None = None  # None: no limit
    concurrency: int = 1  # requests one worker serves at once


class Period(NamedTuple):
    """Part of a day with a steady arrival rate."""

    seconds: float  # length per day
    rate: float  # requests per second in it


class Usage(NamedTuple):
    """Worker-seconds per day by phase, and cold starts per day."""

    busy: float = 0.0  # on-demand workers serving at least one request
    idle: float = 0.0  # on-demand workers waiting for work (within the idle timeout)
    cold: float = 0.0  # on-demand workers starting (cold start seconds)
    always_on: float = 0.0  # min_workers × the day, busy or not
    cold_starts: float = 0.0
    requests: float = 0.0
    work: float = 0.0  # request-seconds of work (requests × seconds per request)
    wait_probability: float = 0.0  # share of requests that find every slot taken (they queue)
    saturated: bool = False  # max_workers × concurrency cannot keep up

    def __add__(self, o: Usage) -> Usage:  # type: ignore[override]  # field-wise sum, not tuple concatenation
        waits = (self.wait_probability * self.requests + o.wait_probability * o.requests) / max(self.requests + o.requests, 1e-300)
        return Usage(self.busy + o.busy, self.idle + o.idle, self.cold + o.cold, self.always_on + o.always_on,
                     self.cold_starts + o.cold_starts, self.requests + o.requests, self.work + o.work, waits,
                     self.saturated or o.saturated)

    @property
    def alive(self) -> float:
        return self.busy + self.idle + self.cold + self.always_on


@functools.lru_cache(maxsize=4096)
def day_usage(periods: tuple[Period, ...], seconds: float, scaling: Scaling, burst: float = 1.0) -> Usage:
    """Worker-seconds per day over the day's periods (their lengths add up to a day). Cached: the
    options of one provider usually share every input."""
    total = Usage()
    for p in periods:
        total = total + period_usage(p, seconds, scaling, burst)
    return total


def period_usage(p: Period, seconds: float, sc: Scaling, burst: float = 1.0) -> Usage:
    """Worker-seconds over one period of the day (see the module docstring for the model)."""
    if p.rate <= 0 or p.seconds <= 0:
        return Usage(always_on=sc.min_workers * p.seconds)
    d, requests = p.seconds, p.rate * p.seconds
    served = _levels(p.rate, seconds, sc, burst)
    if served is None:
        return Usage(always_on=sc.min_workers * d, requests=requests, work=requests * seconds, saturated=True)
    # A request that waits for a cold start holds its slot C longer (a cold start keeps up to
    # min(burst, concurrency) requests waiting): solve again with S + C × that share, to a fixed point.
    joined = min(burst, max(1, sc.concurrency))
    held = served
    waiting = min(1.0, served.cold * joined / p.rate)
    for _ in range(10):
        if sc.cold_start == 0 or waiting == 0:
            break
        nxt = _levels(p.rate, seconds + sc.cold_start * waiting, sc, burst)
        if nxt is None:
            return Usage(always_on=sc.min_workers * d, requests=requests, work=requests * seconds, saturated=True)
        held = nxt
        before, waiting = waiting, min(1.0, held.cold * joined / p.rate)
        if abs(waiting - before) <= 1e-4 * waiting:
            break
    return Usage(served.occupied * d, held.idle * d, held.cold * d * sc.cold_start, sc.min_workers * d,
                 held.cold * d, requests, requests * seconds, held.wait)


class _Levels(NamedTuple):
    occupied: float  # Σ p_k: worker-seconds per second with work, on-demand levels
    idle: float  # Σ idle_k
    cold: float  # Σ cold_k: cold starts per second
    wait: float  # P(every slot is taken): the share of requests that queue


def _levels(rate: float, held: float, sc: Scaling, burst: float) -> _Levels | None:
    """The per-level sums for requests that hold a slot `held` seconds; None when the slots
    (max_workers × concurrency) cannot keep up with the work."""
    c = max(1, sc.concurrency)
    slots = None if sc.max_workers is None else sc.max_workers * c
    if slots is not None and rate * held >= slots:
        return None
    lam, q = rate / burst, 1.0 - 1.0 / burst
    pi = _distribution(lam, q, held, slots)
    tail = _tails(pi)  # tail[n] = P(N >= n)
    up = _up_flows(pi, lam, q)  # up[n] = the rate of crossing from n to above n
    top = len(pi) // c + 2 if sc.max_workers is None else sc.max_workers  # slots is None exactly then
    occupied = idle = cold = 0.0
    for k in range(sc.min_workers + 1, top + 1):
        t = (k - 1) * c
        if t >= len(pi):
            break
        p_k, r_k = tail[t + 1], up[t]
        occupied += p_k
        free = 1.0 - p_k
        if r_k <= 0 or free <= 1e-12:
            continue
        g = r_k / free
        idle += r_k * -math.expm1(-g * sc.idle_timeout) / g
        cold += r_k * math.exp(-g * sc.idle_timeout)
    return _Levels(occupied, idle, cold, _wait_share(pi, tail, slots, q))


def _wait_share(pi: list[float], tail: list[float], slots: int | None, q: float) -> float:
    """The share of requests that find every slot taken. A burst finds the time-average state n (bursts
    arrive as a Poisson stream); its i-th request finds n + i - 1, so it waits when n + i - 1 ≥ slots.
    With geometric sizes P(size ≥ i) = q^(i-1), the share of a burst's requests that wait is
    q^max(0, slots - n): the first request sees tail[slots] (all that plain Poisson arrivals see), its
    followers queue behind it (audit 2026-12-04 W5: 7% said where ≥ 80% wait)."""
    if slots is None:
        return 0.0
    full = tail[slots] if slots < len(tail) else 0.0
    return min(1.0, full + math.fsum(pi[n] * q ** (slots - n) for n in range(min(slots, len(pi)))))


def _distribution(lam: float, q: float, held: float, slots: int | None) -> list[float]:
    """π(n) for n = 0, 1, …, solved across each cut and normalised; stops where the tail is negligible."""
    mu = 1.0 / held
    pi = [1.0]
    u = 1.0  # Σ_{i≤n} π(i) q^(n-i)
    peak = 1.0
    n = 0
    while n < MAX_STATES:
        nxt = lam * u / (min(n + 1, slots) * mu if slots is not None else (n + 1) * mu)
        pi.append(nxt)
        u = q * u + nxt
        peak = max(peak, nxt)
        n += 1
        if peak > 1e250:  # rescale rather than overflow
            pi = [x / peak for x in pi]
            u /= peak
            peak = 1.0
        if nxt < peak * 1e-14 and (slots is None or n > slots) and n > lam * held:
            break
    total = math.fsum(pi)
    return [x / total for x in pi]


def _tails(pi: list[float]) -> list[float]:
    tail = [0.0] * (len(pi) + 1)
    acc = 0.0
    for n in range(len(pi) - 1, -1, -1):
        acc += pi[n]
        tail[n] = acc
    return tail


def _up_flows(pi: list[float], lam: float, q: float) -> list[float]:
    out, u = [], 0.0
    for x in pi:
        u = q * u + x
        out.append(lam * u)
    return out


# ---------------------------------------------------------------------------- money

class Bill(NamedTuple):
    """Dollars per month by part, from a day's usage and the provider's billing rules."""

    busy: float
    idle: float
    cold_starts: float
    min_workers: float

    @property
    def total(self) -> float:
        return self.busy + self.idle + self.cold_starts + self.min_workers


def bill(u: Usage, price_per_second: float, always_on_per_second: float, billed: tuple[str, ...],
         granularity: float = 0.0, minimum: float = 0.0) -> Bill:
    """A month of this day's usage. Each on-demand worker session (it starts with a cold start) is
    rounded up to the billing granularity (half an increment on average) and to the minimum."""
    days = MONTH / DAY
    sessions = u.cold_starts
    extra = 0.0
    if sessions > 0:
        per = (u.busy + u.idle + (u.cold if "cold_start" in billed else 0.0)) / sessions
        extra = sessions * (max(0.0, minimum - per) + (granularity / 2 if granularity > 0 else 0.0))
    busy = u.busy * price_per_second * days if "busy" in billed else 0.0
    idle = (u.idle + extra) * price_per_second * days if "idle" in billed else extra * price_per_second * days
    cold = u.cold * price_per_second * days if "cold_start" in billed else 0.0
    return Bill(busy, idle, cold, u.always_on * always_on_per_second * days)
