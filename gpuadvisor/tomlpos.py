"""Line numbers for TOML key paths, so validation errors can say where a key is.

tomllib returns plain dicts without positions. This scanner reads the text once (only when an
error must be reported) and maps each table header and `key =` line to a path such as
("offering", 3, "gpu"). It understands headers, arrays of tables (also nested), dotted and
quoted keys; lines inside multi-line strings and arrays are skipped.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*=""")
_PART = re.compile(r"""\s*([A-Za-z0-9_\-]+|"[^"]*"|'[^']*')\s*(?:\.|$)""")


def split_key(text: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(text))


def key_lines(text: str) -> dict[tuple, int]:
    lines: dict[tuple, int] = {}
    arrays: dict[tuple, int] = {}  # resolved array-of-tables path -> current index
    current: tuple = ()
    in_multiline: str | None = None
    depth = 0  # open brackets of a multi-line array / inline table
    for lineno, raw in enumerate(text.splitlines(), 1):
        if in_multiline:
            if in_multiline in raw:
                in_multiline = None
            continue
        if depth > 0:
            depth += raw.count("[") + raw.count("{") - raw.count("]") - raw.count("}")
            continue
        m = _HEADER.match(raw)
        if m and not _KEY.match(raw):
            path = _resolve(split_key(m.group(2)), arrays)
            if m.group(1) == "[[":
                idx = arrays.get(path, -1) + 1
                # a new element resets nested arrays beneath it
                for k in [k for k in arrays if len(k) > len(path) and k[: len(path)] == path]:
                    del arrays[k]
                arrays[path] = idx
                current = path + (idx,)
                lines.setdefault(path, lineno)
            else:
                current = path
            lines.setdefault(current, lineno)
            continue
        m = _KEY.match(raw)
        if m:
            lines.setdefault(current + split_key(m.group(1)), lineno)
            rest = raw[m.end():]
            for q in ('"""', "'''"):
                if rest.count(q) == 1:
                    in_multiline = q
            if not in_multiline:
                depth = max(0, rest.count("[") + rest.count("{") - rest.count("]") - rest.count("}"))
    return lines


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
