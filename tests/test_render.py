"""Output at any terminal width (issue 13): configs, provider names and GPU names are never split;
wide tables squeeze their prose, then stack. Rendered the way a terminal gets it: rich with
FORCE_COLOR and COLUMNS (as `script` or tmux would give), ANSI codes stripped; and plain text at a
width (NO_COLOR on a terminal)."""

from __future__ import annotations

import io
import json
import re

import pytest

from gpuadvisor.render import Table, View, _emit_rich, layout, plain, stacked

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


@pytest.mark.parametrize("width", (60, 80))
def test_recommend_stacks_when_narrow_and_is_a_table_when_wide(run, width):
    args = COMMANDS["recommend-llm"]
    narrow = terminal(run, args, width)
    assert "#1  " in narrow and "┃" not in narrow  # one block per pick, no table
    assert all(len(line) <= width for line in narrow.splitlines() if not line.startswith("    gpu"))
    assert "    • fits 70 GiB" in narrow  # reasons as bullets under the pick
    wide = terminal(run, args, 200)
    assert "┃" in wide and "#1  " not in wide


def test_a_pick_stays_short_at_80_columns(run):
    """The audit's complaint: each pick took ~33 lines at 80 columns."""
    out = terminal(run, ["recommend", "--vram", "70", "-w", "llm", "--top", "2"], 80)
    blocks = out.split("\n#")[1:]
    assert len(blocks) == 2 and all(len(b.strip().splitlines()) <= 10 for b in blocks), out


def test_snippets_are_never_wrapped(run):
    out = terminal(run, ["translate", "modal", "runpod", "A100:4"], 60)
    assert '    @Endpoint(name="my-endpoint", gpu=GpuType.NVIDIA_A100_SXM4_80GB, gpu_count=4)' in out.splitlines()


def test_pipes_get_whole_rows(run):
    """Without a terminal (a pipe, a file), rows are never broken, whatever COLUMNS says."""
    result = run("recommend", "--vram", "70", "-w", "llm", "--top", "2", env={"COLUMNS": "40", "NO_COLOR": "1"})
    header = next(line for line in result.stdout.splitlines() if line.startswith("#"))
    assert "config" in header and "why" in header


# ------------------------------------------------------------------ the layout engine itself


def _table() -> Table:
    rows = [["1", "runpod", "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION", "gpu=GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION",
             "fits in 96 GiB usable with 26 GiB to spare\n$4.00/h, flex, as of 2026-06-08", "—"]]
    return Table(["#", "provider", "name", "config", "why", "RAM"], rows, keep={1, 2}, code={3}, prose={4},
                 sparse={5}, head=3)


def test_layout_chooses_table_then_squeeze_then_stack():
    t = _table()
    assert layout(t, None, lambda n: 2 * (n - 1)) == "table"
    assert layout(t, 400, lambda n: 2 * (n - 1)) == "table"
    assert layout(t, 150, lambda n: 2 * (n - 1)) == "squeeze"
    assert layout(t, 80, lambda n: 2 * (n - 1)) == "stack"
    t.head = 0
    assert layout(t, 80, lambda n: 2 * (n - 1)) == "squeeze"  # a table that cannot stack only squeezes


def test_stacked_block_shape():
    lines = stacked(_table(), 40)
    kinds = [k for _, k in lines]
    assert kinds == ["head", "code", "bullet", "bullet", "bullet"]
    assert lines[0][0] == "#1  runpod  NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION"
    assert lines[1][0] == "    gpu=GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION"  # longer than 40, still whole
    assert lines[2][0].startswith("    • fits") and lines[3][0].startswith("      ")  # wrapped under its bullet
    assert "RAM" not in "\n".join(x for x, _ in lines)  # "—" in a sparse column is left out


def test_plain_at_a_width_squeezes_prose():
    view = View({})
    view.table(["name", "notes"], [["GpuGroup.AMPERE_80", "a long note " * 10]], keep={0}, prose={1})
    out = plain(view, 60)
    assert all(len(line) <= 60 for line in out.splitlines())
    assert "GpuGroup.AMPERE_80  a long note" in out


def test_rich_console_directly():
    from rich.console import Console

    view = View({})
    view.table(["provider", "config", "why"], [["runpod", "gpu=GpuType.NVIDIA_A100_SXM4_80GB, gpu_count=4", "x " * 60]],
               keep={0}, code={1}, prose={2}, head=1)
    for width in WIDTHS:
        console = Console(width=width, force_terminal=True, record=True, file=io.StringIO())
        _emit_rich(view, console)
        text = console.export_text()
        assert any("gpu=GpuType.NVIDIA_A100_SXM4_80GB, gpu_count=4" in line for line in text.splitlines()), (width, text)


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
