"""Prices on one basis: what a GPU-hour of an offering costs for ranking, and how that was known.

Catalog prices come on different bases: on-demand ("list" on Modal, "flex" on RunPod) and
discounted or committed ("as low as" and "starting at" on fal, RunPod's "active" workers). Ranking
on a mix would let a discount win against list prices, so `recommend` ranks on one basis:

  list    the on-demand price. An offering without one gets an *estimate*: the median on-demand
          price of the same GPU's offerings elsewhere (pools count as their weakest member), and
          says so. An offering whose GPU has no on-demand price anywhere stays unpriced.
  lowest  the lowest published figure (a discount or commitment where the catalog has one, else
          the on-demand price), estimated the same way when the offering has neither.

An unknown price is never scored as a neutral middle: it is estimated, or it is shown as unknown
and ranked after every priced option.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gpuadvisor.models import Offering, Price

BASES = ("list", "lowest")
# Words that mark a figure as discounted or committed rather than on-demand. Catalogs put those in
# `price_low`; a `price` whose basis says one of them (an older user catalog) is treated the same.
DISCOUNTED = ("as low as", "starting at", "from", "active", "committed", "reserved", "spot", "discount", "volume")


@dataclass(frozen=True)
class Quote:
    """The per-GPU hourly price used for one offering (per machine for CPU types)."""

    per_hour: float
    basis: str  # the basis of the figure(s) used: "list", "flex", "as low as", …
    estimated: bool
    how: str  # a sentence for the reasons: where the figure comes from
    as_of: str = ""
    host_per_hour: float = 0.0  # of per_hour × count: CPU and RAM billed on top of the GPU, for the whole worker
    host: tuple[float, float] = (0.0, 0.0)  # the (vCPUs, GB of RAM) that host_per_hour pays for
    provider: str = ""  # whose price this is (named by the stale-price line)

    def to_json(self) -> dict:
        from gpuadvisor.freshness import dated

        return {"per_hour": round(self.per_hour, 4), "basis": self.basis, "estimated": self.estimated,
                "how": self.how, **dated(self.as_of), "provider": self.provider or None,
                "host_per_hour": round(self.host_per_hour, 4)}


def on_demand(off: Offering) -> Price | None:
    if off.price is None:
        return None
    return None if off.price.basis.lower().startswith(DISCOUNTED) else off.price


def lowest(off: Offering) -> Price | None:
    prices = [p for p in (off.price, off.price_low) if p is not None]
    return min(prices, key=lambda p: p.per_hour) if prices else None


def _own(off: Offering, basis: str) -> Price | None:
    return on_demand(off) if basis == "list" else lowest(off)


def _describe(p: Price) -> str:
    return f"${p.per_hour:,.2f}/h, {p.basis}, as of {p.as_of}"


def _one_per_ladder(peers: list) -> list:
    """A provider's fixed-count SKUs of one GPU (1, 2, 4, 8 GPUs) count once in a median: its smallest."""
    smallest: dict[str, int] = {}
    for o, _ in peers:
        if o.fixed_count:
            smallest[o.provider] = min(smallest.get(o.provider, o.fixed_count), o.fixed_count)
    return [(o, p) for o, p in peers if not o.fixed_count or o.fixed_count == smallest[o.provider]]


_INDEX: list = [None, {}]  # [the offerings list indexed, {basis: {gpu id: [(offering, price), …]}}]


def _priced_by_gpu(offerings: list[Offering], basis: str) -> dict[str, list]:
    """Each GPU's priced offerings on `basis` (a provider's SKU ladder once), indexed once per catalog:
    estimating every unpriced offering of a 10,000-offering catalog by scanning it each time took 20 s."""
    if _INDEX[0] is not offerings:
        _INDEX[:] = [offerings, {}]
    table = _INDEX[1]
    if basis not in table:
        groups: dict[str, list] = {}
        for o in offerings:
            if o.hw is not None and o.kind != "cpu" and (p := _own(o, basis)) is not None:
                groups.setdefault(o.hw.id, []).append((o, p))
        table[basis] = {gid: _one_per_ladder(peers) for gid, peers in groups.items()}
    return table[basis]


def quote(off: Offering, offerings: list[Offering], basis: str = "list") -> Quote | None:
    """The price of one GPU of `off` on `basis`, estimated from the same GPU elsewhere if needed."""
    own = _own(off, basis)
    if own is not None:
        return Quote(own.per_hour, own.basis, False, _describe(own), own.as_of, provider=off.provider)
    if off.hw is None:
        return None
    estimate = _estimate(offerings, basis, off.hw.id)
    if estimate is None:
        return None
    value, kinds, named, as_of = estimate
    had = ""
    if basis == "list" and (own := lowest(off)) is not None:
        had = f"; its own {own.basis} price is ${own.per_hour:,.2f}/h"
    how = f"≈${value:,.2f}/h estimated: the median {kinds} price of {off.hw.id} elsewhere ({named}){had}"
    return Quote(value, kinds, True, how, as_of, provider=off.provider)


def shown_quote(off: Offering, offerings: list[Offering]) -> Quote | None:
    """The per-GPU price `list` and `show` print for an offering: the list-basis quote that recommend,
    translate and cost use, except that a catch-all pool nobody is advised to write (RunPod's ANY) gets
    no estimate: it bills whichever GPU it lands on, not its weakest member's price."""
    if off.kind == "pool" and not off.recommend:
        own = _own(off, "list")
        return None if own is None else Quote(own.per_hour, own.basis, False, _describe(own), own.as_of)
    return quote(off, offerings)


def _estimate(offerings: list[Offering], basis: str, gpu_id: str) -> tuple | None:
    """(median $/h, bases, the offerings named, newest as_of) of a GPU's priced offerings, once per GPU
    (or as the catalog cache worked it out for a large catalog: catalog.rows)."""
    cached = getattr(offerings, "cached_index", None)
    if cached is not None and gpu_id in (known := cached["classes"]["estimates"].get(basis, {})):
        return None if known[gpu_id] is None else tuple(known[gpu_id])
    peers = _priced_by_gpu(offerings, basis).get(gpu_id)  # (re)indexes _INDEX for this catalog
    key = ("estimate", basis, gpu_id)
    table = _INDEX[1]
    if key not in table:
        if not peers:
            table[key] = None
        else:
            kinds = "/".join(sorted({p.basis.split(",")[0].strip() for _, p in peers}))  # "flex, pool tier" is flex
            named = ", ".join(f"{o.provider} {o.name} ${p.per_hour:,.2f}" for o, p in peers[:4])
            table[key] = (_median([p.per_hour for _, p in peers]), kinds, named, max(p.as_of for _, p in peers))
    return table[key]


def _median(values: list[float]) -> float:
    """The median, as statistics.median gives it: importing `statistics` (fractions, decimal,
    random) cost 7.5 ms on every `recommend` that estimates a price, for a handful of numbers."""
    ordered, mid = sorted(values), len(values) // 2
    return ordered[mid] if len(values) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def with_host(q: Quote | None, billing, count: int, vcpus: float, memory_gb: float, basis: str = "list") -> Quote | None:
    """The quote with the worker's CPU and RAM added where the provider bills them apart from the
    GPU (see [provider.billing] host_*): comparing GPU-only prices with hosts that include them would make
    those providers look cheaper than they bill. Spread over the GPUs, so per_hour × count is the bill."""
    if q is None or billing is None:
        return q
    per_vcpu, per_gb = billing.host_rates(basis)
    host = vcpus * per_vcpu + memory_gb * per_gb
    if host <= 0:
        return q
    how = (f"{q.how}; + ${host:,.2f}/h for {vcpus:g} vCPUs and {memory_gb:g} GB of RAM billed on top "
           f"(${per_vcpu:,.4f} per vCPU-hour, ${per_gb:,.4f} per GB-hour; the workload's assumed host)")
    return replace(q, per_hour=q.per_hour + host / count, how=how, host_per_hour=host, host=(vcpus, memory_gb))


@dataclass(frozen=True)
class Change:
    """What one translated option does to the bill: the whole configuration's $/h before and after,
    on one basis (as `recommend` ranks), with the quotes that say where each figure comes from."""

    source: Quote | None
    target: Quote | None
    source_count: int
    target_count: int
    basis: str

    @property
    def before(self) -> float | None:
        return None if self.source is None else self.source.per_hour * self.source_count

    @property
    def after(self) -> float | None:
        return None if self.target is None else self.target.per_hour * self.target_count

    @property
    def difference(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def ratio(self) -> float | None:
        return None if self.difference is None or not self.before or self.after is None else self.after / self.before

    def text(self) -> str:
        """`$8.40 → $10.96/h (+30%)`, with * on an estimated figure; `—` for an unknown one."""
        def money(q: Quote | None, total: float | None) -> str:
            return "—" if total is None else f"${total:,.2f}" + ("*" if q is not None and q.estimated else "")  # a total has its quote

        out = f"{money(self.source, self.before)} → {money(self.target, self.after)}/h"
        if self.ratio is not None and abs(self.ratio - 1) >= 0.005:
            out += f" ({(self.ratio - 1) * 100:+.0f}%" + (f", {self.ratio:.1f}× the bill" if self.ratio >= 1.5 else "") + ")"
        elif self.ratio is not None:
            out += " (same)"
        return out

    def to_json(self) -> dict:
        rnd = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {"basis": self.basis, "source_per_hour": rnd(self.before), "target_per_hour": rnd(self.after),
                "difference_per_hour": rnd(self.difference),
                "difference_pct": None if self.ratio is None else round((self.ratio - 1) * 100, 1),
                "source_quote": self.source.to_json() if self.source else None,
                "target_quote": self.target.to_json() if self.target else None}


def worker_quote(cat, off: Offering, count: int, basis: str = "list", host=None) -> Quote | None:
    """The price of `count` × `off` as its provider bills a worker: the GPU's quote, plus the worker's
    CPU and RAM where the provider bills them apart. `host` is the workload whose host is assumed
    (default `general`). A CPU type's price is the whole machine already. `recommend`, `cost` and
    `translate` all price through here, so their figures agree."""
    q = quote(off, cat.offerings, basis)
    host = host or cat.workloads.get("general")
    if off.kind == "cpu" or host is None:
        return q
    return with_host(q, cat.providers[off.provider].billing, count, host.host_vcpus, host.host_memory_gb, basis)


def change(source: Offering, n: int, target: Offering, m: int, cat, basis: str = "list") -> Change:
    """The bill before and after a translation of one option (n × source → m × target), each side
    priced as a worker (worker_quote): a GPU-only price would flatter providers that bill the host apart."""
    return Change(worker_quote(cat, source, n, basis), worker_quote(cat, target, m, basis), n, m, basis)
