"""Cells and CSV helpers the views share."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gpuadvisor.models import Offering


def price_cell(q) -> str:
    """One offering's $/GPU-hour as every command shows it (pricing.quote on the list basis): `*` marks
    an estimate, `—` an unknown price. A discounted "as low as" figure is never shown as the list price."""
    if q is None:
        return "—"
    return f"{q.per_hour:.2f}" + ("*" if q.estimated else "")


def offering_record(off: Offering, q) -> dict:
    """An offering's JSON with its price as every command uses it: `price_per_hour` is the on-demand
    figure (estimated where `price_estimated`; null where unknown; never an "as low as" figure)."""
    rec = off.to_json()
    rec["price_per_hour"] = None if q is None else round(q.per_hour, 4)
    rec["price_estimated"] = bool(q and q.estimated)
    rec["price_basis"] = None if q is None else q.basis
    return rec


def codecs_cell(nvenc: int, nvdec: int, av1: bool) -> str:
    return f"{nvenc}/{nvdec}" + (" AV1" if av1 else "")


def what_cell(off: Offering) -> str:
    if off.kind == "cpu":
        return "CPU only"
    if off.kind == "pool":
        if len(off.gpus) > 4:
            return f"pool of {len(off.gpus)} GPUs (from {off.gpu_hw.id})"
        return "pool: " + ", ".join(g.id for g in off.gpus)
    return off.gpu or ""


def csv_value(v):
    """A CSV cell: lists joined with ";", multi-line text (fal's two-line config) with "; "."""
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, str) and "\n" in v:
        return "; ".join(line.strip() for line in v.splitlines() if line.strip())
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def csv_records(records: list[dict], columns: tuple[str, ...]):
    return lambda: (list(columns), [[csv_value(r.get(c)) for c in columns] for r in records])


def gib(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 else f"{x:,.1f}"
