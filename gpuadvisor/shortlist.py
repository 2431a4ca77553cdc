"""Ranking a large catalog without building a candidate per offering (issue 22 part 8).

An imported cloud can list 100,000 offerings, and `recommend` shows five. Offerings that rank
alike (same GPU, memory, count limits and host billing) form one *class*; within a class the
candidates differ only by price, provider and name, and every objective's sort key rises with
the price (then the provider's order and the name, the key's own tail). So each class is kept
sorted by price, once per catalog, and the ranking is a lazy merge of the classes: only the
candidates read (the picks, and a few probes to place the labelled ones) are built.

Fixed-count SKUs keep their provider in the class: of a provider's SKUs of one GPU only the
fewest GPUs, then the cheapest, survive (engine.smallest_skus), so each such class gives one.
The result is the same Ranking, in the same order, as engine.rank_each builds offering by
offering: tests/test_shortlist.py compares the two on generated catalogs.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gpuadvisor.models import Offering
from gpuadvisor.pricing import _estimate, _own

if TYPE_CHECKING:
    from gpuadvisor.perf import Throughput

LARGE_CATALOG = 3000  # offerings; below this, engine.rank builds every candidate (as fast, simpler)


BASES = ("list", "lowest")  # pricing.BASES (not imported: this module is read by the cache)


@dataclass
class OfferingClass:
    """Recommendable offerings that rank alike, by their positions in `cat.offerings`: `head` is one
    of them; `by_price[basis]` all of them by (price on that basis, the GPU's estimate where unknown;
    provider order; name), `prices[basis]` those prices (inf: unknown) and, for fixed-count SKUs,
    `raw[basis]` each one's own catalog price (inf: none), which engine.smallest_skus compares."""

    head: int
    by_price: dict[str, list[int]] = field(default_factory=dict)
    prices: dict[str, list[float]] = field(default_factory=dict)
    raw: dict[str, list[float]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)  # catalog order (while building)


def class_key(off: Offering, billing_key) -> tuple:
    hw = off.hw
    assert hw is not None
    return (hw.id, off.usable_gib, off.vram_gb, off.max_count, off.fixed_count,
            off.provider if off.fixed_count else None, billing_key)


def _billing_key(provider) -> tuple | None:
    b = provider.billing
    return None if b is None else (b.host_rates("list"), b.host_rates("lowest"))


_INDEX: list = [None, None]  # [the offerings indexed, their classes]


def offering_classes(cat) -> list[OfferingClass]:
    """The catalog's recommendable offerings as classes: read from the cache's index where the
    offerings came from it (catalog.rows), else built once per offerings list."""
    offerings = cat.offerings
    if _INDEX[0] is offerings:
        return _INDEX[1]
    cached = getattr(offerings, "cached_index", None)
    classes = _decode_classes(cached["classes"]["classes"]) if cached else _build_classes(cat)
    _INDEX[:] = [offerings, classes]
    return classes


def _build_classes(cat) -> list[OfferingClass]:
    from gpuadvisor.engine import recommendable

    billing = {pid: _billing_key(p) for pid, p in cat.providers.items()}
    classes: dict[tuple, OfferingClass] = {}
    for i, o in enumerate(cat.offerings):
        if recommendable(o):
            key = class_key(o, billing[o.provider])
            c = classes.get(key)
            if c is None:
                c = classes[key] = OfferingClass(i)
            c.rows.append(i)
    return list(classes.values())


def sorted_members(cat, cls: OfferingClass, basis: str) -> list[int]:
    """The class's rows by their quote's order on `basis`: own price, else the GPU's estimate (one
    figure for the whole class), unknown last; then provider order and name (the sort key's tail)."""
    if basis not in cls.by_price:
        offerings = cat.offerings
        head = offerings[cls.head]
        est = _estimate(offerings, basis, head.gpu_hw.id)
        fallback = math.inf if est is None else est[0]
        order = _provider_order(cat)
        rows = []
        for i in cls.rows:
            o = offerings[i]
            own = _own(o, basis)
            rows.append((fallback if own is None else own.per_hour, order.get(o.provider, 0), o.name, i,
                         o.price_per_hour if o.price_per_hour is not None else math.inf))
        rows.sort(key=lambda r: r[:3])
        cls.by_price[basis] = [r[3] for r in rows]
        cls.prices[basis] = [r[0] for r in rows]
        if head.fixed_count:
            cls.raw[basis] = [r[4] for r in rows]
    return cls.by_price[basis]


def class_prices(cat, cls: OfferingClass, basis: str) -> list[float]:
    """The per-GPU price of each of sorted_members' rows (inf: unknown); from the cache's index
    (its `prices` line, read only here: a budget) where there is one."""
    if basis not in cls.prices:
        cached = getattr(cat.offerings, "cached_index", None)
        if cached is None:
            sorted_members(cat, cls, basis)
        else:
            for c, prices in zip(offering_classes(cat), cached["prices"], strict=True):
                c.prices = {b: _inf(prices.get(b, prices["list"])) for b in BASES}
    return cls.prices[basis]


def row_providers(cat) -> list[str]:
    """Each offering's provider, by position (from the cache's index without rebuilding the offerings)."""
    cached = getattr(cat.offerings, "cached_index", None)
    if cached:
        names = list(cat.providers)
        return [names[i] for i in cached["providers"]]
    return [o.provider for o in cat.offerings]


def encode_index(cat) -> dict:
    """What the cache keeps beside a large catalog's rows (catalog.rows.CachedIndex): `classes`, each
    sorted on every basis (a basis in the same order as "list" is left out), with each GPU's price
    estimate on every basis (pricing._estimate); `prices`, per class; `providers`, per row."""
    classes = _build_classes(cat)
    gpus = set()
    for c in classes:
        for basis in BASES:
            sorted_members(cat, c, basis)
        gpus.add(cat.offerings[c.head].gpu_hw.id)
    position = {p: i for i, p in enumerate(cat.providers)}

    def same_as_list(table: dict) -> dict:
        return {b: _finite(v) for b, v in table.items() if b == "list" or v != table["list"]}

    return {
        "classes": {"classes": [[c.head, {b: v for b, v in c.by_price.items() if b == "list" or v != c.by_price["list"]},
                                 {b: _finite(v) for b, v in c.raw.items()}] for c in classes],
                    "estimates": {b: {g: _estimate(cat.offerings, b, g) for g in sorted(gpus)} for b in BASES}},
        "prices": [same_as_list(c.prices) for c in classes],
        "providers": [position[o.provider] for o in cat.offerings],
    }


def _finite(xs: list[float]) -> list[float | None]:
    return [None if x == math.inf else x for x in xs]  # JSON has no inf


def _inf(xs: list[float | None]) -> list[float]:
    return [math.inf if x is None else x for x in xs]


def _decode_classes(rows: list) -> list[OfferingClass]:
    out = []
    for head, by_price, raw in rows:
        by_price.setdefault("lowest", by_price["list"])
        if raw:
            raw.setdefault("lowest", raw["list"])
        out.append(OfferingClass(head, by_price, {}, {b: _inf(v) for b, v in raw.items()}))
    return out


def _provider_order(cat) -> dict[str, int]:
    return {p: i for i, p in enumerate(cat.providers)}


class Stream:
    """One class's fitting candidates in rank order, each built when first read."""

    def __init__(self, members: list[int], make):
        self.members, self.make = members, make
        self._built: dict = {}

    def __len__(self) -> int:
        return len(self.members)

    def at(self, i: int):
        c = self._built.get(i)
        if c is None:
            c = self._built[i] = self.make(self.members[i])
        return c


class LazyCandidates(Sequence):
    """The merged streams in the objective's order; candidates are built as they are read."""

    def __init__(self, streams: list[Stream], key, finish):
        self.streams, self.key, self.finish = [s for s in streams if len(s)], key, finish
        self._n = sum(len(s) for s in self.streams)
        self._done: list = []
        self._merge: Iterator | None = None

    def __len__(self) -> int:
        return self._n

    def _fill(self, upto: int) -> None:
        if self._merge is None:
            self._merge = heapq.merge(*(map(s.at, range(len(s))) for s in self.streams), key=self.key)
        while len(self._done) < upto:
            c = next(self._merge, None)
            if c is None:
                break
            self._done.append(self.finish(c))

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(self._n)
            self._fill(max(start, stop))
            return self._done[i]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        self._fill(i + 1)
        return self._done[i]

    def __iter__(self):
        i = 0
        while i < self._n:
            self._fill(i + 1)
            yield self._done[i]
            i += 1

    def position(self, c) -> int:
        """1-based place of candidate `c` in this order, counted (a bisection per stream), not merged."""
        k = self.key(c)
        before = 0
        for s in self.streams:  # each stream is in key order: bisect it
            lo, hi = 0, len(s)
            while lo < hi:
                mid = (lo + hi) // 2
                if self.key(s.at(mid)) < k:
                    lo = mid + 1
                else:
                    hi = mid
            before += lo
        return 1 + before

    def heads(self) -> list:
        return [s.at(0) for s in self.streams]


def fitting_classes(cat, req, job, excluded: dict[str, int]) -> list[tuple[list[int], int, Throughput]]:
    """(positions in `cat.offerings`, in rank order; count; throughput) for each class that fits,
    with `excluded` counted as engine.rank_each counts it; fixed-count SKUs give only the survivor
    of each provider and GPU (engine.smallest_skus)."""
    from gpuadvisor.engine import gpu_limit
    from gpuadvisor.perf import throughput
    from gpuadvisor.readable import readable
    from gpuadvisor.sharding import fit_count

    w, basis, offerings = req.workload, req.price_basis, cat.offerings
    speeds: dict = {}
    ref = cat.gpus.get("l4")
    staged = []
    skus: dict[tuple, tuple] = {}  # (provider, gpu) -> (count, own price, position, throughput)
    providers = row_providers(cat) if req.providers else []
    budget = req.budget_per_hour
    for cls in offering_classes(cat):
        off = offerings[cls.head]
        rows = sorted_members(cat, cls, basis)
        raw = cls.raw.get(basis, [])
        prices = class_prices(cat, cls, basis) if budget is not None else []
        if req.providers:
            keep = [j for j, i in enumerate(rows) if providers[i] in req.providers]
            if not keep:
                continue
            rows = [rows[j] for j in keep]
            raw, prices = ([xs[j] for j in keep] if xs else [] for xs in (raw, prices))
        n = len(rows)
        hw = off.gpu_hw
        limit = 1 if w.single_gpu else gpu_limit(off, req.max_gpus)
        count = fit_count(off, job, req.vram_gb, limit, w.pow2_counts)
        if count is None:
            excluded["too_small"] += n
            continue
        if hw.nvenc < max(req.min_nvenc, w.min_nvenc if job.model == "transcode" else 0):
            excluded["min_nvenc"] += n
            continue
        if job.model == "transcode" and job.codec == "av1" and not hw.av1_encode:
            excluded["no_av1"] += n
            continue
        thr = speeds.get((hw.id, count))
        if thr is None:
            thr = speeds[hw.id, count] = readable(throughput(cat.perf, job, hw, count, ref), count, job.batch)
        if thr.value <= 0:
            excluded["no_engines"] += n
            continue
        if budget is not None:
            fits, unknown = _within_budget(prices, count, _host_per_gpu(cat, off, count, basis, w), budget)
            excluded["no_price_for_budget"] += n - unknown
            excluded["over_budget"] += unknown - fits
            rows, raw = rows[:fits], raw[:fits]
            if not rows:
                continue
        if off.fixed_count:
            k = (off.provider, hw.id)  # a fixed-count class is one provider's
            for i, own in zip(rows, raw, strict=True):  # per provider and GPU: the fewest GPUs, then the cheapest
                if k not in skus or (count, own, i) < skus[k][:3]:
                    skus[k] = (count, own, i, thr)
            continue
        staged.append((rows, count, thr))
    staged += [([i], count, thr) for count, _, i, thr in skus.values()]
    return staged


def _within_budget(prices: list[float], count: int, host: float, budget: float) -> tuple[int, int]:
    """(how many of the sorted per-GPU `prices` fit the budget for the whole worker, how many are known):
    a bisection, then the exact test engine.rank_each applies, (price + host) × count ≤ budget."""
    unknown = bisect.bisect_left(prices, math.inf)
    fits = bisect.bisect_right(prices, budget / count - host, hi=unknown)
    while fits and (prices[fits - 1] + host) * count > budget:
        fits -= 1
    while fits < unknown and (prices[fits] + host) * count <= budget:
        fits += 1
    return fits, unknown


def _host_per_gpu(cat, off: Offering, count: int, basis: str, w) -> float:
    """What worker_quote adds to each GPU's price for the host billed apart (0 where none)."""
    from gpuadvisor.pricing import with_host

    host = w or cat.workloads.get("general")
    billing = cat.providers[off.provider].billing
    if host is None or billing is None:
        return 0.0
    from gpuadvisor.pricing import Quote

    q = with_host(Quote(0.0, "", False, ""), billing, count, host.host_vcpus, host.host_memory_gb, basis)
    return q.per_hour if q is not None else 0.0
