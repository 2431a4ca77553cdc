"""Bindings, scopes and source quoting under the static evaluator."""

from __future__ import annotations

import ast
import textwrap

from gpuadvisor.apps.evaluate.pyscope import ModuleIndex, Source, collect_bindings, function_locals


def test_bindings_know_what_is_conditional():
    tree = ast.parse(textwrap.dedent("""
        import os
        from .x import Y as Z
        A = 1
        B: int = 2
        C, D = 3, 4
        if A:
            E = 5
        try:
            F = 6
        except ImportError:
            F = 7
        for G in range(3):
            pass
        H += 1
    """))
    b = collect_bindings(tree.body)
    assert (b["os"][0].kind, b["os"][0].origin) == ("import", "os")
    assert (b["Z"][0].kind, b["Z"][0].origin, b["Z"][0].module) == ("import", ".x", ".x.Y")
    assert [x.kind for x in b["A"]] == ["assign"] and isinstance(b["D"][0].node, ast.Constant)
    assert b["E"][0].conditional and not b["F"][0].conditional and b["F"][1].conditional
    assert b["G"][0].kind == "loop" and b["H"][0].kind == "other"


def test_function_locals_exclude_globals_and_nested_scopes():
    fn = ast.parse("def f(a, *b, c=1, **d):\n    global G\n    G = 1\n    x = 2\n    for i in y: pass\n"
                   "    def inner(): z = 3\n").body[0]
    names = function_locals(fn)
    assert {k: v[0] for k, v in names.items()} == {"a": "parameter", "b": "parameter", "c": "parameter",
                                                   "d": "parameter", "x": "local", "i": "loop", "inner": "local"}


def test_a_decorator_belongs_to_the_enclosing_scope():
    text = "def outer(gpu):\n    @app.function(gpu=gpu)\n    def inner(gpu='T4'):\n        return gpu\n"
    idx = ModuleIndex(ast.parse(text), text)
    decorator_arg = idx.calls[-1].keywords[0].value if idx.calls[-1].keywords else idx.calls[0].keywords[0].value
    assert [s.name for s in idx.scopes(decorator_arg)] == ["outer"]


def test_source_segments_are_clipped_and_multibyte_safe():
    text = 'x = "héllo wörld" + y\nz = (1,\n     2)\n'
    tree = ast.parse(text)
    src = Source(text)
    assert src.segment(tree.body[0].value.left) == '"héllo wörld"'
    assert src.segment(tree.body[1].value) == "(1, 2)"
    assert src.segment(tree.body[0].value, limit=10) == '"héllo wö…'
