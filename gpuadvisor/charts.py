"""Charts for `recommend --plot` and `cost --plot` (issue 25): plain functions turn a ranking or a
cost report into chart data (points, Pareto front, labels, lines, break-even points), and `draw`
puts that data in the terminal (plotext) or into an SVG, PNG or HTML file (matplotlib).

The plotting libraries are the optional extra `gpuadvisor[plot]`, imported only here and only when a
chart is drawn, so no other command pays for them. The data functions need neither.
"""

from __future__ import annotations

import json
import os
import sys

INSTALL = "pip install 'gpuadvisor[plot]'"
FORMATS = (".svg", ".png", ".html")


# ---------------------------------------------------------------------------- chart data

def pareto_front(points: list[tuple[float, float]]) -> list[int]:
    """Indexes of the points no other point beats: at least as fast (x) and as cheap per unit (y),
    better in one. Sorted by x."""
    front = []
    for i, (x, y) in enumerate(points):
        if not any((x2 >= x and y2 <= y) and (x2 > x or y2 < y) for j, (x2, y2) in enumerate(points) if j != i):
            front.append(i)
    return sorted(front, key=lambda i: points[i][0])


def recommend_chart(ranking, top: int) -> dict:
    """$/unit against throughput for every fitting option with a price; the front marked and the
    `top` picks labelled by rank (the ranking's order)."""
    cands = ranking.candidates
    unit = cands[0].throughput.unit if cands else ""
    cost_unit = cands[0].throughput.cost_unit if cands else ""
    points = []
    for rank, c in enumerate(cands, 1):
        if c.value_cost is None:
            continue
        name = c.offering.name + (f" ×{c.count}" if c.count > 1 else "")
        points.append({"rank": rank, "provider": c.offering.provider, "name": name, "label": f"#{rank} {c.offering.provider} {name}",
                       "x": round(c.throughput.value, 6), "y": round(c.value_cost, 6), "pick": rank <= top, "front": False})
    for i in pareto_front([(p["x"], p["y"]) for p in points]):
        points[i]["front"] = True
    return {"kind": "recommend", "title": f"{ranking.requirement.workload.name}: {cost_unit} against {unit}",
            "x_label": unit, "y_label": cost_unit, "x_log": True, "points": points,
            "front": [p["label"] for p in sorted((p for p in points if p["front"]), key=lambda p: p["x"])],
            "picks": [p["label"] for p in points if p["pick"]], "lines": [], "marks": []}


def cost_chart(report, top: int, steps: int = 40) -> dict:
    """Monthly cost against requests per day for the `top` options (serverless, by their billing
    rules) and each one's dedicated always-on worker, with the break-even traffic marked."""
    from gpuadvisor.billing import bill, day_usage

    q = report.query
    shown = report.options[:top]
    here = q.traffic.requests_per_day
    caps = [o.dedicated_capacity for o in shown] or [here * 10]
    low, high = max(here / 100, 1.0), max(here * 10, max(caps))
    xs = [low * (high / low) ** (k / (steps - 1)) for k in range(steps)]
    lines, marks = [], []
    for i, o in enumerate(shown, 1):
        name = f"#{i} {o.offering.provider} {o.offering.name}" + (f" ×{o.count}" if o.count > 1 else "")
        b = o.provider.billing

        def monthly(per_day: float, o=o, b=b) -> float | None:
            u = day_usage(q.traffic.periods(per_day), o.seconds, o.scaling, q.traffic.burstiness)
            if u.saturated:
                return None
            return bill(u, o.quote.per_hour * o.count / 3600, o.always_on.per_hour * o.count / 3600,
                        b.billed, b.granularity_s, b.minimum_s).total

        serverless = [(round(x, 3), round(y, 2)) for x in xs if (y := monthly(x)) is not None]
        lines.append({"label": f"{name} serverless", "points": serverless, "dashed": False})
        ded = round(o.dedicated_monthly, 2)
        lines.append({"label": f"{name} always-on worker", "points": [(round(xs[0], 3), ded), (round(xs[-1], 3), ded)],
                      "dashed": True})
        cx = o.crossover
        if cx is not None and cx.kind == "at" and cx.requests_per_day:
            marks.append({"label": f"{name} breaks even at {cx.requests_per_day:,.0f}/day",
                          "x": round(cx.requests_per_day, 3), "y": ded})
    return {"kind": "cost", "title": f"$/month against traffic (today {here:,.0f} requests/day)",
            "x_label": "requests/day", "y_label": "$/month", "x_log": True, "points": [], "front": [], "picks": [],
            "lines": lines, "marks": marks, "today": here}


# ---------------------------------------------------------------------------- drawing

def check_plot(plot: str | None, as_json: bool, fmt: str | None) -> None:
    """--plot draws instead of printing: with --json or --format it is a contradiction (exit 2)."""
    if plot is not None and (as_json or fmt):
        from gpuadvisor.errors import UsageError

        raise UsageError("--plot draws a chart instead of the table; leave out --json/--format (or --plot)")


def draw(chart: dict, target: str) -> int:
    """`target` "-": the terminal; else a file by its suffix. Without the extra: one line, exit 2."""
    from gpuadvisor.errors import UsageError

    dest = None if target == "-" else target
    if dest is not None and not dest.lower().endswith(FORMATS):
        raise UsageError(f"--plot writes {', '.join(FORMATS)} files, not {dest!r} (or give --plot alone for the terminal)")
    if dest is not None and os.path.lexists(dest):
        raise UsageError(f"{dest} exists; --plot never writes over a file: give a new name")
    try:
        if dest is None:
            import plotext  # noqa: F401
        else:
            import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(f"charts need the plot extra: {INSTALL}") from None
    if dest is None:
        sys.stdout.write(terminal_chart(chart))
        return 0
    write_chart(chart, dest)
    sys.stderr.write(f"gpuadvisor: wrote {dest}\n")
    return 0


def terminal_chart(chart: dict, width: int | None = None, height: int | None = None) -> str:
    """The chart as text (plotext 6's figure API); a log x axis is drawn as log10 of the value."""
    import math
    import shutil

    import plotext

    f = plotext.figure
    f.clear()
    size = shutil.get_terminal_size()
    f.plot_size(width or max(40, min(size.columns, 120)), height or max(15, min(size.lines - 6, 28)))
    f.title(chart["title"])
    f.label(("log10 " if chart["x_log"] else "") + chart["x_label"], axis="x")
    f.label(chart["y_label"], axis="y")
    sx = (lambda v: math.log10(v)) if chart["x_log"] else (lambda v: v)

    legend: list[str] = []

    def add(xs, ys, marker: str, label: str, lines: bool = False) -> None:
        if not xs:
            return
        sig = f.signal([sx(x) for x in xs], list(ys), marker=marker)
        if lines:
            sig.lines()
        f.draw(sig)
        legend.append(f"{marker} {label}")  # under the chart: a legend in the canvas hides the points

    pts = chart["points"]
    add([p["x"] for p in pts if not p["front"]], [p["y"] for p in pts if not p["front"]], "·", "fits")
    front = sorted((p for p in pts if p["front"]), key=lambda p: p["x"])
    add([p["x"] for p in front], [p["y"] for p in front], "o", "Pareto front", lines=True)
    for p in pts:
        if p["pick"]:
            f.draw(f.text(sx(p["x"]), p["y"], f"#{p['rank']}"))
    markers = "•○x+*%#@"
    for k, line in enumerate(chart["lines"]):
        add([x for x, _ in line["points"]], [y for _, y in line["points"]], markers[k % len(markers)],
            line["label"], lines=True)
    for m in chart["marks"]:
        f.draw(f.text(sx(m["x"]), m["y"], "◆"))
    f.legend(active=False)
    out = f.build().string(colorless=not _colour())
    legend += [f"#{p['rank']}: {p['provider']} {p['name']} ({p['y']:,.4g} {chart['y_label']}, {p['x']:,.4g} {chart['x_label']})"
              for p in pts if p["pick"]]
    legend += ["◆ " + m["label"] for m in chart["marks"]]
    return out.rstrip("\n") + "\n" + "".join(line + "\n" for line in legend)


def _colour() -> bool:
    from gpuadvisor.render import use_rich

    return use_rich(sys.stdout)


def write_chart(chart: dict, dest: str) -> None:
    """An SVG or PNG from matplotlib; HTML is the SVG inline plus the chart data as JSON."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 6))
    ax.set_title(chart["title"])
    ax.set_xlabel(chart["x_label"])
    ax.set_ylabel(chart["y_label"])
    if chart["x_log"]:
        ax.set_xscale("log")
    pts = chart["points"]
    if pts:
        ax.scatter([p["x"] for p in pts], [p["y"] for p in pts], s=12, color="0.6", label="fits")
        front = sorted((p for p in pts if p["front"]), key=lambda p: p["x"])
        ax.plot([p["x"] for p in front], [p["y"] for p in front], "-o", color="tab:blue", markersize=4, label="Pareto front")
        for p in pts:
            if p["pick"]:
                ax.scatter([p["x"]], [p["y"]], color="tab:red", zorder=3)
                ax.annotate(p["label"], (p["x"], p["y"]), textcoords="offset points", xytext=(5, 5), fontsize=8)
    for line in chart["lines"]:
        if line["points"]:
            ax.plot([x for x, _ in line["points"]], [y for _, y in line["points"]], "--" if line["dashed"] else "-",
                    label=line["label"])
    for m in chart["marks"]:
        ax.scatter([m["x"]], [m["y"]], marker="x", color="black", zorder=3)
        ax.annotate(m["label"], (m["x"], m["y"]), textcoords="offset points", xytext=(5, -12), fontsize=8)
    if chart.get("today"):
        ax.axvline(chart["today"], color="0.5", linewidth=0.8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    low = dest.lower()
    buf = io.BytesIO()
    fig.savefig(buf, format="png" if low.endswith(".png") else "svg")
    plt.close(fig)
    body = buf.getvalue()
    if low.endswith(".html"):
        data = json.dumps(chart, ensure_ascii=False).replace("</", "<\\/")
        body = (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{_escape(chart['title'])}</title></head>"
                f"<body>\n{body.decode('utf-8')}\n<script type=\"application/json\" id=\"chart-data\">{data}</script>\n"
                "</body></html>\n").encode()
    with open(dest, "xb") as f:  # never over an existing file, even one made since the check
        f.write(body)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
