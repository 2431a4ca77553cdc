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
    """Rows for a person. Column roles decide what happens when the terminal is too narrow:
    `keep` columns (configs, names meant for pasting) are never split; `prose` columns (reasons,
    notes) wrap first; and when even that does not fit, a table with `head` > 0 is stacked: one
    block per row, headed by its first `head` cells, kept cells on their own lines, prose as bullets."""

    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None
    highlight: set[int] = field(default_factory=set)  # row indexes to emphasise (e.g. differences)
    right: set[int] = field(default_factory=set)  # column indexes aligned right (numbers)
    keep: set[int] = field(default_factory=set)
    sparse: set[int] = field(default_factory=set)  # "—" here means "does not apply": left out when stacked
    code: set[int] = field(default_factory=set)  # kept whole and, when stacked, on a line of its own (configs)
    prose: set[int] = field(default_factory=set)
    head: int = 0
    repeat: int = 0  # a table too wide that cannot stack is cut into column groups, each repeating these first columns


@dataclass
class Text:
    lines: list[str]
    style: str = ""  # "", "dim", "warn", "title", or "code" (snippets: never wrapped, so they paste whole)


@dataclass
class Bars:
    """A stacked bar per row: (label, [(part, value), …]), bars scaled to the largest row total.
    Drawn with rich on a terminal; as shares in plain text otherwise."""

    rows: list[tuple[str, list[tuple[str, float]]]]
    title: str | None = None


BAR_WIDTH = 40
BAR_STYLES = ("green", "yellow", "magenta", "blue", "cyan", "red")


class View:
    """JSON data plus the blocks a person reads. `build`, if given, adds the blocks only when text
    output is wanted, so `--json` over a large catalog does not format thousands of rows."""

    def __init__(self, data: Any, build=None, csv=None, documents=None):
        self.data = data
        self._blocks: list[Table | Text | Bars] = []
        self._build = build
        self.csv = csv  # callable returning (header, rows) of raw values, for --format csv
        self.documents = documents or {}  # other JSON formats by name (check's "sarif"): callables

    def formats(self) -> tuple[str, ...]:
        return ("table", "text", "json") + (("csv",) if self.csv else ()) + tuple(self.documents)

    @property
    def blocks(self) -> list[Table | Text | Bars]:
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

    def bars(self, rows: list[tuple[str, list[tuple[str, float]]]], title: str | None = None) -> None:
        self._blocks.append(Bars(rows, title))


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


def _terminal_width(stream) -> int | None:
    """The terminal's width for plain text on a terminal (NO_COLOR); None for a pipe or file, where
    lines are never broken, so that scripts and grep see whole rows."""
    if not _isatty(stream):
        return None
    import shutil

    return shutil.get_terminal_size().columns


def use_rich(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("GPUADVISOR_PLAIN"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or _isatty(stream)  # FORCE_COLOR: rich in CI logs too


def emit(view: View, as_json: bool, fmt: str = "table") -> None:
    """Print a view: as JSON (as_json or fmt "json"), CSV, or a table (rich on a terminal).

    Only a reader that went away (EPIPE) is silent success. Any other failure to write (stdout
    closed, a full disk, `ulimit -f`) is OutputError: one line and exit 1, never exit 0 on
    truncated output (audit 2026-12-04 N14, N15)."""
    from gpuadvisor.errors import OutputError

    if sys.stdout is None:
        raise OutputError("cannot write the output: stdout is closed")
    try:
        _write(view, as_json, fmt)
    except BrokenPipeError:
        pipe_closed()
    except OSError as e:
        _discard_pending_output()
        raise OutputError(f"cannot write the output ({e.strerror or e}); what was written is incomplete") from None


def _discard_pending_output() -> None:
    """After a failed write, point stdout at /dev/null, so the interpreter's last flush cannot
    fail again (and print a second message) at exit."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def _write(view: View, as_json: bool, fmt: str) -> None:
    out = sys.stdout
    if fmt == "csv":
        import csv
        import io

        header, rows = view.csv()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([csv_cell(c) for c in header])
        writer.writerows([csv_cell(c) for c in row] for row in rows)
        _put(out, buf.getvalue())
    elif fmt in view.documents:
        _put(out, to_json_text(view.documents[fmt](), pretty=_isatty(out)) + "\n")
    elif as_json or fmt == "json":
        _put(out, to_json_text(view.data, pretty=_isatty(out)) + "\n")
    elif use_rich(out):
        _emit_rich(view)
    else:
        _put(out, plain(view, _terminal_width(out)))
    out.flush()


def _put(out, text: str) -> None:
    """Write text to the stream's file descriptor directly when it has one: Python's buffered
    writer drops the error of a short write followed by EFBIG (`ulimit -f`), so a truncated
    document would end with exit 0 (N15); os.write reports it."""
    try:
        fd = out.fileno()
    except (AttributeError, ValueError, OSError):  # not a real file (tests capture it)
        out.write(text)
        return
    out.flush()
    data = memoryview(text.encode(out.encoding or "utf-8", out.errors or "strict"))
    while data:
        data = data[os.write(fd, data):]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run (audit N12, OWASP "CSV injection"): text that
    starts with =, +, -, @, TAB or CR gets a leading ' unless it is a plain number; numbers and
    other values are written as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _plain_number(value):
        return "'" + value
    return value


def _plain_number(text: str) -> bool:
    body = text[:-1] if text.endswith("%") else text
    if not body or not all(c in "0123456789+-.eE" for c in body):
        return False
    try:
        float(body)
    except ValueError:
        return False
    return True


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


def plain(view: View, width: int | None = None) -> str:
    """The view as plain text; `width` (a terminal's) squeezes or stacks tables that would not fit."""
    parts = []
    for block in view.blocks:
        if isinstance(block, Text):
            parts.append("\n".join(block.lines))
            continue
        if isinstance(block, Bars):
            parts.append(_plain_bars(block))
            continue
        how = layout(block, width, _plain_overhead)
        if how == "stack":
            parts.append("\n".join(line for line, _ in stacked(block, width or 0)))  # (width is set: layout)
        elif how == "split":
            parts.extend(_plain_table(g) for g in column_groups(block, width or 0, _plain_overhead))
        else:
            parts.append(_plain_table(block, _prose_width(block, width, _plain_overhead) if how == "squeeze" else None))
    return "\n\n".join(p for p in parts if p) + "\n"


# ---------------------------------------------------------------------------- fitting a width

PROSE_MIN = 28  # the narrowest a prose column gets before the table is stacked instead


def _rich_overhead(n: int) -> int:
    return 3 * n + 1  # a box: a bar before each column and after the last, one space of padding each side


def _plain_overhead(n: int) -> int:
    return 2 * (n - 1)  # two spaces between columns


def _natural(t: Table) -> list[int]:
    widths = [len(c) for c in t.columns]
    for r in t.rows:
        for j, c in enumerate(r):
            widths[j] = max(widths[j], *(len(x) for x in _cell_lines(c)))
    return widths


def layout(t: Table, width: int | None, overhead) -> str:
    """"table" when the table fits `width` as it is, "squeeze" when it fits with its prose columns
    wrapped, else "stack" (or "squeeze" for a table that cannot be stacked)."""
    if width is None:
        return "table"
    widths, n = _natural(t), len(t.columns)
    if sum(widths) + overhead(n) <= width:
        return "table"
    squeezed = sum(min(w, PROSE_MIN) if j in t.prose else w for j, w in enumerate(widths)) + overhead(n)
    if t.prose and squeezed <= width:
        return "squeeze"
    return "stack" if t.head else "split" if t.repeat and n > t.repeat + 1 else "squeeze"


def column_groups(t: Table, width: int, overhead) -> list[Table]:
    """A wide table as several, each with the first `repeat` columns and as many others as fit."""
    widths = _natural(t)
    fixed = list(range(t.repeat))
    groups: list[list[int]] = []
    current: list[int] = []
    for j in range(t.repeat, len(t.columns)):
        cols = fixed + current + [j]
        if current and sum(widths[k] for k in cols) + overhead(len(cols)) > width:
            groups.append(current)
            current = []
        current.append(j)
    groups.append(current)
    out: list[Table] = []
    for g in groups:
        cols = fixed + g
        remap = {old: new for new, old in enumerate(cols)}
        out.append(Table([t.columns[k] for k in cols], [[r[k] for k in cols] for r in t.rows], t.title if not out else None,
                         t.highlight, {remap[k] for k in t.right if k in remap}, {remap[k] for k in t.keep if k in remap}))
    return out


def _prose_width(t: Table, width: int | None, overhead) -> int | None:
    if width is None or not t.prose:
        return None
    widths = _natural(t)
    rest = sum(w for j, w in enumerate(widths) if j not in t.prose) + overhead(len(t.columns))
    return max(PROSE_MIN, (width - rest) // len(t.prose))


def _join_wrapped(items: list[str], width: int, indent: str) -> list[str]:
    """Items joined with " · ", broken between items (never inside one) to fit width."""
    lines, line = [], ""
    for item in items:
        candidate = f"{line} · {item}" if line else indent + item
        if line and len(candidate) > width:
            lines.append(line)
            candidate = indent + item
        line = candidate
    return lines + ([line] if line else [])


def stacked(t: Table, width: int) -> list[tuple[str, str]]:
    """The table as blocks of lines, one block per row; each line tagged title, head, item, code,
    bullet or blank. Code lines are never wrapped; items and bullets wrap between words."""
    import textwrap

    out: list[tuple[str, str]] = [(t.title, "title"), ("", "blank")] if t.title else []
    for i, r in enumerate(t.rows):
        cells = [_cell_lines(c) for c in r]
        if i:
            out.append(("", "blank"))
        heading = [("#" if t.columns[j] == "#" else "") + " ".join(x for x in cells[j] if x)
                   for j in range(min(t.head, len(cells))) if any(cells[j])]
        out.append(("  ".join(heading), "head"))
        items = [f"{t.columns[j]}: {' '.join(x for x in cells[j] if x)}" if t.columns[j] else " ".join(cells[j])
                 for j in range(t.head, len(cells))
                 if j not in t.code and j not in t.prose and "".join(cells[j]).strip()
                 and not (j in t.sparse and "".join(cells[j]).strip() == "—")]
        out.extend((line, "item") for line in _join_wrapped(items, width, "    "))
        for j in sorted(t.code):
            out.extend(("    " + x, "code") for x in cells[j] if x)
        for j in sorted(t.prose):
            for x in cells[j]:
                if x:
                    wrapped = textwrap.wrap(x, max(20, width - 6), break_long_words=False, break_on_hyphens=False)
                    out.extend((("    • " if k == 0 else "      ") + w, "bullet") for k, w in enumerate(wrapped))
    return out


def _cell_lines(v: Any) -> list[str]:
    return (v if isinstance(v, str) else fmt(v)).split("\n")


def _plain_table(t: Table, prose_width: int | None = None) -> str:
    import textwrap

    marker = bool(t.highlight)
    cols = (["≠"] if marker else []) + t.columns
    rows = []
    for i, r in enumerate(t.rows):
        cells = [_cell_lines(c) for c in r]
        if prose_width:
            cells = [[w for x in lines for w in (textwrap.wrap(x, prose_width, break_long_words=False,
                                                               break_on_hyphens=False) or [""])]
                     if j in t.prose else lines for j, lines in enumerate(cells)]
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


def _plain_bars(b: Bars) -> str:
    width = max((len(label) for label, _ in b.rows), default=0)
    lines = [b.title] if b.title else []
    for label, parts in b.rows:
        total = sum(v for _, v in parts) or 1.0
        shares = " · ".join(f"{name} {v / total:.0%}" for name, v in parts if v > 0)
        lines.append(f"{label.ljust(width)}  {shares}")
    return "\n".join(lines)


def _rich_bars(console, b: Bars) -> None:
    from rich.text import Text as RichText

    width = max((len(label) for label, _ in b.rows), default=0)
    top = max((sum(v for _, v in parts) for _, parts in b.rows), default=0.0) or 1.0
    if b.title:
        console.print(RichText(b.title, style="bold"))
    names = [name for name, _ in b.rows[0][1]] if b.rows else []
    legend = RichText("")
    for i, name in enumerate(names):
        legend.append("█ ", style=BAR_STYLES[i % len(BAR_STYLES)])
        legend.append(name + "  ", style="dim")
    for label, parts in b.rows:
        line = RichText(label.ljust(width) + "  ")
        for i, (_, v) in enumerate(parts):
            cells = round(v / top * BAR_WIDTH)
            line.append("█" * cells, style=BAR_STYLES[i % len(BAR_STYLES)])
        console.print(line)
    console.print(legend)


def _emit_rich(view: View, console=None) -> None:
    """Rich tables on a terminal, fitted to its width (see Table); `console` for tests."""
    from rich.console import Console
    from rich.text import Text as RichText

    console = console or Console(highlight=False)
    first = True
    for block in view.blocks:
        if not first:
            console.print()
        first = False
        if isinstance(block, Text):
            style = {"dim": "dim", "warn": "yellow", "title": "bold", "code": "cyan"}.get(block.style, "")
            for ln in block.lines:
                if block.style == "code":
                    console.print(RichText(ln, style=style), no_wrap=True, overflow="ignore", crop=False)
                else:
                    console.print(RichText(ln, style=style))
            continue
        if isinstance(block, Bars):
            _rich_bars(console, block)
            continue
        how = layout(block, console.width, _rich_overhead)
        if how == "stack":
            styles = {"title": "bold", "head": "bold", "item": "", "code": "cyan", "bullet": "dim", "blank": ""}
            for line, kind in stacked(block, console.width):
                console.print(RichText(line, style=styles[kind]), no_wrap=True, overflow="ignore", crop=False)
            continue
        if how == "split":
            for k, part in enumerate(column_groups(block, console.width, _rich_overhead)):
                if k:
                    console.print()
                _rich_table(console, part, "table")
            continue
        _rich_table(console, block, how)


def _rich_table(console, block: Table, how: str) -> None:
    from rich.table import Table as RichTable

    natural = _natural(block)
    rt = RichTable(title=block.title, title_justify="left", header_style="bold cyan",
                   show_lines=any("\n" in str(c) for r in block.rows for c in r))
    for j, c in enumerate(block.columns):
        fixed = j in block.keep or j in block.code or (how == "squeeze" and j not in block.prose)
        rt.add_column(c, justify="right" if j in block.right else "left", overflow="fold",
                      no_wrap=j in block.keep or j in block.code, min_width=natural[j] if fixed else None)
    for i, r in enumerate(block.rows):
        cells = [c if isinstance(c, str) else fmt(c) for c in r]
        rt.add_row(*cells, style="bold yellow" if i in block.highlight else None)
    console.print(rt)
