"""Work out the value of an expression in a Python file from the file alone: it is never run or imported.

Real apps write a GPU setting through a constant as often as with a literal, so the file scanner
asks this module for the value. It reads:
  literals, lists, tuples and dicts of them; module-level constants (annotated, chained `A = B = 1`,
  unpacked `A, B = "x", 2`; the assignment that applies at the line of use); f-strings, `+`, `-`, `*`
  and `//` of those; `int()` / `str()` of them; `os.environ.get("X", default)` / `os.getenv` (the
  default, marked overridable by $X); `modal.gpu.X(count=, size=/memory=)` objects; attributes of a
  module-level object built with literal keywords (`CONF = Cfg(gpu=...)`, then `CONF.gpu`) or of a
  class defined in the file; entries of module-level dicts; conditionals (both branches, "one of").
Anything else raises `Unresolved` with a category and a message that says what the value is (a
function parameter, a loop variable, an import from another module, a run-time call, ...).

Recursion is bounded (MAX_DEPTH), messages quote source text clipped by length (never `ast.unparse`
of an unbounded node), and no user code is ever executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from gpuadvisor.apps.evaluate.guards import guard_holds
from gpuadvisor.apps.evaluate.pyscope import Binding, ModuleIndex, Unresolved, clip

if TYPE_CHECKING:
    from pathlib import Path

    from gpuadvisor.apps.read.project import LocalImports

__all__ = ["MAX_DEPTH", "Choice", "Evaluator", "GpuObject", "Known", "Symbol", "Unresolved", "clip"]

MAX_DEPTH = 40
MAX_INT = 1_000_000
MAX_TEXT = 10_000  # longest string a value may become (f-strings and + of constants)


@dataclass(frozen=True)
class Symbol:
    """A dotted name from a provider's vocabulary, kept as written: GpuGroup.AMPERE_80."""

    text: str


@dataclass(frozen=True)
class GpuObject:
    """A `modal.gpu.X(...)` object (removed from the client in Modal 1.4.0)."""

    cls: str
    count: int | None = None
    size: str | None = None  # "40GB" | "80GB" (from size= or memory=)
    count_problem: str = ""  # why count= could not be read

    def spec(self) -> str:
        """The string Modal's own deprecation notes give: A100(size="80GB") -> A100-80GB, T4(count=4) -> T4:4."""
        name = "any" if self.cls == "Any" else self.cls
        if self.size:
            name += f"-{self.size}"
        return name + (f":{self.count}" if self.count and self.count > 1 else "")


@dataclass(frozen=True)
class Choice:
    """A conditional: one of the branches, in source order. `taken` is the branch the file's own
    constants select (None when the condition cannot be read)."""

    options: tuple[Known, ...]
    test: str
    taken: int | None = None


@dataclass(frozen=True)
class Known:
    value: object
    via: tuple[str, ...] = ()  # how it was worked out, outermost first
    env: tuple[str, ...] = ()  # environment variables that can override it


def _merge(value, parts: list[Known], *via: str) -> Known:
    steps = [*via, *(s for p in parts for s in p.via)]
    env = [e for p in parts for e in p.env]
    return Known(value, tuple(dict.fromkeys(steps)), tuple(dict.fromkeys(env)))


_GPU_KWARGS = {"count", "size", "memory"}
_ENV_CALLS = {"os.environ.get", "os.getenv", "environ.get", "getenv"}
_RUNPOD_ENUMS = ("GpuGroup", "GpuType", "CpuInstanceType")
class Evaluator(ModuleIndex):
    """Values of expressions in one parsed module. Build once per file; `evaluate(node)` per value."""

    def __init__(self, tree: ast.Module, text: str):
        super().__init__(tree, text)
        self._busy: set[int] = set()
        self.imported: LocalImports | None = None  # names imported from the app's own modules
        self.path: Path  # the file read, set by read.project.LocalImports when it follows imports

    # ------------------------------------------------------------------ public

    def evaluate(self, node: ast.AST) -> Known:
        return self._eval(node, 0)

    def kwargs_entry(self, node: ast.AST, key: str) -> tuple[ast.AST | None, str]:
        """For `**NAME` in a call: the value node of NAME's entry `key` (None if it has none) and how it
        was found. NAME must be a module-level dict literal or dict(...) call."""
        target, via, _ = self._follow(node, 0)
        entries = _dict_entries(target)
        if entries is None:
            raise Unresolved("unsupported", f"**{self.code(node)}: not a dict written in this file")
        for k, v in entries:
            if isinstance(k, ast.Constant) and k.value == key:
                return v, via or f"kwargs dict {self.code(node)}"
        return None, via

    # ------------------------------------------------------------------ evaluation

    def _eval(self, node: ast.AST | None, depth: int) -> Known:
        """The node's value; None (a binding with no value node) falls through to `unsupported`."""
        if depth > MAX_DEPTH:
            raise Unresolved("too-deep", f"expression nested more than {MAX_DEPTH} levels deep; not read")
        d = depth + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, int, float, bool)) or node.value is None:
                if isinstance(node.value, str) and len(node.value) > MAX_TEXT:
                    raise Unresolved("unsupported", f"a string of {len(node.value):,} characters is not a GPU setting")
                return Known(node.value)
            raise Unresolved("unsupported", f"{self.code(node)} is not a text or number value")
        if isinstance(node, ast.Name):
            return self._name(node, d)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, d)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, d)
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise Unresolved("unsupported", f"{self.code(node)}: a list with *unpacking is not read")
            parts = [self._eval(e, d) for e in node.elts]
            return _merge(tuple(p.value for p in parts), parts)
        if isinstance(node, ast.Dict):
            entries = _dict_entries(node)
            if entries is None:
                raise Unresolved("unsupported", f"{self.code(node)}: a dict with **unpacking is not read")
            keys = [self._eval(k, d) for k, _ in entries]
            vals = [self._eval(v, d) for _, v in entries]
            return _merge({k.value: v.value for k, v in zip(keys, vals, strict=True)}, [*keys, *vals])
        if isinstance(node, ast.BinOp):
            return self._binop(node, d)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = self._eval(node.operand, d)
            if isinstance(v.value, int) and not isinstance(v.value, bool):
                return Known(-v.value if isinstance(node.op, ast.USub) else v.value, v.via, v.env)
            raise Unresolved("unsupported", f"{self.code(node)}: a sign on something that is not a whole number")
        if isinstance(node, ast.IfExp):
            return self._conditional(node, d)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, d)
        if isinstance(node, ast.Call):
            return self._call(node, d)
        raise Unresolved("unsupported", f"{self.code(node)} ({_describe(node)}) is not evaluated statically")

    def _name(self, node: ast.Name, depth: int) -> Known:
        name = node.id
        binding, scope = self.name_binding(name, node)
        if binding is None:
            raise Unresolved("undefined", f"{name} is not defined in this file")
        if binding.kind == "import":
            if self.imported is not None and binding.module:
                return self.imported.value(binding, name)
            raise Unresolved("import", f"{name} is imported from {binding.origin}; gpuadvisor reads only this file")
        if binding.kind == "def":
            raise Unresolved("call", f"{name} is a function defined at line {binding.line}, not a value")
        if binding.kind == "class":
            raise Unresolved("unsupported", f"{name} is a class defined at line {binding.line}, not a value")
        where = "constant" if scope == "module" else f"{scope} attribute"
        return self._binding_value(name, binding, depth, f"{where} {name} (line {binding.line})")

    def _binding_value(self, name: str, binding: Binding, depth: int, step: str) -> Known:
        key = id(binding.node)
        if key in self._busy:
            raise Unresolved("unsupported", f"{name} is defined in terms of itself")
        self._busy.add(key)
        try:
            v = self._eval(binding.node, depth)
        except Unresolved as e:
            if not step or e.message.startswith(name) or e.category == "too-deep":
                raise
            raise Unresolved(e.category, f"{name} (line {binding.line}): {e.message}") from None
        finally:
            self._busy.discard(key)
        steps = (step, *v.via)
        for line, test, negated in binding.guarded:
            cond = self.code(test, 60)
            held = guard_holds(self, test, name, v.value)
            if held is None or held != negated:  # the re-assignment may run (or does): no single value
                lines = ", ".join(str(x) for x in (binding.line, *(g[0] for g in binding.guarded)))
                why = "cannot be read" if held is None else "holds for it"
                raise Unresolved("reassigned", f"{name} is assigned at line(s) {lines}, under a condition; "
                                               f"`{'not ' if negated else ''}{cond}` {why}, so its value depends on the run")
            steps += (f"line {line} re-assigns {name} only if {'not ' if negated else ''}{cond}: false for {v.value!r}",)
        return Known(v.value, steps, v.env)

    def _follow(self, node: ast.AST, depth: int) -> tuple[ast.AST, str, int]:
        """A Name bound at module level to an expression -> (that expression, how, its line)."""
        if isinstance(node, ast.Name):
            binding, _ = self.name_binding(node.id, node)
            if binding is None:
                raise Unresolved("undefined", f"{node.id} is not defined in this file")
            if binding.kind == "import":
                raise Unresolved("import", f"{node.id} is imported from {binding.origin}; gpuadvisor reads only this file")
            node_ = binding.node
            if binding.kind == "assign":
                assert node_ is not None, "assign bindings carry their value"
                return node_, f"kwargs dict {node.id} (line {binding.line})", binding.line
            if binding.kind == "class":
                assert node_ is not None, "class bindings carry their ClassDef"
                return node_, f"class {node.id} (line {binding.line})", binding.line
        return node, "", getattr(node, "lineno", 0)

    def _attribute(self, node: ast.Attribute, depth: int) -> Known:
        parts: list[str] = []
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            parts.append(root.attr)
            root = root.value
            if len(parts) > MAX_DEPTH:
                raise Unresolved("too-deep", f"a dotted name of more than {MAX_DEPTH} parts; not read")
        parts.reverse()
        text = self.code(node)
        if not isinstance(root, ast.Name):
            raise Unresolved("call" if isinstance(root, ast.Call) else "unsupported",
                             f"{text}: an attribute of a value computed at run time")
        dotted = ".".join([root.id, *parts])
        if root.id in ("self", "cls"):
            raise Unresolved("runtime", f"{dotted} is an attribute of {root.id}; it is set at run time")
        vocabulary = len(parts) >= 1 and ([root.id, *parts][-2] in _RUNPOD_ENUMS)
        try:
            binding, _ = self.name_binding(root.id, root)
        except Unresolved as e:
            if vocabulary and e.category == "import":  # imported inside the function
                return Known(Symbol(".".join([root.id, *parts][-2:])))
            raise Unresolved(e.category, f"{dotted}: {e.message}") from None
        if vocabulary and (binding is None or binding.kind == "import"):
            return Known(Symbol(".".join([root.id, *parts][-2:])))
        if binding is None:
            raise Unresolved("undefined", f"{dotted}: {root.id} is not defined in this file")
        if binding.kind == "import":
            raise Unresolved("import", f"{dotted}: {root.id} is imported from {binding.origin}; gpuadvisor reads only this file")
        if len(parts) != 1:
            raise Unresolved("unsupported", f"{dotted}: only one level of attribute is read")
        attr = parts[0]
        if binding.kind == "class":
            assert isinstance(binding.node, ast.ClassDef), "class bindings carry their ClassDef"
            table = self.class_bindings(binding.node)
            if attr not in table:
                raise Unresolved("attribute", f"{dotted}: class {root.id} (line {binding.line}) sets no {attr}")
            b = self.pick(attr, table[attr], node, f"class {root.id}")
            if b.kind != "assign":
                raise Unresolved("unsupported", f"{dotted} is not a value in class {root.id}")
            return self._binding_value(dotted, b, depth, f"class attribute {dotted} (line {b.line})")
        if binding.kind != "assign":
            raise Unresolved("unsupported", f"{dotted}: {root.id} is not a value")
        built = binding.node
        if isinstance(built, ast.Call):
            callee = self.code(built.func, 40)
            for kw in built.keywords:
                if kw.arg == attr:
                    v = self._eval(kw.value, depth)
                    return Known(v.value, (f"attribute {attr} of {root.id} = {callee}(…) (line {binding.line})", *v.via), v.env)
            if any(kw.arg is None for kw in built.keywords) or built.args:
                raise Unresolved("attribute", f"{dotted}: {root.id} = {callee}(…) (line {binding.line}) passes "
                                              f"positional or ** arguments; {attr} is not read")
            raise Unresolved("attribute", f"{dotted}: {root.id} = {callee}(…) (line {binding.line}) sets no {attr}=; "
                                          f"its default is defined by {callee}, outside this file")
        try:
            self._binding_value(root.id, binding, depth, "")
        except Unresolved as e:
            raise Unresolved(e.category, f"{dotted}: {root.id} (line {binding.line}): {e.message}") from None
        raise Unresolved("unsupported", f"{dotted}: {root.id} (line {binding.line}) is not an object with attributes")

    def _fstring(self, node: ast.JoinedStr, depth: int) -> Known:
        out, parts = [], []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(str(v.value))
                continue
            if not isinstance(v, ast.FormattedValue) or v.format_spec is not None or v.conversion not in (-1, 115):
                raise Unresolved("unsupported", f"{self.code(node)}: an f-string with a format spec or !r is not read")
            k = self._eval(v.value, depth)
            if not isinstance(k.value, (str, int)) or isinstance(k.value, bool):
                raise Unresolved("unsupported", f"{self.code(v.value)} in {self.code(node)} is not a text or whole number")
            out.append(str(k.value))
            parts.append(k)
        text = "".join(out)
        if len(text) > MAX_TEXT:
            raise Unresolved("unsupported", "an f-string that long is not a GPU setting")
        return _merge(text, parts, "f-string")

    def _binop(self, node: ast.BinOp, depth: int) -> Known:
        a, b = self._eval(node.left, depth), self._eval(node.right, depth)
        x, y = a.value, b.value
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y))
        result: int | None = None
        if isinstance(node.op, ast.Add) and isinstance(x, str) and isinstance(y, str):
            joined = x + y
            if len(joined) > MAX_TEXT:
                raise Unresolved("unsupported", "a string that long is not a GPU setting")
            return _merge(joined, [a, b], "string concatenation")
        if ints and isinstance(x, int) and isinstance(y, int):  # ints says so; narrows for the checker
            if isinstance(node.op, ast.Add):
                result = x + y
            elif isinstance(node.op, ast.Sub):
                result = x - y
            elif isinstance(node.op, ast.Mult) and abs(x) <= MAX_INT and abs(y) <= MAX_INT:
                result = x * y
            elif isinstance(node.op, ast.FloorDiv) and y:
                result = x // y
        if result is None or abs(result) > MAX_INT * MAX_INT:
            raise Unresolved("unsupported", f"{self.code(node)}: this arithmetic is not evaluated statically")
        return _merge(result, [a, b])

    def _conditional(self, node: ast.IfExp, depth: int) -> Known:
        options = (self._eval(node.body, depth), self._eval(node.orelse, depth))
        taken = None
        try:
            test = self._eval(node.test, depth).value
            if isinstance(test, (str, int, float, bool)) or test is None:
                taken = 0 if test else 1
        except Unresolved:
            pass
        return Known(Choice(options, self.code(node.test, 40), taken), ("conditional",))

    def _subscript(self, node: ast.Subscript, depth: int) -> Known:
        if self._dotted(node.value) in ("os.environ", "environ"):
            var = self._eval(node.slice, depth).value
            raise Unresolved("env", f"${var} is read from the environment with no default")
        try:
            key = self._eval(node.slice, depth)
        except Unresolved as e:
            raise Unresolved(e.category, f"{self.code(node)} is looked up with a value known only at run time "
                                         f"({e.message})") from None
        container = self._eval(node.value, depth)
        try:
            value = cast(Any, container.value)[key.value]  # any value written in the file; TypeError if not indexable
        except (KeyError, IndexError, TypeError):
            raise Unresolved("unsupported", f"{self.code(node)}: no such entry in a value written in this file") from None
        return _merge(value, [container, key], f"entry {key.value!r} of {self.code(node.value, 30)}")

    def _dotted(self, node: ast.AST) -> str:
        parts: list[str] = []
        while isinstance(node, ast.Attribute) and len(parts) <= MAX_DEPTH:
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        return ""

    def _call(self, node: ast.Call, depth: int) -> Known:
        callee = self._dotted(node.func)
        if callee in _ENV_CALLS and self._is_os(callee):
            return self._env(node, depth)
        if callee in ("int", "str", "dict") and callee not in self.module:
            return self._builtin(callee, node, depth)
        gpu_cls = self._gpu_class(callee)
        if gpu_cls:
            return self._gpu_object(gpu_cls, node, depth)
        raise Unresolved("call", f"{self.code(node)} is a function call; its value is only known at run time")

    def _is_os(self, callee: str) -> bool:
        root = callee.split(".")[0]
        b = self.module.get(root)
        if not b:
            return root == "os"
        return all(x.kind == "import" and (x.module == "os" or x.module.startswith("os.")) for x in b)

    def _env(self, node: ast.Call, depth: int) -> Known:
        if not node.args:
            raise Unresolved("unsupported", f"{self.code(node)}: no variable name")
        var = self._eval(node.args[0], depth).value
        default = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "default"), None)
        if default is None:
            raise Unresolved("env", f"${var} is read from the environment with no default")
        d = self._eval(default, depth)
        if d.value is None:
            raise Unresolved("env", f"${var} is read from the environment; its default is None (no GPU unless it is set)")
        return Known(d.value, (f"default; overridable by ${var}", *d.via), (str(var), *d.env))

    def _builtin(self, name: str, node: ast.Call, depth: int) -> Known:
        if name == "dict":
            if node.args:
                raise Unresolved("unsupported", f"{self.code(node)}: dict() of positional arguments is not read")
            if any(k.arg is None for k in node.keywords):
                raise Unresolved("unsupported", f"{self.code(node)}: dict(**…) is not read")
            vals = [self._eval(k.value, depth) for k in node.keywords]
            return _merge({k.arg: v.value for k, v in zip(node.keywords, vals, strict=True)}, vals)
        if len(node.args) != 1 or node.keywords:
            raise Unresolved("call", f"{self.code(node)} is a function call; its value is only known at run time")
        v = self._eval(node.args[0], depth)
        x = v.value
        if name == "str" and isinstance(x, (str, int)) and not isinstance(x, bool):
            return Known(str(x), v.via, v.env)
        if name == "int" and isinstance(x, int) and not isinstance(x, bool):
            return v
        if name == "int" and isinstance(x, str) and x.strip().isdigit() and x.strip().isascii() and len(x.strip()) <= 9:
            return Known(int(x), v.via, v.env)
        raise Unresolved("unsupported", f"{self.code(node)}: {name}() of {x!r} is not evaluated")

    def _gpu_class(self, callee: str) -> str:
        """'A100' for modal.gpu.A100 / gpu.A100 (gpu from modal) / A100 (from modal.gpu); '' otherwise."""
        parts = callee.split(".") if callee else []
        if len(parts) == 3 and parts[:2] == ["modal", "gpu"]:
            return parts[2] if self._imported_from(parts[0], "modal", unbound_ok=True) else ""
        if len(parts) == 2 and parts[0] == "gpu":
            return parts[1] if self._imported_from("gpu", "modal.gpu", unbound_ok=True) else ""
        if len(parts) == 1 and parts[0]:
            b = self.module.get(parts[0], [])
            if b and all(x.kind == "import" and x.module == f"modal.gpu.{parts[0]}" for x in b):
                return parts[0]
        return ""

    def _imported_from(self, name: str, module: str, unbound_ok: bool) -> bool:
        b = self.module.get(name)
        if not b:
            return unbound_ok
        return all(x.kind == "import" and x.module == module for x in b)

    def _gpu_object(self, cls: str, node: ast.Call, depth: int) -> Known:
        if node.args:
            raise Unresolved("unsupported", f"{self.code(node)}: positional arguments to a GPU object are not read")
        count, size, count_problem, parts = None, None, "", []
        for kw in node.keywords:
            if kw.arg not in _GPU_KWARGS:
                raise Unresolved("unsupported", f"{self.code(node)}: the {kw.arg or '**'} argument is not read")
            try:
                v = self._eval(kw.value, depth)
            except Unresolved as e:
                if kw.arg != "count" or e.category == "too-deep":
                    raise
                count_problem = f"count={self.code(kw.value, 40)}: {e.message}"
                continue
            parts.append(v)
            if kw.arg == "count":
                if not isinstance(v.value, int) or isinstance(v.value, bool):
                    raise Unresolved("unsupported", f"{self.code(node)}: count={v.value!r} is not a whole number")
                count = v.value
            else:
                size = _gpu_size(v.value)
                if size is None:
                    raise Unresolved("unsupported", f"{self.code(node)}: {kw.arg}={v.value!r} is not 40GB or 80GB")
        obj = GpuObject(cls, count, size, count_problem)
        return _merge(obj, parts, f"modal.gpu.{cls}(…) object (removed in Modal 1.4)")


def _gpu_size(value) -> str | None:
    if value in (40, "40GB", "40gb", "40"):
        return "40GB"
    if value in (80, "80GB", "80gb", "80"):
        return "80GB"
    return None


def _dict_entries(node: ast.AST) -> list[tuple[ast.AST, ast.AST]] | None:
    """(key, value) nodes of a dict literal or dict(k=v) call without ** parts; None otherwise."""
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            return None
        return [(k, v) for k, v in zip(node.keys, node.values, strict=True) if k is not None]  # none is: checked above
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:
        if any(k.arg is None for k in node.keywords):
            return None
        return [(ast.Constant(k.arg, lineno=k.value.lineno, col_offset=0), k.value) for k in node.keywords]
    return None


def _describe(node: ast.AST | None) -> str:
    return {
        "Lambda": "a lambda", "ListComp": "a comprehension", "DictComp": "a comprehension",
        "SetComp": "a comprehension", "GeneratorExp": "a generator", "BoolOp": "an and/or expression",
        "Compare": "a comparison", "Await": "an await", "NamedExpr": "an assignment expression",
        "Starred": "an unpacking", "Set": "a set", "Slice": "a slice",
    }.get(type(node).__name__, f"a {type(node).__name__} expression")
