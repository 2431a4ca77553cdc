"""Line numbers for TOML key paths, so validation errors can say where a key is.

tomllib returns plain dicts without positions. This scanner reads the text once (only when an
error must be reported) and maps each table header and `key =` line to a path such as
("offering", 3, "gpu"). It understands headers, arrays of tables (also nested), dotted and
quoted keys, and skips what is inside values: strings (basic, literal, multi-line, with
escapes), and arrays and inline tables that span lines.

It runs in time linear in the file's size, whatever the file holds: every regular expression
matches a fixed token or a run of one character class (nothing that can backtrack), each
character is looked at a bounded number of times, blank and comment lines are skipped by the
regex engine, and paths are cut at MAX_DEPTH parts (validation never asks deeper), so a
20,000-part dotted header costs no more than its length.
"""

from __future__ import annotations

import re

MAX_DEPTH = 12  # parts of a key path kept; validation paths are at most ~6 deep

_BARE = re.compile(r"[A-Za-z0-9_\-]+")
_BASIC = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_LITERAL = re.compile(r"'([^'\n]*)'")
_SPACE = re.compile(r"[ \t]*")


def _skip_space(text: str, pos: int, stop: int) -> int:
    m = _SPACE.match(text, pos, stop)
    assert m is not None, "[ \\t]* matches the empty string too"
    return m.end()
# what matters in a value: strings open, brackets nest, a comment or a line end stops it
_VALUE_TOKEN = re.compile(r"\"\"\"|'''|[\"'\[\]{}#\n]")
_ML_BASIC_END = re.compile(r'\\.|"""', re.S)  # an escape pair is skipped whole: \""" does not close
_CONTENT_LINE = re.compile(r"^[ \t]*[^ \t\r\n#]", re.M)  # blank and comment lines are skipped in C
# the common line, `key = value` with a plain value, in one match (no string, array or table in it)
_SIMPLE_HEADER = re.compile(r"(\[\[?)[ \t]*([A-Za-z0-9_\-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_\-]+)*)[ \t]*(\]\]?)[ \t]*(?:#|\r|$)",
                            re.M)  # [a.b] and [[a.b]] with bare keys: the common header, in one match
_SIMPLE_LINE = re.compile(r"([A-Za-z0-9_\-]+)[ \t]*=[^\"'\[\]{}#\n]*(?:#[^\n]*)?(?=\n|\Z)")


def split_key(text: str) -> tuple[str, ...]:
    parts, _end = _parse_key(text, 0, len(text))
    return tuple(parts)


def _parse_key(text: str, pos: int, stop: int) -> tuple[list[str], int]:
    """A (dotted) key starting at pos, before stop: its parts (at most MAX_DEPTH kept) and where it ends."""
    parts: list[str] = []
    while True:
        pos = _skip_space(text, pos, stop)
        m = _BARE.match(text, pos, stop) or _BASIC.match(text, pos, stop) or _LITERAL.match(text, pos, stop)
        if m is None:
            return parts, pos
        if len(parts) < MAX_DEPTH:
            parts.append(m.group(1) if m.lastindex else m.group(0))
        pos = _skip_space(text, m.end(), stop)
        if pos < stop and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


def _skip_value(text: str, pos: int) -> int:
    """The end of the value that starts at pos: the start of the line after it. Strings (also
    multi-line) and arrays or inline tables that span lines are skipped whole."""
    depth = 0
    while True:
        m = _VALUE_TOKEN.search(text, pos)
        if m is None:
            return len(text)
        tok, pos = m.group(0), m.end()
        if tok == "\n":
            if depth == 0:
                return pos
        elif tok == "#":
            nl = text.find("\n", pos)
            pos = len(text) if nl < 0 else nl  # the newline itself is the next token
        elif tok == '"':
            m = _BASIC.match(text, pos - 1)
            pos = m.end() if m else pos  # unterminated: invalid TOML, so never asked about
        elif tok == "'":
            m = _LITERAL.match(text, pos - 1)
            pos = m.end() if m else pos
        elif tok in ('"""', "'''"):
            pos = _close_multiline(text, pos, tok)
        elif tok in "[{":
            depth += 1
        elif depth:
            depth -= 1


def _close_multiline(text: str, pos: int, quote: str) -> int:
    """The end of a multi-line string opened before pos (past up to two quotes of content that
    stand before the closing ones), or the end of the text."""
    if quote == "'''":
        end = text.find(quote, pos)
    else:
        end = next((m.start() for m in _ML_BASIC_END.finditer(text, pos) if m.group(0) == '"""'), -1)
    if end < 0:
        return len(text)
    end += 3
    for _ in range(2):  # """"" closes after two quotes of content
        if end < len(text) and text[end] == quote[0]:
            end += 1
    return end


def key_lines(text: str) -> dict[tuple, int]:
    lines: dict[tuple, int] = {}
    arrays: dict[tuple, int] = {}  # resolved array-of-tables path -> current index
    current: tuple = ()
    lineno, counted = 1, 0  # the line number of position `counted`
    pos = 0
    while True:
        m = _CONTENT_LINE.search(text, pos)
        if m is None:
            return lines
        start = m.end() - 1  # the first character of the line's content
        lineno += text.count("\n", counted, start)
        counted = start
        simple = _SIMPLE_LINE.match(text, start)
        if simple is not None:
            lines.setdefault(current + (simple.group(1),), lineno)
            pos = simple.end()
            continue
        eol = text.find("\n", start)
        line_end = len(text) if eol < 0 else eol
        if text[start] == "[":
            pos = line_end
            simple = _SIMPLE_HEADER.match(text, start)
            if simple is not None:
                double = len(simple.group(1)) == 2
                if len(simple.group(3)) != len(simple.group(1)):
                    continue
                parts = [p.strip() for p in simple.group(2).split(".", MAX_DEPTH)[:MAX_DEPTH]]
            else:
                double = text.startswith("[[", start)
                parts, end = _parse_key(text, start + (2 if double else 1), line_end)
                if not parts or not text.startswith("]]" if double else "]", end):
                    continue  # not a header tomllib accepts: nothing to record
            path = _resolve(tuple(parts), arrays)
            if double:
                # nested arrays of an earlier element stay in `arrays` under that element's
                # index, where no later path reaches them
                idx = arrays.get(path, -1) + 1
                arrays[path] = idx
                current = path + (idx,)
                lines.setdefault(path, lineno)
            else:
                current = path
            lines.setdefault(current, lineno)
            continue
        parts, end = _parse_key(text, start, line_end)
        if parts and text.startswith("=", end):
            lines.setdefault((current + tuple(parts))[: MAX_DEPTH * 2], lineno)
            pos = _skip_value(text, end + 1)
        else:
            pos = line_end


def _resolve(path: tuple, arrays: dict[tuple, int]) -> tuple:
    """Insert current array indices: ("offering", "price") -> ("offering", 3, "price")."""
    out: tuple = ()
    for part in path:
        out = out + (part,)
        if out in arrays and out != path:
            out = out + (arrays[out],)
    return out


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None
