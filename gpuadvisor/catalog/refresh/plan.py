"""From a parsed price source to what a refresh changes: the diff against the catalog in use
(with any earlier overlay), the plausibility guard, and the overlay to write.

Guard: a price moving more than ±60 % and a price the source no longer lists ("vanished") are
held back (the old price stays) unless accepted; a parse that finds under half of the prices the
source is known to carry is refused whole (a changed page layout must not wipe a catalog).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date

from gpuadvisor.catalog.refresh import Target, norm
from gpuadvisor.catalog.refresh.overlay import Overlay
from gpuadvisor.errors import GpuAdvisorError
from gpuadvisor.models import Price

MAX_CHANGE = 0.60  # ±60 %


class ParseTooSmall(GpuAdvisorError):
    """The source parsed, but into too few prices to trust: nothing is written (exit 1)."""

    exit_code = 1


@dataclass
class Change:
    """One price of the diff: offering, field, old → new $/h and dates, and what happens to it."""

    offering: str
    field: str
    old: Price | None
    new: Price | None
    status: str  # changed | same | new | vanished | older (the source predates the price in use: kept)
    held: bool = False

    @property
    def pct(self) -> float | None:
        if self.old is None or self.new is None or not self.old.per_hour:
            return None
        return (self.new.per_hour / self.old.per_hour - 1) * 100

    def to_json(self) -> dict:
        return {"offering": self.offering, "field": self.field, "status": self.status, "held": self.held,
                "old": None if self.old is None else self.old.per_hour,
                "new": None if self.new is None else self.new.per_hour,
                "pct": None if self.pct is None else round(self.pct, 1),
                "old_per_hour": None if self.old is None else self.old.per_hour,
                "new_per_hour": None if self.new is None else self.new.per_hour,
                "change_pct": None if self.pct is None else round(self.pct, 1),
                "old_as_of": None if self.old is None else self.old.as_of,
                "new_as_of": None if self.new is None else self.new.as_of}


@dataclass
class Plan:
    provider: str
    url: str
    as_of: str
    published: str | None
    changes: list[Change] = field(default_factory=list)
    unmapped: list[tuple[str, float]] = field(default_factory=list)  # source rows no offering takes
    found: int = 0
    known: int = 0
    overlay: Overlay | None = None

    @property
    def held(self) -> list[Change]:
        return [c for c in self.changes if c.held]

    written: bool = False
    page: str = ""  # the human pricing page the source reflects
    source_age: int | None = None  # days from the prices' as_of to today

    def to_json(self) -> dict:
        """The contract's shape (provider, source, fetched_at, changes, added, vanished, held_back,
        written), plus the counts and the source's unmapped rows."""
        named = lambda c: c.offering + ("" if c.field == "price" else f" ({c.field})")  # noqa: E731
        return {"provider": self.provider, "source": self.url,
                "fetched_at": self.overlay.refreshed if self.overlay else None,
                "as_of": self.as_of, "published": self.published, "source_age_days": self.source_age,
                "found": self.found, "known": self.known,
                "changes": [c.to_json() for c in self.changes if c.status != "same"],
                "added": [named(c) for c in self.changes if c.status == "new"],
                "vanished": [named(c) for c in self.changes if c.status == "vanished"],
                "held_back": [named(c) for c in self.held],
                "unchanged": sum(c.status == "same" for c in self.changes),
                "written": self.written,
                "unmapped": [{"label": label, "per_hour": ph} for label, ph in self.unmapped]}


def _targets(cat, provider: str, t: Target) -> list:
    offs = cat.offerings_of(provider)
    if t.offering:
        return [o for o in offs if o.name.lower() == t.offering.lower()]
    return [o for o in offs if o.kind == "gpu" and not o.legacy and o.hw is not None and o.hw.id == t.gpu]


def _followers(cat, provider: str, pool, fld: str) -> list:
    """Typed GPUs that carry a pool's price (RunPod bills by tier): same figure, date and source."""
    old = getattr(pool, fld)
    if pool.kind != "pool" or old is None:
        return []
    members = {g.id for g in pool.gpus}
    return [o for o in cat.offerings_of(provider) if o.kind == "gpu" and o.hw is not None and o.hw.id in members
            and (p := getattr(o, fld)) is not None and p.per_hour == old.per_hour and p.as_of == old.as_of
            and p.source == old.source]


def known(cat, module) -> set[tuple[str, str]]:
    """(offering, field) pairs the source is known to price: what its labels map to, priced now."""
    out = set()
    for targets in module.TARGETS.values():
        for t in targets:
            for o in _targets(cat, module.SOURCE.provider, t):
                if getattr(o, t.field) is not None:
                    out.add((o.name, t.field))
                    out.update((f.name, t.field) for f in _followers(cat, module.SOURCE.provider, o, t.field))
    return out


def make_plan(cat, module, text: str, url: str, today: date, accept: bool = False,
              previous: Overlay | None = None) -> Plan:
    """What refreshing `module`'s provider from `text` (fetched from `url`) would change."""
    provider = module.SOURCE.provider
    rows, published = module.parse(text)
    as_of = min(published, today.isoformat()) if published else today.isoformat()
    plan = Plan(provider, url, as_of, published, page=module.SOURCE.page,
                source_age=(today - date.fromisoformat(as_of)).days)
    source = f"{url} (read {today.isoformat()}" + (f"; the file is dated {published})" if published else ")")
    new: dict[tuple[str, str], Price] = {}
    by_name = {o.name: o for o in cat.offerings_of(provider)}
    for row in rows:
        targets = module.TARGETS.get(norm(row.label))
        if not targets:
            plan.unmapped.append((row.label, row.per_hour))
            continue
        for t in targets:
            price = Price(round(row.per_hour * t.factor, 6), as_of, source, t.basis,
                          None if row.per_second is None else round(row.per_second * t.factor, 9), t.note)
            for o in _targets(cat, provider, t):
                new[(o.name, t.field)] = price
                for f in _followers(cat, provider, o, t.field):
                    old = getattr(f, t.field)
                    new.setdefault((f.name, t.field), Price(price.per_hour, as_of, source, old.basis,
                                                            price.per_second, old.note))
    want = known(cat, module)
    plan.known, plan.found = len(want), len(want & set(new))
    if want and plan.found * 2 < len(want):
        raise ParseTooSmall(f"{provider}: the source gave {plan.found} of the {len(want)} prices it is known to "
                            f"carry ({url}); its layout may have changed. Nothing was written")
    for (name, fld), price in sorted(new.items()):
        old = getattr(by_name[name], fld)
        status = "new" if old is None else ("same" if old.per_hour == price.per_hour else "changed")
        if old is not None and price.as_of[:10] < old.as_of[:10]:
            status = "older"  # the source predates the price in use (a hand-checked later figure): kept
        c = Change(name, fld, old, price, status)
        c.held = status != "older" and not accept and c.pct is not None and abs(c.pct) > MAX_CHANGE * 100
        plan.changes.append(c)
    for name, fld in sorted(want - set(new)):
        plan.changes.append(Change(name, fld, getattr(by_name[name], fld), None, "vanished", held=not accept))
    plan.overlay = _overlay(plan, previous)
    return plan


def _overlay(plan: Plan, previous: Overlay | None) -> Overlay:
    """The provider's overlay after this refresh: the earlier one, updated with every accepted price."""
    from datetime import datetime

    prices = {name: dict(fields) for name, fields in (previous.prices.items() if previous else [])}
    for c in plan.changes:
        if not c.held and c.status != "older":
            prices.setdefault(c.offering, {})[c.field] = c.new  # None: vanished and accepted (dropped)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Overlay(plan.provider, plan.url, stamp, prices)
