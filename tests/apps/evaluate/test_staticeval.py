"""The static evaluator: what it works out from a file alone, and how it says what it cannot."""

from __future__ import annotations

import ast
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gpuadvisor.apps.evaluate.staticeval import MAX_DEPTH, Choice, Evaluator, GpuObject, Symbol, Unresolved


def _use(src: str):
    """The value node of `gpu=` in the last `use(...)` call of the source, and its evaluator."""
    text = textwrap.dedent(src)
    tree = ast.parse(text)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "use"]
    node = max(calls, key=lambda c: c.lineno).keywords[0].value
    return Evaluator(tree, text), node


def value(src: str):
    ev, node = _use(src)
    return ev.evaluate(node)


def unresolved(src: str) -> Unresolved:
    ev, node = _use(src)
    with pytest.raises(Unresolved) as e:
        ev.evaluate(node)
    return e.value


# ------------------------------------------------------------------ constants

def test_literal_has_no_provenance():
    k = value('use(gpu="H100")')
    assert k.value == "H100" and k.via == () and k.env == ()


def test_module_constants_plain_annotated_chained_unpacked():
    assert value('GPU = "H100"\nuse(gpu=GPU)').via == ("constant GPU (line 1)",)
    assert value('gpu: str = "L4"\nuse(gpu=gpu)').value == "L4"
    assert value('a = N = 4\nuse(gpu=N)').value == 4
    assert value('T, N = "H100!", 2\nuse(gpu=f"{T}:{N}")').value == "H100!:2"


def test_the_assignment_before_the_decorator_applies():
    src = """
    GPU = "T4"
    use(gpu=GPU)
    GPU = "H100"
    """
    assert value(src + 'use(gpu=GPU)').value == "H100"
    ev, node = _use('GPU = "T4"\nuse(gpu=GPU)\nGPU = "H100"\n')
    assert ev.evaluate(node).value == "T4"


def test_assignments_are_taken_in_source_order_across_blocks():
    assert value('GPU = "T4"\nwith ctx():\n    GPU = "H100"\nuse(gpu=GPU)').value == "H100"
    assert value('try:\n    GPU = "L4"\nfinally:\n    pass\nGPU = GPU + ":2"\nuse(gpu=GPU)').value == "L4:2"


def test_env_default_then_a_guarded_reassignment_reads_the_default_and_names_the_condition():
    """modal-labs/llm-finetuning src/inference.py@9e977043 L10-13 (real-apps audit 2026-12-04, pattern 3):
    the default has a count, so the guard is false and the value is the default."""
    k = value("""
    import os
    GPU_CONFIG = os.environ.get("GPU_CONFIG", "a100:2")
    if len(GPU_CONFIG.split(":")) <= 1:
        GPU_CONFIG = f"{GPU_CONFIG}:2"
    use(gpu=GPU_CONFIG)
    """)
    assert k.value == "a100:2" and k.env == ("GPU_CONFIG",)
    assert any('line 5 re-assigns GPU_CONFIG only if len(GPU_CONFIG.split(":")) <= 1: false' in s for s in k.via)


def test_reassigned_under_a_condition_that_holds_or_cannot_be_read_is_not_guessed():
    e = unresolved("""
    import os
    GPU = os.environ.get("GPU", "a100")
    if ":" not in GPU:
        GPU = GPU + ":2"
    use(gpu=GPU)
    """)
    assert e.category == "reassigned" and "3, 5" in e.message and "holds" in e.message
    e = unresolved('GPU = "T4"\nif flag():\n    GPU = "H100"\nuse(gpu=GPU)')
    assert e.category == "reassigned" and "cannot be read" in e.message
    e = unresolved('GPU = "T4"\nfor x in y:\n    GPU = "H100"\nuse(gpu=GPU)')
    assert e.category == "reassigned"


def test_fstring_concatenation_and_builtins():
    assert value('N = 2\nuse(gpu=f"H100:{N}")').value == "H100:2"
    assert value('N = 8\nuse(gpu="A10G:" + str(N))').via == ("string concatenation", "constant N (line 1)")
    assert value('use(gpu=int("4") * 2)').value == 8
    assert unresolved('N = 2\nuse(gpu=f"{N:>3}")').category == "unsupported"


# ------------------------------------------------------------------ environment defaults

def test_env_default_is_used_and_marked_overridable():
    k = value('import os\nGPU = os.environ.get("GPU", "L40S")\nuse(gpu=GPU)')
    assert k.value == "L40S" and k.env == ("GPU",)
    assert "default; overridable by $GPU" in k.via
    k = value('from os import getenv\nuse(gpu=getenv("G", "T4"))')
    assert k.value == "T4" and k.env == ("G",)
    k = value('import os\nuse(gpu=os.environ.get("A", os.environ.get("B", "H100")))')
    assert k.value == "H100" and k.env == ("A", "B")


@pytest.mark.parametrize("expr", ['os.environ.get("GPU")', 'os.environ["GPU"]', 'os.getenv("GPU", None)'])
def test_env_without_a_default_is_unresolved(expr):
    e = unresolved(f"import os\nuse(gpu={expr})")
    assert e.category == "env" and "$GPU" in e.message


# ------------------------------------------------------------------ objects

@pytest.mark.parametrize("expr,spec", [
    # Modal's modal.gpu reference page, deprecation notes
    ("modal.gpu.H100()", "H100"), ("modal.gpu.T4(count=4)", "T4:4"), ("modal.gpu.A100()", "A100"),
    ('modal.gpu.A100(size="80GB")', "A100-80GB"),
    # the older memory= keyword, as real apps wrote it
    ("modal.gpu.A100(memory=80, count=2)", "A100-80GB:2"), ("modal.gpu.A100(memory=40, count=4)", "A100-40GB:4"),
    ("modal.gpu.Any()", "any"),
])
def test_modal_gpu_objects_map_to_modals_strings(expr, spec):
    k = value(f"import modal\nuse(gpu={expr})")
    assert isinstance(k.value, GpuObject) and k.value.spec() == spec
    assert any("removed in Modal 1.4" in s for s in k.via)


def test_gpu_object_imported_from_modal():
    assert value("from modal import gpu\nuse(gpu=gpu.A10G())").value.spec() == "A10G"
    assert value("from modal.gpu import L4\nuse(gpu=L4(count=2))").value.spec() == "L4:2"


def test_a_call_is_never_called_a_gpu_object():
    e = unresolved("def gpu_name(): ...\nuse(gpu=gpu_name())")
    assert e.category == "call" and "function call" in e.message and "object" not in e.message


def test_config_object_attribute_and_class_attribute():
    k = value('import os\nCONF = Cfg(name="x", gpu=os.environ.get("GPU", "A10G"))\nuse(gpu=CONF.gpu)')
    assert k.value == "A10G" and k.via[0] == "attribute gpu of CONF = Cfg(…) (line 2)"
    assert value('class S:\n    gpu = "T4"\nuse(gpu=S.gpu)').value == "T4"
    e = unresolved('CONF = Cfg(name="x")\nuse(gpu=CONF.gpu)')
    assert e.category == "attribute" and "sets no gpu=" in e.message


def test_dict_entries_and_kwargs_dicts():
    assert value('D = {"gpu": "H100"}\nuse(gpu=D["gpu"])').value == "H100"
    ev, node = _use('KW = dict(image=None, gpu="A10G")\nuse(gpu=KW)')
    entry, via = ev.kwargs_entry(node, "gpu")
    assert ev.evaluate(entry).value == "A10G" and via == "kwargs dict KW (line 1)"
    assert ev.kwargs_entry(node, "gpu_count")[0] is None


def test_runpod_enum_members_are_symbols():
    assert value("from runpod_flash import GpuGroup\nuse(gpu=GpuGroup.AMPERE_80)").value == Symbol("GpuGroup.AMPERE_80")
    assert value("use(gpu=[GpuType.NVIDIA_A40, GpuGroup.ADA_24])").value == (
        Symbol("GpuType.NVIDIA_A40"), Symbol("GpuGroup.ADA_24"))
    k = value("def f():\n    from runpod_flash import GpuGroup\n    use(gpu=GpuGroup.ADA_24)")
    assert k.value == Symbol("GpuGroup.ADA_24")


# ------------------------------------------------------------------ conditionals

def test_conditional_keeps_both_branches_and_the_one_the_file_selects():
    k = value('WITH_GPU = True\nuse(gpu="L40S" if WITH_GPU else None)')
    assert isinstance(k.value, Choice)
    assert [o.value for o in k.value.options] == ["L40S", None] and k.value.taken == 0
    k = value('use(gpu="H100:8" if big() else "H100")')
    assert k.value.taken is None and [o.value for o in k.value.options] == ["H100:8", "H100"]


# ------------------------------------------------------------------ what stays unresolved, and why

@pytest.mark.parametrize("src,category,words", [
    ("def f(gpu):\n    use(gpu=gpu)", "parameter", "parameter of f()"),
    ("for g in GPUS:\n    pass\nuse(gpu=g)", "reassigned", "loop"),
    ("def f():\n    for g in ['T4']:\n        use(gpu=g)", "loop", "loop variable"),
    ("def f():\n    return [use(gpu=g) for g in GPUS]", "loop", "comprehension"),
    ("def f():\n    g = pick()\n    use(gpu=g)", "local", "local variable of f()"),
    ("from .settings import GPU\nuse(gpu=GPU)", "import", "imported from .settings"),
    ("from .settings import *\nuse(gpu=GPU)", "import", "import *"),
    ("import config\nuse(gpu=config.gpu)", "import", "config.gpu"),
    ("use(gpu=UNDEFINED)", "undefined", "not defined in this file"),
    ("class W:\n    def run(self):\n        use(gpu=self.gpu)", "runtime", "attribute of self"),
    ("use(gpu=GpuGroup[name])", "undefined", "known only at run time"),
    ("use(gpu=lambda: 1)", "unsupported", "a lambda"),
    ("A = B\nB = A\nuse(gpu=A)", "unsupported", "in terms of itself"),
])
def test_unresolved_says_what_the_value_is(src, category, words):
    e = unresolved(src)
    assert e.category == category and words in e.message, e.message
    assert "not a literal" not in e.message


@pytest.mark.parametrize("expr", ["+".join(["a"] * 1000), "-" * 1000 + "1", "GpuType" + ".B" * 1000,
                                  "str(" * 100 + "x" + ")" * 100])
def test_deep_expressions_stop_at_the_depth_limit(expr):
    text = f"a = 1\nx = 'H100'\nuse(gpu={expr})\n"
    try:
        tree = ast.parse(text)
    except (SyntaxError, RecursionError, MemoryError):
        pytest.skip("this Python refuses to parse it")
    node = tree.body[-1].value.keywords[0].value
    with pytest.raises(Unresolved) as e:
        Evaluator(tree, text).evaluate(node)
    assert e.value.category in ("too-deep", "unsupported")
    assert str(MAX_DEPTH) in e.value.message or "not read" in e.value.message


def test_nothing_is_ever_executed(tmp_path):
    canary = tmp_path / "canary"
    k = unresolved(f'GPU = __import__("os").system("touch {canary}") or "H100"\nuse(gpu=GPU)')
    assert k.category == "unsupported" and "and/or" in k.message and not canary.exists()
    k = unresolved(f'use(gpu=__import__("os").system("touch {canary}"))')
    assert k.category == "call" and not canary.exists()


def test_messages_quote_clipped_source():
    e = unresolved("use(gpu=pick(" + ", ".join(["'x'"] * 200) + "))")
    assert len(e.message) < 200 and "…" in e.message


_ATOMS = st.sampled_from(["GPU", "N", "'H100'", "2", "None", "os.environ.get('G', 'T4')", "modal.gpu.A100(count=N)",
                          "CONF.gpu", "f'{GPU}:{N}'", "gpu_name()", "self.gpu", "D['gpu']", "GpuGroup.ADA_24"])


@st.composite
def _expressions(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        return draw(_ATOMS)
    a, b = draw(_expressions(depth + 1)), draw(_expressions(depth + 1))
    return draw(st.sampled_from([f"{a} + {b}", f"({a} if {b} else {a})", f"[{a}, {b}]", f"str({a})", f"-{a}"]))


@settings(max_examples=200, deadline=None)
@given(expr=_expressions())
def test_random_expressions_evaluate_or_say_why(expr):
    src = ("import os\nimport modal\nGPU = 'A10G'\nN = 2\nD = {'gpu': 'L4'}\nCONF = Cfg(gpu='T4')\n"
           f"use(gpu={expr})\n")
    ev, node = _use(src)
    try:
        ev.evaluate(node)
    except Unresolved as e:
        assert e.category and e.message
