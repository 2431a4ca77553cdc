"""`gpuadvisor cost` as a View: the contract's JSON, a table of options with the monthly breakdown,
a bar chart of the breakdown, and per option the settings used and where a dedicated worker wins."""

from __future__ import annotations

from gpuadvisor.billing import MONTH
from gpuadvisor.render import View

PARTS = (("busy", "busy"), ("idle", "idle"), ("cold_starts", "cold starts"), ("min_workers", "min workers"))


def _money(x: float) -> str:
    return f"{x:,.0f}" if x >= 1000 else f"{x:,.2f}"


def _small(x: float) -> str:
    return f"{x:.4f}" if x >= 0.0001 else f"{x:.2g}"


def cost_view(report, top: int, explain: bool = False) -> View:
    q, shown = report.query, report.options[:top]
    t = q.traffic
    query = {"requests_per_day": t.requests_per_day, "rps": round(t.peak_rate, 6), "shape": t.shape,
             "burstiness": t.burstiness, "seconds_per_request": q.seconds_per_request, "tokens_in": q.tokens_in,
             "tokens_out": q.tokens_out, "vram_gib": round(report.need_gib, 3) if report.need_gib else None,
             "vram_gb": round(report.need_gib, 3) if report.need_gib else None,
             "providers": list(q.providers) or None, "gpus": list(q.gpus) or None, "price_basis": q.price_basis,
             "settings": {k: v for k, v in vars(q.settings).items() if v is not None}, "top": top,
             "month_hours": round(MONTH / 3600, 1)}
    if q.estimate is not None:
        query["estimate"] = q.estimate.to_json()
    data = {"query": query, "options": [o.to_json() for o in shown], "considered": len(report.options),
            "excluded": {k: v for k, v in report.excluded.items() if v}}
    cols = ("provider", "name", "gpu", "count", "price_per_hour", "total_price_per_hour", "per_request",
            "cold_starts_per_day", "utilisation")

    def csv_rows():
        rows = [[o[c] for c in cols] + [o["monthly"][k] for k, _ in PARTS] + [o["monthly"]["total"], o["dedicated"]["monthly"]]
                for o in data["options"]]
        return list(cols) + [f"monthly_{k}" for k, _ in PARTS] + ["monthly_total", "dedicated_monthly"], rows

    return View(data, lambda view: _blocks(view, report, shown, data, explain), csv=csv_rows)


def _blocks(view: View, report, shown, data, explain: bool = False) -> None:
    """Short by default (issue 25): the table, and under each option where it breaks even with a
    dedicated worker; --explain adds the breakdown bars, each option's settings and every note."""
    q, t = report.query, report.query.traffic
    work = (f"{q.seconds_per_request:g} s each" if q.seconds_per_request is not None
            else f"{q.tokens_in:,} tokens in, {q.tokens_out:,} out (timed per GPU)" if q.tokens_out
            else "one generation each (timed per GPU)")
    shape = "" if t.shape == "flat" else f", {t.shape} (8 h)"
    burst = "" if t.burstiness == 1 else f", in bursts of {t.burstiness:g}"
    view.text(f"{t.requests_per_day:,.0f} requests/day{shape}{burst}, {work} — {len(report.options)} option(s), "
              f"cheapest first (top {len(shown)}):", style="title")
    if q.estimate is not None:
        est = q.estimate
        view.text(f"{est.name} ({est.dtype}, batch {est.batch}) needs ≈ {est.total_gb:,.1f} GiB", style="dim")
    rows = []
    for i, o in enumerate(shown, 1):
        j = data["options"][i - 1]
        m = j["monthly"]
        name = o.offering.name + (f" ×{o.count}" if o.count > 1 else "")
        price = f"{o.total_price_per_hour:,.2f}" + ("*" if o.quote.estimated else "")
        rows.append([str(i), o.offering.provider, name, price, _money(m["total"]), _money(m["busy"]), _money(m["idle"]),
                     _money(m["cold_starts"]), _money(m["min_workers"]), _small(o.per_request),
                     f"{o.usage.cold_starts:,.1f}", f"{o.utilisation:.0%}", _money(o.dedicated_monthly),
                     _crossover(o) if not explain else ""])
    view.table(["#", "provider", "name", "$/h", "$/month", "busy $", "idle $", "cold starts $", "min workers $",
                "$/request", "cold starts/day", "util.", "1 always-on $/mo", "vs always-on"], rows,
               right=set(range(3, 13)) | {0}, keep={1, 2, 4}, prose={13}, head=3, moves=(8, 7, 6, 5, 10, 9, 11, 12, 3))
    if not explain:
        notes = ["$/month over 730 hours; where the month goes, each option's settings and notes: --explain."]
        if any(o.quote.estimated for o in shown):
            notes.append("* estimated price: the median on-demand price of the same GPU elsewhere.")
        view.text(*notes, *_excluded(data["excluded"]), style="dim")
        return
    view.bars([(f"#{i} {o.offering.provider} {o.offering.name}" + (f" ×{o.count}" if o.count > 1 else ""), [(label, data["options"][i - 1]["monthly"][k])
                                                                  for k, label in PARTS]) for i, o in enumerate(shown, 1)],
              title="Where the month goes")
    for i, o in enumerate(shown, 1):
        view.text(f"#{i} {o.offering.provider} {o.offering.name}: " + _settings(o), *[f"  {line}" for line in _lines(o)],
                  style="dim")
    notes = ["$/month over 730 hours. busy: workers serving; idle: waiting out the idle timeout; cold starts: "
             "starting workers (where billed); min workers: kept on all month. Model and formulas: README "
             "\"What will it cost?\"."]
    if any(o.quote.estimated for o in shown):
        notes.append("* estimated price: the median on-demand price of the same GPU elsewhere.")
    view.text(*notes, *_excluded(data["excluded"]), style="dim")


def _excluded(ex: dict) -> list[str]:
    notes = []
    if ex.get("no_price"):
        notes.append(f"{ex['no_price']} option(s) without any known price left out.")
    if ex.get("cannot_keep_up"):
        notes.append(f"{ex['cannot_keep_up']} option(s) left out: --max-workers cannot keep up with this traffic.")
    if ex.get("no_billing"):
        notes.append(f"{ex['no_billing']} option(s) of providers without [provider.billing] rules left out.")
    return notes


def _crossover(o) -> str:
    """One short line: how serverless compares with one always-on worker at this traffic."""
    ded, cx = o.dedicated_monthly, o.crossover
    if cx is None:
        return ""
    if cx.kind == "at":
        side = "cheaper" if o.bill.total < ded else "dearer"
        return f"serverless is {side} than one always-on worker here; they break even at {cx.requests_per_day:,.0f} requests/day"
    if cx.kind == "serverless-cheaper" and o.bill.total > 0.99 * ded:
        return "about the same as one always-on worker here"
    if cx.kind == "serverless-cheaper":
        return "serverless stays cheaper than one always-on worker up to what it can serve"
    return "one always-on worker is cheaper at any traffic"


def _settings(o) -> str:
    b, sc = o.provider.billing, o.scaling
    max_w = "no limit" if sc.max_workers is None else str(sc.max_workers)
    return (f"{b.setting('idle_timeout')}={sc.idle_timeout:g} s, {b.setting('min_workers')}={sc.min_workers}, "
            f"{b.setting('max_workers')}={max_w}, {b.setting('concurrency')}={sc.concurrency}; "
            f"billed {_granularity(b.granularity_s)}: "
            f"{', '.join(b.billed)} (as of {b.as_of})")


def _granularity(g: float) -> str:
    return "continuously" if not g else "per second, rounded up" if g == 1 else f"in {g:g}-second increments"


def _lines(o) -> list[str]:
    out = []
    if o.seconds_how and not o.seconds_how.startswith("given"):
        out.append(f"{o.seconds:,.2f} s per request: {o.seconds_how}")
    ded, cx = o.dedicated_monthly, o.crossover
    head = f"one always-on worker: ${_money(ded)}/month (serves up to {o.dedicated_capacity:,.0f} requests/day)"
    if cx is None:
        pass
    elif cx.kind == "at":
        side = "cheaper" if o.bill.total < ded else "dearer"
        head += f"; serverless is {side} here and breaks even at {cx.requests_per_day:,.0f} requests/day"
    elif cx.kind == "serverless-cheaper" and o.bill.total > 0.99 * ded:
        head += "; about the same here: the worker rarely scales down, and no traffic one worker can serve makes serverless dearer"
    elif cx.kind == "serverless-cheaper":
        head += "; serverless stays cheaper up to what one worker can serve"
    else:
        head += "; the dedicated worker is cheaper at any traffic"
    out.append(head)
    if o.dedicated_needed > 1:
        out.append(f"this traffic needs {o.dedicated_needed} always-on workers, not one: "
                   f"${_money(ded * o.dedicated_needed)}/month")
    if o.cold_range:
        out.append(f"cold starts cost ${_money(o.cold_range[0])}–${_money(o.cold_range[1])}/month over the published range")
    out.extend(o.notes)
    return out
