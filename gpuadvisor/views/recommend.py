"""`recommend` as a View: the contract's JSON, a table of picks, and with --explain each pick's formula."""

from __future__ import annotations

from gpuadvisor.engine import speed_text
from gpuadvisor.render import View
from gpuadvisor.views.common import csv_value, gib


def recommend_view(ranking, top: int, explain: bool, est=None, tips: tuple[str, ...] | None = None) -> View:
    """`tips`: the workload guidance that applies (Workload.tips); None: all of it."""
    """The contract's recommend JSON, a table of picks, and with --explain each pick's throughput
    formula. The header names the best value, the cheapest and the fastest option whatever the order."""
    req = ranking.requirement
    picks = ranking.candidates[:top]
    w = req.workload
    best = ranking.best()
    unit = picks[0].throughput.unit if picks else ""
    data = {
        "query": {"vram_gib": req.vram_gb, "vram_gb": req.vram_gb, "workload": w.id, "providers": list(req.providers) or None,
                  "max_gpus": req.max_gpus, "top": top, "min_nvenc": req.min_nvenc,
                  "budget_per_hour": req.budget_per_hour, "headroom": w.headroom, "optimize": req.optimize,
                  "price_basis": req.price_basis, "min_throughput": req.min_throughput,
                  "floor": None if ranking.floor is None else {"value": round(ranking.floor, 4), "unit": unit},
                  "ceiling": None if ranking.ceiling is None else {"value": round(ranking.ceiling, 4), "unit": unit}},
        "recommendations": [c.to_json(i) for i, c in enumerate(picks, 1)],
        "best": best,
        "workload": w.to_json(),
        "considered": len(ranking.candidates),
        "excluded": {k: v for k, v in ranking.excluded.items() if v},
    }
    if est is not None:
        data["query"]["estimate"] = est.to_json()
    if ranking.job is not None and ranking.job.assumed:
        data["query"]["assumed"] = list(ranking.job.assumed)
    cols = ("rank", "provider", "name", "gpu", "count", "vram_gb", "total_vram_gb", "total_usable_gib", "score",
            "price_per_hour", "total_price_per_hour", "price_basis", "price_estimated", "config", "reasons")

    def csv_rows():
        rows = []
        for r in data["recommendations"]:
            row = [csv_value(r[c]) if c != "reasons" else "; ".join(r[c]) for c in cols]
            rows.append(row + [r["throughput"]["value"], r["throughput"]["unit"],
                               (r["cost_per_unit"] or {}).get("value", ""), (r["cost_per_unit"] or {}).get("unit", "")])
        return list(cols) + ["throughput", "throughput_unit", "cost_per_unit", "cost_unit"], rows

    view = View(data, csv=csv_rows)
    if est is not None:
        job = ranking.job
        requests = (f", requests of {job.tokens_in:,} in / {job.tokens_out:,} out"
                    if job is not None and job.model == "llm" and job.tokens_out else "")
        view.text(f"{est.name} ({est.dtype}" + (f", {est.context:,} tokens" if est.context else "")
                  + f", batch {est.batch}, {est.mode}{requests}) needs ≈ {est.total_gb:,.1f} GiB — see `gpuadvisor estimate` for the breakdown",
                  style="dim")
        if est.warnings:
            view.text(*[f"warning: {w}" for w in est.warnings], style="warn")
    order = {"value": "best value first", "cost": "cheapest first", "speed": "fastest first"}[req.optimize]
    view.text(f"{w.name}, {gib(req.vram_gb)} GiB — {len(ranking.candidates)} configurations fit; top {len(picks)}, {order}:",
              style="title")
    view.text(*_best_lines(ranking, best), style="dim")
    rows = []
    for i, c in enumerate(picks, 1):
        o = c.offering
        size = f"{c.count} × {gib(o.usable_gib)}" if c.count > 1 else gib(o.usable_gib)
        price = "—" if c.total_price_per_hour is None else f"{c.total_price_per_hour:,.2f}" + ("*" if c.quote.estimated else "")
        cpu = c.value_cost
        rows.append([str(i), o.provider, o.name, c.hw.id, size, f"{speed_text(c.throughput.value)}", price,
                     "—" if cpu is None else _cost(cpu), c.config] + (["\n".join(c.reasons)] if explain else []))
    # Short by default (issue 25): a pick is its row and its config; the reasons come with --explain (and in JSON).
    view.table(["#", "provider", "name", "GPU", "GiB usable", unit, "$/h", picks[0].throughput.cost_unit if picks else "",
                "config"] + (["why"] if explain else []), rows, right={0, 4, 5, 6, 7}, keep={1, 2, 3, 7}, code={8}, moves=(4, 6, 5),
               prose={9} if explain else set(), head=4)
    if explain:
        for i, c in enumerate(picks, 1):
            lines = [f"#{i} {c.offering.provider} {c.offering.name}" + (f" ×{c.count}" if c.count > 1 else "") + ":",
                     f"  {c.throughput.formula}"]
            lines += [f"  {k}: {v}" for k, v in c.throughput.inputs]
            lines += [f"  {n}: {speed_text(v)} {u}" for n, v, u in c.throughput.extra]
            if c.quote is not None:
                lines.append(f"  price: {c.quote.how}")
            view.text(*lines, style="dim")
    notes = []
    if any(c.quote is not None and c.quote.estimated for c in picks):
        notes.append("* estimated price: the median on-demand price of the same GPU elsewhere (see the reasons).")
    notes += [f"• {g}" for g in (w.guidance if tips is None else tips)]
    if ranking.excluded.get("no_price_for_budget"):
        notes.append(f"{ranking.excluded['no_price_for_budget']} option(s) without a known price were left out by --budget.")
    if w.legacy_weights:
        notes.append(f"Workload {w.id!r} still has `weights` from gpuadvisor 0.1; ranking is by work per dollar now and ignores them.")
    if notes:
        view.text(*notes, style="dim")
    return view


def _cost(x: float) -> str:
    return f"{x:,.2f}" if x >= 0.1 else f"{x:,.4f}".rstrip("0")


def _best_lines(ranking, best: dict) -> list[str]:
    """One line naming the best value, the cheapest and the fastest option, by rank."""
    parts = []
    for key, label in (("value", "best value"), ("cost", "cheapest"), ("speed", "fastest")):
        r = best.get(key)
        if r is None:
            continue
        c = ranking.candidates[r - 1]
        what = ("$" + _cost(c.value_cost) + c.throughput.cost_unit.removeprefix("$") if key == "value" and c.value_cost is not None
                else f"${c.total_price_per_hour:,.2f}/h" if key == "cost" and c.total_price_per_hour is not None
                else f"{speed_text(c.throughput.value)} {c.throughput.unit}")
        parts.append(f"{label}: #{r} {c.offering.provider} {c.offering.name}" + (f" ×{c.count}" if c.count > 1 else "")
                     + f" ({what})")
    lines = ["; ".join(parts) + "."]
    if ranking.floor is not None or ranking.ceiling is not None:
        unit = ranking.candidates[0].throughput.unit
        bits = []
        if ranking.floor is not None:
            bits.append(f"slower than {speed_text(ranking.floor)} {unit} is too slow (set with --min-throughput)")
        if ranking.ceiling is not None:
            cost_unit = ranking.candidates[0].throughput.cost_unit
            per = ranking.requirement.workload.ceiling
            job = ranking.job
            if per is not None and job is not None and job.model == "llm":
                use = f"{speed_text(per)} {unit} per stream (reading speed)" + (f" × {job.batch}" if job.batch > 1 else "")
            else:
                use = f"{speed_text(ranking.ceiling)} {unit} (what one request uses)"
            bits.append(f"{cost_unit} counts at most {use}")
        lines.append("; ".join(bits) + ".")
    if best.get("value") is not None:
        lines += _tie_line(ranking, ranking.candidates[best["value"] - 1])
    return lines


def _tie_line(ranking, chosen) -> list[str]:
    """Why the best value is not the lowest $/unit shown, when it is not: that pick leaves under 5% of
    its memory spare per GPU, and a pick with room costs within the model's tolerance of it."""
    lowest = ranking.lowest_value_cost()
    if lowest is None or chosen.value_cost is None:
        return []
    i, low = lowest
    if low.offering is chosen.offering or chosen.value_cost <= low.value_cost * 1.0001 or not low.cramped:
        return []
    unit = low.throughput.cost_unit.removeprefix("$")
    return [f"#{i} is cheaper (${_cost(low.value_cost)}{unit}) but leaves {low.spare_per_gpu:,.1f} GiB spare per GPU, "
            f"under 5% of what it holds; a pick with room within {ranking.tolerance:.0%} of its cost goes first."]
