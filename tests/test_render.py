"""Output at any terminal width (issues 13 and 25): one layout family, configs, provider names and
GPU names never split, no line wider than the terminal (100 columns in a pipe) unless --wide.
Rendered the way a terminal gets it: FORCE_COLOR and COLUMNS (as `script` or tmux would give),
ANSI codes stripped; plain text at a width (NO_COLOR on a terminal); and a pipe."""

from __future__ import annotations

import json
import re

import pytest

from gpuadvisor.render import Table, View, plain, split_columns, table_lines

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WIDTHS = (60, 80, 120, 200)

# Commands whose output carries configs meant for pasting, or long names.
COMMANDS = {
    "recommend-llm": ["recommend", "--vram", "70", "-w", "llm", "--top", "3"],
    "recommend-sdxl": ["recommend", "--model", "sdxl", "--top", "3"],
    "recommend-fal-multi": ["recommend", "--vram", "150", "-w", "llm", "-p", "fal", "--top", "2"],
    "estimate": ["estimate", "--model", "flux.1-dev"],
    "estimate-70b": ["estimate", "--model", "llama-3.1-70b", "--context", "32k"],
    "list-runpod": ["list", "-p", "runpod", "--min-vram", "90"],
    "translate": ["translate", "modal", "runpod", "A100:4"],
    "translate-fal": ["translate", "modal", "fal", "H100:2"],
}


def terminal(run, args: list[str], width: int) -> str:
    result = run(*args, env={"FORCE_COLOR": "1", "COLUMNS": str(width), "NO_COLOR": ""})
    return ANSI.sub("", result.stdout)


def configs_of(run, args: list[str]) -> list[str]:
    """Every config line the command emits, from its JSON."""
    data = run.json(*args)
    if "recommendations" in data:
        found = [r["config"] for r in data["recommendations"]]
    elif "smallest_fit" in data:
        found = [f["config"] for f in data["smallest_fit"].values() if f]
    elif "snippet" in data:
        found = [data["config"], *data["snippet"].splitlines()]
    else:
        found = []
    return [line for c in found for line in c.splitlines() if line.strip()]


def names_of(run, args: list[str]) -> list[str]:
    data = run.json(*args)
    if isinstance(data, list):
        return [o["name"] for o in data]
    if "recommendations" in data:
        return [r["name"] for r in data["recommendations"]] + [r["provider"] for r in data["recommendations"]]
    if "target" in data:
        return [o["name"] for o in data["target"]["options"]]
    return []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_configs_and_names_are_never_split(run, name, width):
    args = COMMANDS[name]
    out = terminal(run, args, width)
    lines = out.splitlines()
    for config in configs_of(run, args):
        assert any(config.strip() in line for line in lines), f"{config!r} split at {width} columns:\n{out}"
    for n in names_of(run, args):
        assert any(re.search(rf"(^|[\s│(]){re.escape(n)}($|[\s│),])", line) for line in lines), \
            f"{n!r} split at {width} columns:\n{out}"


def pipe(run, args: list[str], **env) -> str:
    return run(*args, env={"NO_COLOR": "1", "COLUMNS": "40", **env}).stdout


def _is_config(line: str, configs: list[str]) -> bool:
    return any(c.strip() and c.strip() in line for c in configs)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_line_is_wider_than_the_terminal(run, name, width):
    """Issue 25: every line within the width, except a config longer than the width itself (never broken)."""
    args = COMMANDS[name]
    configs = configs_of(run, args) + names_of(run, args)  # names are never split either
    out = terminal(run, args, width)
    wide = [line for line in out.splitlines() if len(line) > width and not _is_config(line, configs)
            and set(line) - set("─ ")]
    assert not wide, f"lines over {width} columns:\n" + "\n".join(wide)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_pipe_is_at_most_100_columns_and_wide_lifts_it(run, name):
    args = COMMANDS[name]
    configs = configs_of(run, args)
    out = pipe(run, args)
    assert all(len(line) <= 100 or _is_config(line, configs) for line in out.splitlines()), out
    assert "\x1b[" not in out
    unbounded = pipe(run, ["--wide", *args])
    assert len(unbounded.splitlines()) <= len(out.splitlines())  # nothing wrapped or moved under a row
    if any(len(line) > 100 for line in unbounded.splitlines()):
        assert len(unbounded.splitlines()) < len(out.splitlines())


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_terminal_only_adds_decoration(run, name, width):
    """One layout family: a terminal (colour) and NO_COLOR at the same width print the same lines;
    the terminal only adds colour and draws the rule."""
    args = COMMANDS[name]
    coloured = run(*args, env={"FORCE_COLOR": "1", "COLUMNS": str(width), "NO_COLOR": ""}).stdout
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured).replace("─", "-") == _no_color_terminal(run, args, width)


def _no_color_terminal(run, args, width):
    """The command's text as a NO_COLOR terminal of `width` gets it."""
    import unittest.mock

    from gpuadvisor import render

    with unittest.mock.patch.object(render, "output_width", lambda stream=None: width):
        return run(*args, env={"NO_COLOR": "1", "COLUMNS": str(width)}).stdout


def test_recommend_columns_are_the_same_at_every_width_that_fits_them(run):
    args = ["recommend", "--vram", "70", "-w", "llm", "--top", "3"]
    headers = {w: next(ln for ln in terminal(run, args, w).splitlines() if ln.startswith("#  provider")) for w in (120, 200)}
    headers["pipe"] = next(ln for ln in pipe(run, args).splitlines() if ln.startswith("#  provider"))
    assert len(set(headers.values())) == 1, headers
    assert headers["pipe"].split() == ["#", "provider", "name", "GPU", "GiB", "usable", "tokens/s", "$/h", "$/M", "tokens"]


@pytest.mark.parametrize("width", (60, 80))
def test_narrow_moves_columns_under_the_row_never_cards(run, width):
    args = ["recommend", "--vram", "70", "-w", "llm", "--top", "3"]
    out = terminal(run, args, width)
    lines = out.splitlines()
    header = next(ln for ln in lines if ln.startswith("#  provider"))
    assert "$/M tokens" in header  # the figure it ranks on stays on the row
    assert "GiB usable: 4 × 20" in out  # what does not fit goes under the row, labelled
    row = next(i for i, ln in enumerate(lines) if ln.startswith("1  runpod"))
    assert lines[row + 1].startswith("    ")
    assert not any(ln.startswith("#1") for ln in lines)  # no stacked cards


def test_recommend_top_5_fits_30_lines_at_80_columns(run):
    out = terminal(run, ["recommend", "--vram", "70", "-w", "llm"], 80)
    assert len(out.splitlines()) <= 30, out
    out = terminal(run, ["recommend", "--model", "llama-3.1-8b", "--context", "8k"], 80)
    assert len(out.splitlines()) <= 30, out


def test_recommend_reasons_come_with_explain(run):
    args = ["recommend", "--vram", "70", "-w", "llm", "--top", "2"]
    data = run.json(*args)
    short = terminal(run, args, 80)
    for flag in ("--explain", "-v"):
        full = terminal(run, [*args, flag], 80)
        for reason in data["recommendations"][0]["reasons"]:
            assert reason[:40] in " ".join(full.split()), (reason, full)
    assert data["recommendations"][0]["reasons"][0][:30] not in short
    assert run.json(*args, "--explain") == data  # JSON unchanged


def test_cost_top_3_fits_35_lines_and_explain_has_the_rest(run):
    args = ["cost", "-r", "10000", "-s", "2", "--top", "3"]
    out = terminal(run, args, 80)
    assert len(out.splitlines()) <= 35, out
    assert "break even at 1,571 requests/day" in " ".join(out.split())
    full = terminal(run, [*args, "--explain"], 80)
    assert "Where the month goes" in full and "idle_timeout=" in full
    assert len(full.splitlines()) > len(out.splitlines())
    assert run.json(*args, "-v") == run.json(*args)


def test_translate_file_is_one_line_per_site(run):
    args = ["translate", "--file", "tests/fixtures/apps/modal_app.py", "runpod"]
    result = run(*args, code=None, env={"NO_COLOR": "1"})
    lines = result.stdout.splitlines()
    data = json.loads(run(*args, "--json", code=None).stdout)
    for f in data["findings"]:
        rows = [ln for ln in lines if re.match(rf"\s*{f['line']}\s", ln)]
        assert len(rows) == 1 and f["code"] in rows[0], (f["line"], result.stdout)
    assert "5 site(s): 2 upgrade, 2 exact, 1 invalid" in result.stdout
    assert "@Endpoint" not in result.stdout
    assert len(lines) <= 2 + 2 + len(data["findings"]) + 1 + 2, result.stdout  # title, header, rows, one problem, summary
    full = run(*args, "--explain", code=None, env={"NO_COLOR": "1"}).stdout
    assert "RunPod Serverless (Flash) snippet:" in full and "bandwidth 1,555 → 2,039 GB/s" in full


def test_snippets_are_never_wrapped(run):
    out = terminal(run, ["translate", "modal", "runpod", "A100:4"], 60)
    assert '    @Endpoint(name="my-endpoint", gpu=GpuType.NVIDIA_A100_SXM4_80GB, gpu_count=4)' in out.splitlines()


def test_wrapped_notes_keep_their_indent(run):
    out = terminal(run, ["translate", "modal", "runpod", "A100:4"], 60)
    lines = out.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("    source: 'A100' is ambiguous"))
    assert lines[i + 1].startswith("    ") and not lines[i + 1].startswith("    source")
    out = terminal(run, ["cost", "-r", "10000", "-s", "2", "--top", "1", "--explain"], 60)
    lines = out.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("  one always-on worker"))
    assert lines[i + 1].startswith("  ") and lines[i + 1].strip()


def test_estimate_is_one_layout(run):
    """The audit saw a box table and cards in one `estimate` output; now every table is the same kind."""
    for width in WIDTHS:
        out = terminal(run, ["estimate", "--model", "llama-3.1-70b", "--context", "32k"], width)
        assert "┃" not in out and "│" not in out and not re.search(r"^#\d", out, re.M)
        assert out.count("component") == 1 and re.search(r"^provider\s+smallest fit", out, re.M)


# ------------------------------------------------------------------ the layout engine itself


def _table() -> Table:
    rows = [["1", "runpod", "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION", "gpu=GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION",
             "fits in 96 GiB usable with 26 GiB to spare\n$4.00/h, flex, as of 2026-06-08", "—", "4.00"]]
    return Table(["#", "provider", "name", "config", "why", "RAM", "$/h"], rows, keep={1, 2}, code={3}, prose={4},
                 sparse={5}, head=3)


def test_table_lines_shape():
    t = _table()
    wide = table_lines(t, None)
    assert [k for _, k in wide] == ["header", "rule", "row", "code", "note", "note"]
    assert wide[0][0].split() == ["#", "provider", "name", "RAM", "$/h"]
    narrow = table_lines(t, 60)
    assert narrow[0][0].split() == ["#", "provider", "name"]
    assert narrow[3][0] == "    $/h: 4.00"  # moved, labelled; "—" in a sparse column left out
    assert narrow[4][0] == "    gpu=GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION"  # longer than 60, still whole
    assert all(line.startswith("    ") for line, kind in narrow if kind == "note")


def test_split_columns_follows_moves_and_keeps_head():
    t = Table(["#", "a", "b", "c"], [["1", "x" * 20, "y" * 20, "z" * 20]], head=2, moves=(2,))
    assert split_columns(t, None) == ([0, 1, 2, 3], [])
    assert split_columns(t, 50) == ([0, 1, 3], [2])
    assert split_columns(t, 10) == ([0, 1], [2, 3])


def test_plain_at_a_width_wraps_prose_under_the_row():
    view = View({})
    view.table(["name", "notes"], [["GpuGroup.AMPERE_80", "a long note " * 10]], keep={0}, prose={1})
    out = plain(view, 60)
    assert all(len(line) <= 60 for line in out.splitlines())
    assert out.splitlines()[2] == "GpuGroup.AMPERE_80"
    assert out.splitlines()[3].startswith("    a long note") and out.splitlines()[4].startswith("    ")


def test_text_wraps_at_its_indent():
    view = View({})
    view.text("  " + "word " * 30)
    lines = plain(view, 40).splitlines()
    assert len(lines) > 1 and all(ln.startswith("  ") and len(ln) <= 40 for ln in lines)


def test_json_is_untouched_by_width(run):
    a = run("recommend", "--vram", "70", "--json", env={"COLUMNS": "40", "FORCE_COLOR": "1"}).stdout
    b = run("recommend", "--vram", "70", "--json").stdout
    assert json.loads(a) == json.loads(b)


@pytest.mark.parametrize("width", (60, 80, 120))
def test_cost_keeps_every_column_when_narrow(run, width):
    # review of #13: at 80 columns the cost table was cut after "idle"; now it stacks, one block per option
    args = ["cost", "-r", "10000", "-s", "2", "--top", "2"]
    out = terminal(run, args, width)
    data = run.json(*args)
    for header in ("$/month", "busy", "idle", "cold starts", "$/request", "util.", "1 always-on $/mo"):
        assert header in out, f"{header!r} lost at {width} columns:\n{out}"
    for option in data["options"][:2]:
        assert any(option["name"] in line for line in out.splitlines())
    assert all(len(line) <= width for line in out.splitlines()), out


def test_wide_and_a_bare_plot_are_read_where_users_write_them():
    from gpuadvisor.cli import _hoist_root_options

    assert _hoist_root_options(["recommend", "--vram", "70", "--wide"]) == ["--wide", "recommend", "--vram", "70"]
    assert _hoist_root_options(["cost", "--plot"]) == ["cost", "--plot=-"]
    assert _hoist_root_options(["cost", "--plot", "--top", "3"]) == ["cost", "--plot=-", "--top", "3"]
    assert _hoist_root_options(["cost", "--plot", "m.svg"]) == ["cost", "--plot", "m.svg"]
    assert _hoist_root_options(["cost", "--plot", "-"]) == ["cost", "--plot", "-"]
    assert _hoist_root_options(["translate", "--", "--wide"]) == ["translate", "--", "--wide"]


def test_compare_of_three_is_one_table_in_a_pipe(run):
    """The audit saw `compare H100 H200 B200` split in two at 100 columns; long cells now wrap in their column."""
    out = pipe(run, ["compare", "H100", "H200", "B200"])
    assert re.search(r"^≠\s+h100-sxm\s+h200\s+b200$", out, re.M), out
    assert all(len(line) <= 100 for line in out.splitlines())
    assert "NVIDIA H100 80GB HBM3" in out and "(SXM5)" in out
