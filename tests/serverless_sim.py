"""A seeded discrete-event simulation of a serverless endpoint, to check gpuadvisor.billing's
analytic model against. It lives in the tests: the package never simulates.

Requests arrive in bursts (Poisson in time, geometric size of mean `burst`; 1 = plain Poisson) and
each holds a slot for `seconds`. A request goes to the lowest-numbered ready worker with a free
slot, else to a starting worker with a free slot, else a new worker starts (it serves after
`cold_start` seconds) if fewer than `max_workers` run, else it queues (first come, first served).
A worker with nothing to do waits `idle_timeout` seconds and then shuts down; `min_workers` stay.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass


@dataclass
class SimResult:
    busy: float  # worker-seconds, on-demand workers, per simulated second
    idle: float
    cold: float  # cold-start seconds per second
    cold_starts: float  # per second
    requests: int
    waited: int  # requests that found every slot taken


class _Worker:
    __slots__ = ("slot", "ready", "active", "since", "token", "permanent", "busy", "idle")

    def __init__(self, slot: int, ready: bool, now: float, permanent: bool):
        self.slot, self.ready, self.active, self.since = slot, ready, 0, now
        self.token, self.permanent, self.busy, self.idle = 0, permanent, 0.0, 0.0


def simulate(rate: float, seconds: float, idle_timeout: float, cold_start: float, *, min_workers: int = 0,
             max_workers: int | None = None, concurrency: int = 1, burst: float = 1.0, requests: int = 20_000,
             seed: int = 1) -> SimResult:
    rng = random.Random(seed)
    events: list = []
    seq = 0

    def push(t, kind, data=None):
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, kind, data))

    slots: dict[int, _Worker] = {}
    for s in range(1, min_workers + 1):
        slots[s] = _Worker(s, True, 0.0, True)
    queue: deque = deque()
    cold_starts = waited = made = 0
    cold_time = busy_od = idle_od = 0.0
    q = 1.0 - 1.0 / burst
    push(rng.expovariate(rate / burst), "burst")

    def account(w: _Worker, now: float) -> None:
        if w.ready:
            if w.active:
                w.busy += now - w.since
            else:
                w.idle += now - w.since
        w.since = now

    def start(w: _Worker, now: float) -> None:
        account(w, now)
        w.active += 1
        push(now + seconds, "done", w)

    now = 0.0
    while events:
        now, _, kind, data = heapq.heappop(events)
        if kind == "burst":
            size = 1
            while rng.random() < q:
                size += 1
            for _ in range(size):
                if made >= requests:
                    break
                made += 1
                ready = [w for w in slots.values() if w.ready and w.active < concurrency]
                if ready:
                    start(min(ready, key=lambda w: w.slot), now)
                    continue
                starting = [w for w in slots.values() if not w.ready and w.active < concurrency]
                if starting:
                    min(starting, key=lambda w: w.slot).active += 1
                    continue
                if max_workers is None or len(slots) < max_workers:
                    s = next(i for i in range(1, len(slots) + 2) if i not in slots)
                    w = _Worker(s, False, now, False)
                    w.active = 1
                    slots[s] = w
                    cold_starts += 1
                    cold_time += cold_start
                    push(now + cold_start, "ready", w)
                    continue
                waited += 1
                queue.append(now)
            if made < requests:
                push(now + rng.expovariate(rate / burst), "burst")
        elif kind == "ready":
            w = data
            w.ready, w.since = True, now
            for _ in range(w.active):
                push(now + seconds, "done", w)
        elif kind == "done":
            w = data
            account(w, now)
            w.active -= 1
            if queue:
                queue.popleft()
                start(w, now)
            elif w.active == 0 and not w.permanent:
                w.token += 1
                push(now + idle_timeout, "shutdown", (w, w.token))
        elif kind == "shutdown":
            w, token = data
            if w.token == token and w.active == 0 and slots.get(w.slot) is w:
                account(w, now)
                busy_od += w.busy
                idle_od += w.idle
                del slots[w.slot]
    for w in slots.values():
        account(w, now)
        if not w.permanent:
            busy_od += w.busy
            idle_od += w.idle
    return SimResult(busy_od / now, idle_od / now, cold_time / now, cold_starts / now, made, waited)
