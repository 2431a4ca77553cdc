"""Find GPU configurations in a Python source file with `ast` (the file is never imported or run).

Recognised:
  Modal   `gpu=` on @app.function(...), @app.cls(...), .with_options(...)  (strings or lists of them)
  RunPod  `gpu=` / `gpu_count=` on Endpoint(...) (and any call whose gpu= uses GpuGroup / GpuType)
  fal     `machine_type` / `num_gpus` class attributes of a class, or keywords of @fal.function(...)
A value that is not a literal (a variable, a call) is reported as unresolved, never guessed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from gpuadvisor.errors import UsageError
from gpuadvisor.translate import expr_text

MAX_FILE_BYTES = 2 * 1024 * 1024
MODAL_CALLS = {"function", "cls", "with_options"}


@dataclass(frozen=True)
class Found:
    """One GPU configuration in the file. spec is None when the value could not be read statically."""

    line: int
    provider: str
    spec: str | None
    count: int | None
    code: str  # the source text of the value, for the report
    problem: str = ""


def _call_name(node: ast.AST) -> str:
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _value_spec(node: ast.AST) -> tuple[str | None, str]:
    """(spec text, problem) for a gpu=/machine_type= value: a string, dotted name or list of them."""
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [expr_text(e) for e in node.elts]
        if any(i is None for i in items) or not items:
            return None, "a list whose items are not all literal names"
        return "[" + ", ".join(repr(i) for i in items) + "]", ""
    text = expr_text(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return text, ""
    if isinstance(node, ast.Attribute) and text and text.split(".")[0] in ("GpuGroup", "GpuType"):
        return text, ""
    if isinstance(node, ast.Call) and _call_name(node.func) and "gpu" in ast.unparse(node.func):
        return None, f"{ast.unparse(node)} is a GPU object, not a string (modal.gpu.* was removed in Modal 1.4.0)"
    if isinstance(node, ast.Constant) and node.value is None:
        return None, "gpu=None: no GPU"
    return None, f"{ast.unparse(node)} is not a literal; its value is only known at run time"


def _int_value(node: ast.AST | None) -> tuple[int | None, str]:
    if node is None:
        return None, ""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value, ""
    return None, f"count {ast.unparse(node)} is not a literal"


def _uses_runpod_enums(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id in ("GpuGroup", "GpuType") for n in ast.walk(node))


def _found(provider: str, value: ast.AST, count_node: ast.AST | None = None) -> Found:
    """One configuration: the GPU value and, where the provider has one, its count."""
    count, count_problem = _int_value(count_node)
    spec, problem = _value_spec(value)
    return Found(value.lineno, provider, spec, count, ast.unparse(value), problem or count_problem)


def scan_source(text: str) -> list[Found]:
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise UsageError(f"cannot parse the file as Python: {e.msg} (line {e.lineno})") from None
    except (ValueError, RecursionError, MemoryError):
        raise UsageError("cannot parse the file as Python") from None
    found: list[Found] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            name = _call_name(node)
            if "gpu" in kw:
                if name == "Endpoint" or _uses_runpod_enums(kw["gpu"]):
                    found.append(_found("runpod", kw["gpu"], kw.get("gpu_count")))
                elif name in MODAL_CALLS:
                    found.append(_found("modal", kw["gpu"]))
            if "machine_type" in kw:
                found.append(_found("fal", kw["machine_type"], kw.get("num_gpus")))
        elif isinstance(node, ast.ClassDef):
            attrs = {}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    attrs[stmt.targets[0].id] = stmt.value
                elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                    attrs[stmt.target.id] = stmt.value
            if "machine_type" in attrs:
                found.append(_found("fal", attrs["machine_type"], attrs.get("num_gpus")))
    found.sort(key=lambda f: f.line)
    return found


def scan_file(path: Path) -> list[Found]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UsageError(f"{path} is {size:,} bytes; files over {MAX_FILE_BYTES:,} bytes are not scanned")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a Python file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None
    return scan_source(text)
