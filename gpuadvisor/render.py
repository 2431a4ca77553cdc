"""One output layer: a command builds a `View` (JSON data + text blocks); this module prints it
as JSON, as plain text (stdout not a terminal, or NO_COLOR set) or as rich tables (terminal).

rich is imported only when a rich table is actually drawn, so `--json` and piped output stay
fast and free of ANSI codes.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None
    highlight: set[int] = field(default_factory=set)  # row indexes to emphasise (e.g. differences)
    right: set[int] = field(default_factory=set)  # column indexes aligned right (numbers)


@dataclass
class Text:
    lines: list[str]
    style: str = ""  # "", "dim", "warn", "title"


class View:
    """JSON data plus the blocks a person reads. `build`, if given, adds the blocks only when text
    output is wanted, so `--json` over a large catalog does not format thousands of rows."""

    def __init__(self, data: Any, build=None, csv=None):
        self.data = data
        self._blocks: list[Table | Text] = []
        self._build = build
        self.csv = csv  # callable returning (header, rows) of raw values, for --format csv

    @property
    def blocks(self) -> list[Table | Text]:
        if self._build is not None:
            build, self._build = self._build, None
            build(self)
        return self._blocks

    def table(self, *a, **kw) -> Table:
        t = Table(*a, **kw)
        self._blocks.append(t)
        return t

    def text(self, *lines: str, style: str = "") -> None:
        self._blocks.append(Text([ln for ln in lines if ln is not None], style))


def fmt(value: Any, unit: str = "") -> str:
    """Human formatting for table cells: no trailing .0, thousands separators, — for missing."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            value = int(value)
        else:
            s = f"{value:,.4f}".rstrip("0").rstrip(".")
            return s + unit
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{value}{unit}"


def to_json_text(data: Any, pretty: bool = True) -> str:
    """Indented for a person; compact (and ~10× faster: CPython's C encoder only runs without
    indent) when the output goes to a pipe or file, where a program reads it."""
    if pretty:
        return json.dumps(data, ensure_ascii=False, indent=2)
    return json.dumps(data, ensure_ascii=False)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def use_rich(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("GPUADVISOR_PLAIN"):
        return False
    return _isatty(stream)


FORMATS = ("table", "json", "csv")


def emit(view: View, as_json: bool, fmt: str = "table") -> None:
    """Print a view: as JSON (as_json or fmt "json"), CSV, or a table (rich on a terminal)."""
    try:
        _write(view, as_json, fmt)
    except BrokenPipeError:
        pipe_closed()


def _write(view: View, as_json: bool, fmt: str) -> None:
    out = sys.stdout
    if fmt == "csv":
        import csv

        header, rows = view.csv()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    elif as_json or fmt == "json":
        out.write(to_json_text(view.data, pretty=_isatty(out)) + "\n")
    elif use_rich(out):
        _emit_rich(view)
    else:
        out.write(plain(view))
    out.flush()


def pipe_closed():
    """The reader of stdout went away (`| head -1`, `| true`): not an error, so exit 0 at once,
    silently. stdout is pointed at /dev/null first, so the interpreter's last flush cannot fail;
    SystemExit, not the BrokenPipeError, reaches click, which would turn that into exit 1."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no real stdout (tests capture it): nothing to flush
        pass
    raise SystemExit(0)


def plain(view: View) -> str:
    parts = []
    for block in view.blocks:
        if isinstance(block, Text):
            parts.append("\n".join(block.lines))
        else:
            parts.append(_plain_table(block))
    return "\n\n".join(p for p in parts if p) + "\n"


def _cell_lines(v: Any) -> list[str]:
    return (v if isinstance(v, str) else fmt(v)).split("\n")


def _plain_table(t: Table) -> str:
    marker = bool(t.highlight)
    cols = (["≠"] if marker else []) + t.columns
    rows = []
    for i, r in enumerate(t.rows):
        cells = [_cell_lines(c) for c in r]
        if marker:
            cells.insert(0, ["*" if i in t.highlight else ""])
        rows.append(cells)
    widths = [len(c) for c in cols]
    for cells in rows:
        for j, lines in enumerate(cells):
            widths[j] = max(widths[j], *(len(x) for x in lines))
    right = {j + (1 if marker else 0) for j in t.right}

    def line(values: list[str]) -> str:
        out = [(v.rjust(widths[j]) if j in right else v.ljust(widths[j])) for j, v in enumerate(values)]
        return "  ".join(out).rstrip()

    text = [t.title] if t.title else []
    text.append(line(cols))
    text.append("  ".join("-" * w for w in widths))
    for cells in rows:
        height = max(len(c) for c in cells)
        for k in range(height):
            text.append(line([c[k] if k < len(c) else "" for c in cells]))
    return "\n".join(text)


def _emit_rich(view: View) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text as RichText

    console = Console(highlight=False)
    first = True
    for block in view.blocks:
        if not first:
            console.print()
        first = False
        if isinstance(block, Text):
            style = {"dim": "dim", "warn": "yellow", "title": "bold"}.get(block.style, "")
            for ln in block.lines:
                console.print(RichText(ln, style=style))
            continue
        rt = RichTable(title=block.title, title_justify="left", header_style="bold cyan",
                       show_lines=any("\n" in str(c) for r in block.rows for c in r))
        for j, c in enumerate(block.columns):
            rt.add_column(c, justify="right" if j in block.right else "left", overflow="fold")
        for i, r in enumerate(block.rows):
            cells = [c if isinstance(c, str) else fmt(c) for c in r]
            rt.add_row(*cells, style="bold yellow" if i in block.highlight else None)
        console.print(rt)

