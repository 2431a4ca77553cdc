"""recommend --plot and cost --plot (issue 25): the chart data comes from plain functions in
gpuadvisor/charts.py; the picks and the Pareto front are in it, break-even points match `cost`'s
JSON, and the files written are what their suffix says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from gpuadvisor import charts

REC = ["recommend", "--vram", "24", "--top", "5"]
COST = ["cost", "-r", "10000", "-s", "2", "--top", "3"]


@pytest.fixture
def captured(monkeypatch):
    """The chart data a command hands to `draw`, without drawing."""
    seen: list[dict] = []

    def fake(chart, target):
        seen.append(chart)
        return 0

    monkeypatch.setattr(charts, "draw", fake)
    return seen


def test_pareto_front_by_hand():
    pts = [(1, 1), (2, 3), (3, 2.5), (4, 5), (2, 3.5), (0.5, 6)]  # (x throughput, y $/unit)
    assert charts.pareto_front(pts) == [0, 2, 3]  # (3, 2.5) beats (2, 3) and (2, 3.5); (1, 1) beats (0.5, 6)
    assert charts.pareto_front([(1, 1), (1, 1)]) == [0, 1]  # equal points are both on it


def test_recommend_chart_has_every_priced_option_the_front_and_the_picks(run, captured):
    run(*REC, "--plot", "-")
    chart = captured[0]
    data = run.json(*REC)
    picks = [f"#{r['rank']} {r['provider']} {r['name']}" + (f" ×{r['count']}" if r["count"] > 1 else "")
             for r in data["recommendations"]]
    assert chart["picks"] == picks
    assert [p["label"] for p in chart["points"] if p["pick"]] == picks
    every = run.json("recommend", "--vram", "24", "--top", str(data["considered"]))["recommendations"]
    assert len(chart["points"]) == sum(1 for r in every if r["value_cost"] is not None) > 20  # every priced option
    first = data["recommendations"][0]
    p1 = next(p for p in chart["points"] if p["rank"] == 1)
    assert p1["x"] == pytest.approx(first["throughput"]["value"], rel=1e-3)
    assert p1["y"] == pytest.approx(first["value_cost"]["value"], rel=1e-3)
    front = [p for p in chart["points"] if p["front"]]
    assert front and chart["front"] == [p["label"] for p in sorted(front, key=lambda p: p["x"])]
    for p in front:  # nothing is both faster and cheaper per unit than a point on the front
        assert not any(q["x"] >= p["x"] and q["y"] < p["y"] for q in chart["points"])
    for p in chart["points"]:
        if not p["front"]:
            assert any(q["x"] >= p["x"] and q["y"] <= p["y"] for q in front)
    assert chart["x_label"] == first["throughput"]["unit"] and chart["y_label"] == first["value_cost"]["unit"]


def test_cost_chart_lines_and_break_even_points(run, captured):
    run(*COST, "--plot", "-")
    chart = captured[0]
    data = run.json(*COST)
    assert len(chart["lines"]) == 2 * len(data["options"])
    for o, serverless, dedicated in zip(data["options"], chart["lines"][::2], chart["lines"][1::2], strict=True):
        assert o["name"] in serverless["label"] and "serverless" in serverless["label"]
        assert {y for _, y in dedicated["points"]} == {o["dedicated"]["monthly"]}
        today = min(serverless["points"], key=lambda xy: abs(xy[0] - 10000))
        assert today[1] == pytest.approx(o["monthly"]["total"], rel=0.15)  # the curve passes near today's bill
    at = [o for o in data["options"] if o["crossover"] and o["crossover"]["kind"] == "at"]
    assert len(chart["marks"]) == len(at) > 0
    for o, m in zip(at, chart["marks"], strict=True):
        assert m["x"] == pytest.approx(o["crossover"]["requests_per_day"], rel=1e-3)
        assert m["y"] == pytest.approx(o["dedicated"]["monthly"])


def test_files_are_valid(run, tmp_path):
    svg, png, html = tmp_path / "r.svg", tmp_path / "c.png", tmp_path / "r.html"
    run(*REC, "--plot", str(svg))
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert "#1 " in svg.read_text()
    run(*COST, "--plot", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    run(*REC, "--plot", str(html))
    text = html.read_text()
    assert text.startswith("<!doctype html>") and "<svg" in text
    data = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', text, re.S)[1])
    assert data["kind"] == "recommend" and data["picks"] and data["front"]
    assert all(label in text for label in data["picks"])


def test_plot_never_writes_over_a_file_and_names_the_formats(run, tmp_path):
    mine = tmp_path / "mine.svg"
    mine.write_text("keep me")
    result = run(*REC, "--plot", str(mine), code=2)
    assert "exists" in result.stderr and mine.read_text() == "keep me"
    result = run(*REC, "--plot", str(tmp_path / "x.pdf"), code=2)
    assert ".svg, .png, .html" in result.stderr
    result = run(*COST, "--plot", str(tmp_path / "y.svg"), "--json", code=2)
    assert "leave out --json" in result.stderr and not (tmp_path / "y.svg").exists()


@pytest.mark.parametrize("module,target", [("plotext", "-"), ("matplotlib", "out.svg")])
def test_without_the_extra_one_line_and_exit_2(run, monkeypatch, tmp_path, module, target):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    monkeypatch.chdir(tmp_path)
    result = run(*REC, "--plot", target, code=2)
    assert result.stderr.strip().splitlines() == ["gpuadvisor: error: charts need the plot extra: pip install 'gpuadvisor[plot]'"]
    assert not (tmp_path / "out.svg").exists()


def test_a_bare_plot_draws_in_the_terminal():
    out = subprocess.run([sys.executable, "-m", "gpuadvisor", *REC, "--plot"], capture_output=True, text=True,
                         env={"NO_COLOR": "1", "COLUMNS": "100", "PATH": "/usr/bin:/bin", "GPUADVISOR_BUILTIN_ONLY": "1"},
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "o Pareto front" in out.stdout and re.search(r"^#1: runpod ", out.stdout, re.M)
    assert "\x1b[" not in out.stdout


def test_the_default_path_imports_no_chart_library():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "gpuadvisor", "recommend", "--vram", "24", "--json"],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "GPUADVISOR_BUILTIN_ONLY": "1"},
                         timeout=120)
    assert out.returncode == 0
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert not {m for m in imported if m.split(".")[0] in ("plotext", "matplotlib", "rich") or m == "gpuadvisor.charts"}
