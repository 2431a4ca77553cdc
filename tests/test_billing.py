"""gpuadvisor.billing: the analytic model against a seeded discrete-event simulation over a grid,
the one-worker case against its exact formulas, and the money."""

from __future__ import annotations

import itertools
import math

import pytest

from gpuadvisor.billing import DAY, MONTH, Period, Scaling, Usage, bill, day_usage, period_usage
from tests.serverless_sim import simulate

SECONDS, COLD = 2.0, 5.0
# The grid: requests per day, idle timeouts (s), worker limits, concurrency, mean burst size.
RATES = (100, 10_000, 50_000)
TIMEOUTS = (10, 60, 300)
LIMITS = (None, 1, 4)
CONCURRENCY = (1, 4)
BURSTS = (1, 3)
TOLERANCE = 0.10  # billed worker-time (busy + idle + cold start), relative to the simulation
COLD_TOLERANCE = 0.30  # cold starts per day, relative (or within 0.5% of requests where there are few)


def _grid():
    for per_day, timeout, limit, conc, burst in itertools.product(RATES, TIMEOUTS, LIMITS, CONCURRENCY, BURSTS):
        rate = per_day / DAY
        if limit is not None and rate * SECONDS >= 0.8 * limit * conc:
            continue  # a limit this tight queues without bound in a finite run
        yield per_day, timeout, limit, conc, burst


def test_analytic_model_matches_the_simulation_over_the_grid():
    worst, worst_cold, cells = (0.0, None), (0.0, None), 0
    for per_day, timeout, limit, conc, burst in _grid():
        rate = per_day / DAY
        sim = simulate(rate, SECONDS, timeout, COLD, max_workers=limit, concurrency=conc, burst=burst,
                       requests=3000, seed=11)
        u = period_usage(Period(1.0, rate), SECONDS, Scaling(timeout, COLD, 0, limit, conc), burst)
        billed_sim = sim.busy + sim.idle + sim.cold
        billed = u.busy + u.idle + u.cold
        err = abs(billed - billed_sim) / billed_sim
        cold_err = abs(u.cold_starts - sim.cold_starts) / max(sim.cold_starts, 0.005 * rate / COLD_TOLERANCE)
        cell = dict(per_day=per_day, timeout=timeout, max_workers=limit, concurrency=conc, burst=burst)
        worst = max(worst, (err, cell), key=lambda x: x[0])
        worst_cold = max(worst_cold, (cold_err, cell), key=lambda x: x[0])
        cells += 1
    assert cells >= 80
    assert worst[0] <= TOLERANCE, f"billed time off by {worst[0]:.1%} at {worst[1]}"
    assert worst_cold[0] <= COLD_TOLERANCE, f"cold starts off by {worst_cold[0]:.1%} at {worst_cold[1]}"


def test_one_worker_is_the_queue_with_set_up_times():
    rate, timeout = 10_000 / DAY, 60.0
    u = period_usage(Period(DAY, rate), SECONDS, Scaling(timeout, COLD, 0, 1, 1))
    rho, x = rate * SECONDS, math.exp(-rate * timeout)
    cold = rate * (1 - rho) * x / (1 + rate * COLD * x)  # e·x with e = λ(1 − ρ − C·cold)
    assert u.busy == pytest.approx(rho * DAY)
    assert u.cold_starts == pytest.approx(cold * DAY, rel=1e-4)
    assert u.idle == pytest.approx(cold / x * (1 - x) / rate * DAY, rel=1e-4)


def test_unlimited_workers_with_single_arrivals_is_the_poisson_distribution():
    # level 1 gets work after an empty system: r_1 = λ e^(−a); a second worker appears when two overlap
    rate = 0.1
    u = period_usage(Period(1.0, rate), SECONDS, Scaling(60, 0.0))
    a = rate * SECONDS
    assert u.busy == pytest.approx(a)
    level1_idle = rate * math.exp(-a) * (1 - math.exp(-rate * 60)) / rate
    assert u.idle > level1_idle  # more than one level idles


def test_min_workers_are_billed_all_day_and_take_the_first_levels():
    u = period_usage(Period(DAY, 0.001), SECONDS, Scaling(60, COLD, min_workers=1))
    assert u.always_on == DAY
    assert u.cold_starts < 0.001 * DAY * 0.01  # the always-on worker takes almost every request


def test_no_traffic_costs_only_min_workers():
    assert day_usage((Period(DAY, 0.0),), SECONDS, Scaling(60, COLD, min_workers=2)) == Usage(always_on=2 * DAY)


def test_a_worker_limit_that_cannot_keep_up_is_saturated():
    assert period_usage(Period(DAY, 1.0), SECONDS, Scaling(60, COLD, max_workers=1)).saturated


def test_business_hours_pack_the_same_requests_into_fewer_hours():
    flat = day_usage((Period(DAY, 1000 / DAY),), SECONDS, Scaling(60, COLD))
    office = day_usage((Period(8 * 3600, 1000 / (8 * 3600)), Period(16 * 3600, 0.0)), SECONDS, Scaling(60, COLD))
    assert flat.requests == pytest.approx(office.requests) and flat.busy == pytest.approx(office.busy)
    assert office.idle < flat.idle  # the nights cost nothing


def test_bill_prices_only_billed_phases_and_rounds_each_session():
    u = Usage(busy=100.0, idle=50.0, cold=10.0, always_on=DAY, cold_starts=2.0)
    days = MONTH / DAY
    b = bill(u, 0.001, 0.0005, ("busy", "idle", "cold_start"))
    assert (b.busy, b.idle, b.cold_starts) == pytest.approx((0.1 * days, 0.05 * days, 0.01 * days))
    assert b.min_workers == pytest.approx(DAY * 0.0005 * days)
    active_only = bill(u, 0.001, 0.0005, ("busy",))
    assert active_only.idle == 0 and active_only.cold_starts == 0
    per_minute = bill(u, 0.001, 0.0005, ("busy", "idle", "cold_start"), granularity=60)
    assert per_minute.idle - b.idle == pytest.approx(2 * 30 * 0.001 * days)  # half a minute per session
