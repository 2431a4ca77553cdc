"""`estimate` as a View: the breakdown with its formulas, then the smallest fit per provider."""

from __future__ import annotations

from typing import Any

from gpuadvisor.render import View
from gpuadvisor.views.common import gib


def estimate_view(est, smallest: dict, cat) -> View:
    """The breakdown with its formulas, then the smallest configuration per provider."""
    from gpuadvisor.apps.write.syntax import Option, write_config
    from gpuadvisor.pricing import worker_quote
    from gpuadvisor.units import human_tokens

    fits: dict[str, dict[str, Any] | None] = {}
    for pid, pick in smallest.items():
        if pick is None:
            fits[pid] = None
            continue
        off, count = pick
        q = worker_quote(cat, off, count)  # the worker's price, as recommend, cost and translate give it
        fits[pid] = {"name": off.name, "gpu": off.hw.id, "count": count, "vram_gb": off.vram_gb,
                     "total_vram_gb": off.vram_gb * count, "usable_gib": off.usable_gib,
                     "total_usable_gib": round(off.usable_gib * count, 2),
                     "config": write_config(cat.providers[pid], [Option(off, count)]),
                     "price_per_hour": None if q is None else round(q.per_hour * count, 4),
                     "price_estimated": bool(q and q.estimated)}
    view = View({"estimate": est.to_json(), "smallest_fit": fits})
    ctx = f", {human_tokens(est.context)} context" if est.context else ""
    mode = "" if est.mode == "inference" else f", {est.mode} fine-tuning"
    view.text(f"{est.name}: {est.dtype}{ctx}, batch {est.batch}{mode}" + (" (approximate)" if est.approximate else ""),
              style="title")
    rows = [[ln.name, f"{ln.gb:,.1f}", ln.formula] for ln in est.lines]
    rows.append(["total", f"{est.total_gb:,.1f}", "sum of the above"])
    view.table(["component", "GiB", "how"], rows, right={1}, prose={2}, head=2)
    if est.warnings:
        view.text(*[f"warning: {w}" for w in est.warnings], style="warn")
    if est.notes:
        view.text(*[f"• {n}" for n in est.notes], style="dim")
    rows = []
    for pid, f in fits.items():
        if f is None:
            rows.append([pid, "nothing fits", "", "", "", ""])
        else:
            size = gib(f["usable_gib"])
            rows.append([pid, f["name"], f"{f['count']} × {size}" if f["count"] > 1 else size,
                         gib(f["total_usable_gib"]), f["config"], "—" if f["price_per_hour"] is None
                         else f"{f['price_per_hour']:,.2f}" + ("*" if f["price_estimated"] else "")])
    view.table(["provider", "smallest fit", "GiB usable", "total", "config", "$/h"], rows, right={2, 3, 5},
               keep={0, 1}, code={4}, head=2,
               title=f"Smallest configuration per provider for {est.total_gb:,.1f} GiB (fewest GPUs, then cheapest)")
    if any(f and f["price_estimated"] for f in fits.values()):
        view.text("* estimated: the median on-demand price of the same GPU elsewhere (see --json for the sources).",
                  style="dim")
    view.text("To rank by work done per dollar: gpuadvisor recommend with the same options.", style="dim")
    return view
