"""One output layer: a command builds a `View` (JSON data + text blocks); this module prints it
as JSON, CSV or text. Text has one layout at every width and in every mode (issue 25): a table's
short columns on the row's line, its configs and notes on indented lines under the row, every line
within the terminal's width (100 columns in a pipe) unless --wide. A terminal gets the same lines
with colour and a drawn rule; nothing else differs. No rich on any output path.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """Rows for a person. Column roles: `code` (configs) and `prose` (reasons, notes) are written on
    indented lines under their row, code never broken, prose wrapped at the indent; `keep` columns
    and the first `head` stay on the row's line; when the rest is wider than the output, the
    rightmost other columns move under the row as "name: value"."""

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
    moves: tuple[int, ...] = ()  # the order columns move under the row when too wide (default: rightmost first)
    repeat: int = 0  # a table too wide that cannot stack is cut into column groups, each repeating these first columns


@dataclass
class Text:
    lines: list[str]
    style: str = ""  # "", "dim", "warn", "title", or "code" (snippets: never wrapped, so they paste whole)


@dataclass
class Bars:
    """A stacked bar per row: (label, [(part, value), …]), bars scaled to the largest row total.
    Written as each part's share."""

    rows: list[tuple[str, list[tuple[str, float]]]]
    title: str | None = None




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
        _put(out, decorated(view, output_width(out)))
    else:
        _put(out, plain(view, output_width(out)))
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


PIPE_WIDTH = 100  # a pipe or file: lines end by here too, so logs and diffs stay readable
_WIDE = [False]  # --wide: one line per row, notes unwrapped, whatever the width


def set_wide(wide: bool) -> None:
    _WIDE[0] = bool(wide)


def output_width(stream=None) -> int | None:
    """The width lines must fit: the terminal's (COLUMNS when colour is forced without one), 100 in
    a pipe or file; None with --wide (nothing is wrapped or moved)."""
    if _WIDE[0]:
        return None
    stream = stream or sys.stdout
    if _isatty(stream):
        import shutil

        return shutil.get_terminal_size().columns
    if os.environ.get("FORCE_COLOR") and os.environ.get("COLUMNS", "").isdigit() and use_rich(stream):
        return max(20, int(os.environ["COLUMNS"]))
    return PIPE_WIDTH


def plain(view: View, width: int | None = None) -> str:
    """The view as plain text, every line within `width` (None: unbounded, as --wide)."""
    return "\n".join(line for line, _ in lines_of(view, width)) + "\n"


def lines_of(view: View, width: int | None) -> list[tuple[str, str]]:
    """The one layout, as (line, kind) pairs; kind names the decoration a terminal adds (title, dim,
    warn, code, header, rule, row, mark, note, bar) and plain text ignores."""
    out: list[tuple[str, str]] = []
    for block in view.blocks:
        if isinstance(block, Text):
            part = [(x, block.style or "text") for ln in block.lines
                    for x in ([ln] if block.style == "code" else wrap_keeping_indent(ln, width))]
        elif isinstance(block, Bars):
            part = [(x, "text") for x in _plain_bars(block).split("\n")]
        elif block.repeat and width is not None and len(block.columns) > block.repeat + 1 and table_width(block) > width:
            fitted = _wrap_cells(block, width)
            part = table_lines(fitted, width) if fitted else []
            for k, g in enumerate([] if fitted else column_groups(block, width)):
                part += ([("", "blank")] if k else []) + table_lines(g, width)
        else:
            part = table_lines(block, width)
        if not part:
            continue
        if out:
            out.append(("", "blank"))
        out.extend(part)
    return out


def wrap_keeping_indent(line: str, width: int | None, extra: str = "") -> list[str]:
    """A line broken between words to fit width; continuation lines keep the line's indent (two
    deeper for an indented line, under the text of a bullet), so a wrapped note stays under its row."""
    if width is None or len(line) <= width:
        return [line]
    import textwrap

    indent = line[:len(line) - len(line.lstrip())]
    bullet = "  " if line.lstrip().startswith(("• ", "- ", "* ")) else ""
    hang = "  " if indent and not bullet else ""  # an indented line's continuation sits under its text, 2 deeper
    return textwrap.wrap(line, width, initial_indent="", subsequent_indent=indent + bullet + hang + extra,
                         break_long_words=False, break_on_hyphens=False) or [line]


# ---------------------------------------------------------------------------- fitting a width

NOTE = "    "  # the indent of a row's notes


def _natural(t: Table) -> list[int]:
    widths = [len(c) for c in t.columns]
    for r in t.rows:
        for j, c in enumerate(r):
            widths[j] = max(widths[j], *(len(x) for x in _cell_lines(c)))
    return widths


def table_width(t: Table, cols: list[int] | None = None) -> int:
    widths = _natural(t)
    cols = list(range(len(t.columns))) if cols is None else cols
    return sum(widths[j] for j in cols) + 2 * (len(cols) - 1) + (3 if t.highlight else 0)


def split_columns(t: Table, width: int | None) -> tuple[list[int], list[int]]:
    """(columns on the row's line, columns written under it). Prose and code always go under the
    row; when the rest is still wider than `width`, columns move under the row as "name: value"
    (in `moves` order, else rightmost first; `keep` columns last; never the first or the `head`)."""
    inline = [j for j in range(len(t.columns)) if j not in t.prose and j not in t.code]
    moved: list[int] = []
    if width is not None:
        movable = [j for j in inline if j not in t.keep and j != 0 and j >= t.head]
        movable = [j for j in movable if j not in t.moves] + [j for j in reversed(t.moves) if j in movable]
        movable = [j for j in inline if j in t.keep and j != 0 and j >= t.head][::-1] + movable  # kept ones last
        while table_width(t, inline) > width and movable:
            j = movable.pop()
            inline.remove(j)
            moved.append(j)
        moved.sort()
    return inline, moved


def table_lines(t: Table, width: int | None) -> list[tuple[str, str]]:
    """A table: the row line with its short columns, and under it, indented, the columns that did
    not fit, its code (configs, never broken) and its prose (wrapped at the indent)."""
    inline, moved = split_columns(t, width)
    marker = bool(t.highlight)
    head = (["≠"] if marker else []) + [t.columns[j] for j in inline]
    body = []
    for i, r in enumerate(t.rows):
        cells = [_cell_lines(r[j]) for j in inline]
        if marker:
            cells.insert(0, ["*" if i in t.highlight else ""])
        body.append(cells)
    widths = [len(c) for c in head]
    for cells in body:
        for j, lines in enumerate(cells):
            widths[j] = max(widths[j], *(len(x) for x in lines))
    right = {inline.index(j) + (1 if marker else 0) for j in t.right if j in inline}

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(widths[j]) if j in right else v.ljust(widths[j]) for j, v in enumerate(values)).rstrip()

    out: list[tuple[str, str]] = [(x, "title") for x in wrap_keeping_indent(t.title, width)] if t.title else []
    out += [(line(head), "header"), ("  ".join("-" * w for w in widths), "rule")]
    for i, (r, cells) in enumerate(zip(t.rows, body, strict=True)):
        kind = "mark" if i in t.highlight else "row"
        for k in range(max(len(c) for c in cells)):
            out.append((line([c[k] if k < len(c) else "" for c in cells]), kind))
        items = [f"{t.columns[j]}: {' '.join(x for x in _cell_lines(r[j]) if x)}" for j in moved
                 if str(r[j]).strip() and not (j in t.sparse and str(r[j]).strip() == "—")]
        if items:
            out += [(x, "note") for x in _join_wrapped(items, width, NOTE)]
        for j in sorted(t.code):
            out += [(NOTE + x, "code") for x in _cell_lines(r[j]) if x.strip()]
        for j in sorted(t.prose):
            for x in _cell_lines(r[j]):
                if x.strip():
                    out += [(w, "note") for w in wrap_keeping_indent(NOTE + x, width)]
    return out


SHARE_MIN = 20  # the narrowest a compared column gets by wrapping its cells before the table is cut in groups


def _wrap_cells(t: Table, width: int) -> Table | None:
    """A table of compared columns (`repeat`) fitted by wrapping the long cells of the others to an
    equal share of the width; None when a share would be under SHARE_MIN."""
    import textwrap

    widths = _natural(t)
    rest = len(t.columns) - t.repeat
    fixed = sum(widths[:t.repeat]) + 2 * (len(t.columns) - 1) + (3 if t.highlight else 0)
    share = (width - fixed) // rest
    if share < SHARE_MIN:
        return None

    def fit(j: int, v: Any) -> Any:
        if j < t.repeat:
            return v
        lines = _cell_lines(v)
        if all(len(x) <= share for x in lines):
            return v
        return "\n".join(w for x in lines for w in (textwrap.wrap(x, share, break_long_words=False) or [""]))

    return Table(t.columns, [[fit(j, v) for j, v in enumerate(r)] for r in t.rows], t.title, t.highlight, t.right,
                 t.keep, t.sparse, t.code, t.prose, t.head, t.moves)


def column_groups(t: Table, width: int) -> list[Table]:
    """A wide table as several, each with the first `repeat` columns and as many others as fit."""
    widths = _natural(t)
    fixed = list(range(t.repeat))
    groups: list[list[int]] = []
    current: list[int] = []
    for j in range(t.repeat, len(t.columns)):
        cols = fixed + current + [j]
        if current and sum(widths[k] for k in cols) + 2 * (len(cols) - 1) + 3 > width:
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


def _join_wrapped(items: list[str], width: int | None, indent: str) -> list[str]:
    """Items joined with " · ", broken between items (never inside one) to fit width."""
    lines, line = [], ""
    for item in items:
        candidate = f"{line} · {item}" if line else indent + item
        if line and width is not None and len(candidate) > width:
            lines.append(line)
            candidate = indent + item
        line = candidate
        if width is not None and len(line) > width:  # one item longer than the width: between its words
            *done, line = wrap_keeping_indent(line, width, "  ")
            lines += done
    return lines + ([line] if line else [])


def _cell_lines(v: Any) -> list[str]:
    return (v if isinstance(v, str) else fmt(v)).split("\n")


def _plain_bars(b: Bars) -> str:
    width = max((len(label) for label, _ in b.rows), default=0)
    lines = [b.title] if b.title else []
    for label, parts in b.rows:
        total = sum(v for _, v in parts) or 1.0
        shares = " · ".join(f"{name} {v / total:.0%}" for name, v in parts if v > 0)
        lines.append(f"{label.ljust(width)}  {shares}")
    return "\n".join(lines)


_ANSI = {"title": "1", "header": "1;36", "rule": "2", "mark": "1;33", "note": "2", "dim": "2", "warn": "33",
         "code": "36"}


def decorated(view: View, width: int | None) -> str:
    """The same lines as `plain`, with colour and a drawn rule: what a terminal gets."""
    out = []
    for line, kind in lines_of(view, width):
        if kind == "rule":
            line = line.replace("-", "─")
        style = _ANSI.get(kind)
        out.append(f"\x1b[{style}m{line}\x1b[0m" if style and line else line)
    return "\n".join(out) + "\n"
