"""Write an app's GPU configurations back into its files: `translate --file --write` and `check --fix`.

A rewrite is a set of targeted span replacements on the file's text, at the positions the scanner
read (a Finding's Anchor for Python; the site's line for config files), so comments, formatting and
everything else in the file stay as they were (no re-dump of YAML/TOML/JSON, no new dependency).
Where a value is written indirectly (a module constant, an env default) the string literal it comes
from is changed, so `$GPU` overrides keep working; anything else is replaced at the site.

After the edits, the new text is parsed and every site is read again: it must read as the config
that was meant, else nothing is written and the sites are named (RewriteFailed). Where the target's
SDK needs a name (`from runpod_flash import GpuType`) an import is added; where the code around a
site needs a person (another provider's decorator model), a comment says so at the site.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

from gpuadvisor.apps.read.findings import Finding
from gpuadvisor.errors import GpuAdvisorError

COMMENT = "# gpuadvisor:"


@dataclass(frozen=True)
class Site:
    """One configuration to write: `config` in `provider`'s syntax (as write_config or a check
    suggestion writes it); `human`, when the code around it needs a person, says why."""

    finding: Finding
    provider: str
    config: str
    human: str = ""


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


@dataclass
class Rewritten:
    text: str
    sites: list[Site]
    human: list[Site] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)


class RewriteFailed(GpuAdvisorError):
    """The rewritten file would not read as intended: nothing is written (exit 1)."""

    exit_code = 1


# ---------------------------------------------------------------------------- config text

def config_pairs(config: str) -> list[tuple[str, str]]:
    """`gpu=GpuType.X, gpu_count=2` -> [("gpu", "GpuType.X"), ("gpu_count", "2")]; also the
    `key = value` lines of fal and TOML configs, YAML's `key: value` and JSON's `"key": value` pairs."""
    text = config.strip()
    if text.startswith('"'):
        return [(k, json.dumps(v)) for k, v in json.loads("{" + text + "}").items()]
    m = re.fullmatch(r"([A-Za-z_]\w*):\s+(.+)", text)
    if m:
        return [(m.group(1), m.group(2).strip())]
    src = "f(" + ", ".join(ln.strip() for ln in text.splitlines() if ln.strip()) + ")"
    call = ast.parse(src, mode="eval").body
    assert isinstance(call, ast.Call), "src is one call, f(...)"
    # the segment is always found: every keyword node was parsed from src
    return [(k.arg, ast.get_source_segment(src, k.value) or "") for k in call.keywords if k.arg]


def count_key(provider) -> str:
    """The key a provider writes a separate GPU count under (`gpu_count`, `num_gpus`), or ''."""
    if provider.syntax.counted:  # the count is part of the value (Modal's "H100:2")
        return ""
    m = re.search(r"([A-Za-z_]\w*)\s*[=:]\s*\{count\}", provider.syntax.config_count or "")
    return m.group(1) if m else ""


# ---------------------------------------------------------------------------- positions

class _Text:
    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for ln in self.lines:
            self.starts.append(self.starts[-1] + len(ln))

    def offset(self, line: int, byte_col: int) -> int:
        raw = self.lines[line - 1].encode("utf-8")[:byte_col]
        return self.starts[line - 1] + len(raw.decode("utf-8", errors="ignore"))

    def span(self, span) -> tuple[int, int]:
        return self.offset(span[0], span[1]), self.offset(span[2], span[3])

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]

    def indent(self, line: int) -> str:
        ln = self.lines[line - 1]
        return ln[: len(ln) - len(ln.lstrip())]


def apply(text: str, edits: list[Edit]) -> str:
    """The text with the edits made (they must not overlap; identical ones count once)."""
    unique = sorted(set(edits), key=lambda e: (e.start, e.end, e.text))
    for a, b in zip(unique, unique[1:], strict=False):
        if b.start < a.end:
            raise RewriteFailed(f"two rewrites overlap at character {b.start}; nothing was written")
    out, pos = [], 0
    for e in unique:
        out.append(text[pos:e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def shifted(edits: list[Edit], pos: int) -> int:
    """Where an untouched position of the old text is in the new one."""
    return pos + sum(len(e.text) - (e.end - e.start) for e in set(edits) if e.end <= pos)


# ---------------------------------------------------------------------------- Python files

def _leading_comma(text: str, start: int) -> int:
    """The start of `, ` before an argument (the comma and the space or newline around it)."""
    i = start
    while i > 0 and text[i - 1] in " \t\r\n":
        i -= 1
    return i - 1 if i > 0 and text[i - 1] == "," else start


def _entry(form: str, key: str, value: str) -> str:
    return {"keyword": f"{key}={value}", "dictcall": f"{key}={value}", "dict": f'"{key}": {value}',
            "attribute": f"{key} = {value}"}[form]


def plan_python(text: str, sites: list[Site], providers: dict, module_of: dict[str, tuple[str, ...]],
                shared_literals: dict | None = None) -> tuple[list[Edit], list[str]]:
    """The edits for these sites of one Python file, and the imports added. `providers`: id ->
    Provider; `module_of`: provider id -> the modules its SDK names are imported from (the first by default);
    `shared_literals`: literal span -> how many sites of the file read it (a literal other sites
    also read is only changed when all of them are rewritten to the same text)."""
    t = _Text(text)
    edits: list[Edit] = []
    literal_texts: dict = {}
    plans = []
    for site in sites:
        a = site.finding.anchor
        assert a is not None, "a Python file's sites are anchored findings (writeback skips the rest)"
        pairs = config_pairs(site.config)
        (key, value), count = pairs[0], (pairs[1] if len(pairs) > 1 else None)
        plans.append((site, a, key, value, count))
        if a.literal and key == a.key and value[:1] in "\"'":
            literal_texts.setdefault(a.literal, set()).add(value)
    usable = {span for span, texts in literal_texts.items() if len(texts) == 1
              and (shared_literals or {}).get(span, 0) == sum(1 for p in plans if p[1].literal == span)}
    for site, a, key, value, count in plans:
        target = providers[site.provider]
        if a.literal in usable and key == a.key and value[:1] in "\"'":
            s, e = t.span(a.literal)
            edits.append(Edit(s, e, value))
        elif key == a.key:
            s, e = t.span(a.value)
            edits.append(Edit(s, e, value))
        else:
            s, e = t.span(a.whole)
            edits.append(Edit(s, e, _entry(a.form, key, value)))
        ck = count[0] if count else count_key(target)
        if a.count is not None:
            cs, ce = t.span(a.count)
            if count or ck:  # the target writes a count apart: say it, 1 included
                edits.append(Edit(cs, ce, _entry(a.form, ck, count[1] if count else "1")))
            elif a.form == "attribute":
                edits.append(Edit(t.line_start(a.count[0]), t.line_start(a.count[2] + 1) if a.count[2] < len(t.lines)
                                  else len(text), ""))
            else:
                edits.append(Edit(_leading_comma(text, cs), ce, ""))
        elif count:
            _, we = t.span(a.whole)
            extra = (f"\n{t.indent(a.whole[0])}{_entry(a.form, *count)}" if a.form == "attribute"
                     else f", {_entry(a.form, *count)}")
            edits.append(Edit(we, we, extra))
        if site.human:
            line = a.owner[0]
            at = t.line_start(line)
            edits.append(Edit(at, at, f"{t.indent(line)}{COMMENT} {site.human}\n"))
    imports = _imports(text, t, sites, plans, module_of)
    return edits + imports[0], imports[1]


def _imports(text: str, t: _Text, sites, plans, module_of) -> tuple[list[Edit], list[str]]:
    """`from <sdk> import Name` for dotted SDK names the written values use that the file does not bind."""
    tree = ast.parse(text)
    bound = {a.asname or a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
             for a in n.names}
    bound |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    wanted: dict[str, list[str]] = {}
    used = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and not n.level]
    for site, _a, _key, value, _count in plans:
        for root in re.findall(r"(?<![\w.])([A-Z][A-Za-z0-9_]*)\.[A-Za-z_]", value):
            if root not in bound and site.provider in module_of:
                mods = module_of[site.provider]  # the SDK module the file already imports from, else the first
                mod = next((m for m in used if m.split(".")[0] in mods), mods[0])
                names = wanted.setdefault(mod, [])
                if root not in names:
                    names.append(root)
    if not wanted:
        return [], []
    lines = [f"from {mod} import {', '.join(sorted(names))}" for mod, names in wanted.items()]
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    if top:
        last = top[-1].end_lineno
        assert last is not None, "parsed nodes have positions"
        at = t.line_start(last + 1) if last < len(t.lines) else len(text)
        prefix = "" if text[:at].endswith("\n") or not at else "\n"
    else:
        first = tree.body[0] if tree.body else None
        doc = first is not None and isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant)
        end = first.end_lineno if doc and first is not None else None
        at = (t.line_start(end + 1) if end < len(t.lines) else len(text)) if end is not None else 0
        prefix = "" if not at or text[:at].endswith("\n") else "\n"
    return [Edit(at, at, prefix + "\n".join(lines) + "\n")], lines


# ---------------------------------------------------------------------------- config files

_YAML_LINE = re.compile(r"^(?P<lead>\s*(?P<key>[A-Za-z_]\w*)\s*:\s*)(?P<value>.*?)(?P<tail>\s*(#.*)?)$")
_TOML_LINE = re.compile(r"^(?P<lead>\s*(?P<key>[A-Za-z_][\w-]*)\s*=\s*)(?P<value>\"[^\"]*\"|'[^']*'|\[[^\]]*\]|[^#\s]+)"
                        r"(?P<tail>\s*(#.*)?)$")
_JSON_PAIR = re.compile(r'("(?P<key>gpuIds|gpuCount)"\s*:\s*)(?P<value>"(?:[^"\\]|\\.)*"|-?\d+|null)')


def plan_config(fmt: str, text: str, site: Site, provider) -> list[Edit]:
    """Edits for a config file's one site: the value on the site's line (and the count beside it)."""
    t = _Text(text)
    pairs = config_pairs(site.config)
    (key, value), count = pairs[0], (pairs[1] if len(pairs) > 1 else None)
    line = site.finding.line
    if fmt == "hub":
        return _plan_json(text, key, value, count or (count_key(provider) and None))
    pattern = _YAML_LINE if fmt == "yaml" else _TOML_LINE
    raw = t.lines[line - 1]
    body = raw.rstrip("\r\n")
    m = pattern.match(body)
    if not m:
        raise RewriteFailed(f"line {line}: {body.strip()!r} is not a one-line `key {':' if fmt == 'yaml' else '='} value`; "
                            "nothing was written")
    start = t.line_start(line)
    lead = m.group("lead") if m.group("key") == key else m.group("lead").replace(m.group("key"), key, 1)
    edits = [Edit(start, start + m.end("value"), lead + value)]
    if fmt == "toml":
        edits += _toml_count(t, line, count, count_key(provider))
    return edits


def _toml_count(t: _Text, line: int, count, ck: str) -> list[Edit]:
    """gpu_count in the same table as the site: replaced, or added after the site's line."""
    if not ck:
        return []
    n = line
    while n > 1 and not t.lines[n - 2].lstrip().startswith("["):
        n -= 1
    end = line
    while end < len(t.lines) and not t.lines[end].lstrip().startswith("["):
        end += 1
    for i in range(n, end + 1):
        m = _TOML_LINE.match(t.lines[i - 1].rstrip("\r\n"))
        if m and m.group("key") == ck:
            s = t.line_start(i)
            return [Edit(s + m.start("value"), s + m.end("value"), count[1] if count else "1")]
    if not count:
        return []
    at = t.line_start(line + 1) if line < len(t.lines) else len(t.text)
    return [Edit(at, at, ("" if t.text[:at].endswith("\n") else "\n") + f"{ck} = {count[1]}\n")]


def _plan_json(text: str, key: str, value: str, count) -> list[Edit]:
    found = {m.group("key"): m for m in _JSON_PAIR.finditer(text)}
    if key not in found:
        raise RewriteFailed(f'no "{key}" in the file; nothing was written')
    m = found[key]
    edits = [Edit(m.start("value"), m.end("value"), value)]
    if "gpuCount" in found:
        c = found["gpuCount"]
        edits.append(Edit(c.start("value"), c.end("value"), count[1] if count else "1"))
    elif count:
        edits.append(Edit(m.end("value"), m.end("value"), f', "{count[0]}": {count[1]}'))
    return edits
