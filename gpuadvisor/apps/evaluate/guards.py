"""Whether a module-level `if` guard holds for a constant's value: `GPU = env default`, then
`if len(GPU.split(":")) <= 1: GPU = ...` (modal-labs/llm-finetuning). Reads comparisons, not/and/or,
len(), `in` and a few str methods on values the evaluator knows; anything else is "cannot be read"."""

from __future__ import annotations

import ast

from gpuadvisor.apps.evaluate.pyscope import Unresolved

_STR_METHODS = frozenset({"split", "rsplit", "lower", "upper", "strip", "startswith", "endswith", "isdigit"})
_COMPARE = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
            ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
            ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
            ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b}


class _NotRead(Exception):
    """A guard expression outside what _guard_value reads."""


def guard_holds(ev, test: ast.AST, name: str, value) -> bool | None:
    """A module-level `if` test with `name` set to `value`: True / False, or None when it cannot be
    read. Only comparisons, not/and/or, len(), `in` and a few str methods (split, lower, ...) are read."""
    try:
        return bool(_guard_value(ev, test, name, value, 0))
    except (Unresolved, TypeError, ValueError, AttributeError, _NotRead):
        return None

def _guard_value(ev, node: ast.AST, name: str, value, depth: int):
    if depth > 12:
        raise _NotRead
    d = depth + 1
    if isinstance(node, ast.Name) and node.id == name:
        return value
    if isinstance(node, ast.Compare):
        left = _guard_value(ev, node.left, name, value, d)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _guard_value(ev, right_node, name, value, d)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        vals = [_guard_value(ev, v, name, value, d) for v in node.values]
        return all(vals) if isinstance(node.op, ast.And) else any(vals)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _guard_value(ev, node.operand, name, value, d)
    if isinstance(node, ast.Call) and not node.keywords:
        args = [_guard_value(ev, a, name, value, d) for a in node.args]
        if isinstance(node.func, ast.Name) and node.func.id == "len" and len(args) == 1:
            return len(args[0])
        if isinstance(node.func, ast.Attribute) and node.func.attr in _STR_METHODS:
            obj = _guard_value(ev, node.func.value, name, value, d)
            if isinstance(obj, str) and all(isinstance(a, str) for a in args) and len(args) <= 1:
                return getattr(obj, node.func.attr)(*args)
        raise _NotRead
    v = ev._eval(node, d).value
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    raise _NotRead
