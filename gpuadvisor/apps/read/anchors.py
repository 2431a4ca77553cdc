"""Where a Python site is written (findings.Anchor), for write-back: the value, its key, the count
beside it and, for a value written indirectly, the string literal it comes from."""

from __future__ import annotations

import ast

from gpuadvisor.apps.evaluate.staticeval import Evaluator, Unresolved
from gpuadvisor.apps.read.findings import Anchor


def literal_span(ev: Evaluator, node: ast.AST, depth: int = 0) -> tuple[int, int, int, int] | None:
    """The string literal an indirect value is written in, in this file: a module constant (the one
    assignment that applies) or an env default, followed a few steps. None for a literal at the site
    or anything else (f-strings, objects, lists: a rewrite replaces those at the site)."""
    if depth > 4 or isinstance(node, ast.Constant):
        return span(node) if depth and isinstance(node, ast.Constant) and isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        try:
            binding, scope = ev.name_binding(node.id, node)
        except Unresolved:
            return None
        if binding is None or scope != "module" or binding.kind != "assign" or binding.node is None:
            return None
        if len(ev.module.get(node.id, ())) != 1:  # re-assigned (even under a guard that reads the literal)
            return None
        return literal_span(ev, binding.node, depth + 1)
    if isinstance(node, ast.Call) and ev._dotted(node.func) in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
        default = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "default"), None)
        return literal_span(ev, default, depth + 1) if default is not None else None
    return None

def dict_anchor(ev: Evaluator, splat: ast.AST, key: str, count_key: str, value: ast.AST, call: ast.Call) -> Anchor | None:
    """The entry `key` of the dict literal a `**NAME` unpacks (its value node is `value`)."""
    try:
        target, _, _ = ev._follow(splat, 0)
    except Unresolved:
        return None
    if isinstance(target, ast.Call):  # dict(gpu=..., ...): keyword syntax inside the dict's own call
        kws = {k.arg: k for k in target.keywords if k.arg}
        if key not in kws or kws[key].value is not value:
            return None
        c = kws.get(count_key)
        return Anchor("dictcall", key, span(value), span(kws[key]), span(call), count_key,
                      span(c) if c is not None else None, literal_span(ev, value))
    if not isinstance(target, ast.Dict):
        return None
    entries = {k.value: (k, v) for k, v in zip(target.keys, target.values, strict=True)
               if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if key not in entries or entries[key][1] is not value:
        return None
    k, v = entries[key]
    counted = entries.get(count_key)
    return Anchor("dict", key, span(v), (*span(k)[:2], *span(v)[2:]), span(call), count_key,
                  (*span(counted[0])[:2], *span(counted[1])[2:]) if counted else None, literal_span(ev, v))


def span(node: ast.AST) -> tuple[int, int, int, int]:
    # every node passed here is parsed (an expr, stmt or keyword): it has all four
    line, col, end_line, end_col = (getattr(node, a) for a in ("lineno", "col_offset", "end_lineno", "end_col_offset"))
    return (line, col, end_line, end_col)
