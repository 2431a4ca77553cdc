"""Where a name in a Python file gets its value: module and class bindings, function scopes, and the
source text of any node. `staticeval` builds on this to work out values; nothing here runs the file.

A name bound under a condition, in a loop, by `global` or by augmented assignment has no single
static value; a name that is a function parameter, loop variable or local variable is only known
when the code runs. Both raise `Unresolved` with a message saying which.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

CLIP = 60


class Unresolved(Exception):
    """The value cannot be known from this file. category: parameter | local | loop | import | call |
    env | reassigned | undefined | attribute | runtime | unsupported | too-deep."""

    def __init__(self, category: str, message: str):
        super().__init__(message)
        self.category = category
        self.message = message


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Source:
    """The text of a file by line, to quote a node without `ast.unparse` (which recurses)."""

    def __init__(self, text: str):
        self.lines = _split_lines(text)

    def segment(self, node: ast.AST | None, limit: int = CLIP) -> str:
        """The node's source text on one line, clipped to `limit` characters."""
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if start is None or end is None or start < 1 or start > len(self.lines):
            return type(node).__name__
        end = min(end, len(self.lines), start + 20)
        out = []
        for i in range(start, end + 1):
            raw = self.lines[i - 1].encode("utf-8", "surrogatepass")
            lo = getattr(node, "col_offset", 0) if i == start else 0  # set wherever lineno is
            hi = getattr(node, "end_col_offset", None) if i == getattr(node, "end_lineno", None) else len(raw)
            out.append(raw[lo:hi].decode("utf-8", "replace").strip())
            if sum(len(x) for x in out) > limit:
                break
        return clip(" ".join(x for x in out if x), limit)


def _split_lines(text: str) -> list[str]:
    out, pos = [], 0
    for m in _LINE_BREAK.finditer(text):
        out.append(text[pos:m.start()])
        pos = m.end()
    out.append(text[pos:])
    return out


def clip(text: str, limit: int = CLIP) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Binding:
    kind: str  # assign | import | def | class | loop | other
    line: int
    node: ast.AST | None = None  # the value (assign), the ClassDef (class)
    module: str = ""  # import: the dotted name imported (`from modal import gpu` -> modal.gpu)
    conditional: bool = False
    origin: str = ""  # import: the module it comes from, for messages
    guard: tuple = ()  # an assignment directly under a module-level `if`: ((test node, negated),)
    guarded: tuple = ()  # set by pick(): the later guarded re-assignments ((line, test, negated), ...)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
Scope = (ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
         | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp)
_BRANCHING = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Match, ast.ExceptHandler)


def _target_bindings(target: ast.AST, value: ast.AST | None, line: int, cond: bool, out: dict,
                     guard: tuple = ()) -> None:
    if isinstance(target, ast.Name):
        out.setdefault(target.id, []).append(Binding("assign" if value is not None else "other", line, value,
                                                     conditional=cond, guard=guard))
    elif isinstance(target, (ast.Tuple, ast.List)):
        elts = target.elts
        values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
        same = (values is not None and len(values) == len(elts)
                and not any(isinstance(e, ast.Starred) for e in (*elts, *values)))
        for i, t in enumerate(elts):
            _target_bindings(t.value if isinstance(t, ast.Starred) else t, values[i] if values is not None and same else None,
                             line, cond, out)


def _names_in(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


_TABLES = frozenset({ast.List, ast.Tuple, ast.Set, ast.Dict})


def _constant_table(node: ast.AST) -> bool:
    """A literal list, tuple, set or dict of more than 64 plain constants: a data table. Walking its
    elements one by one made a 1 MB literal take seconds; none of them can hold a GPU config."""
    kind = type(node)
    if kind not in _TABLES:
        return False
    assert isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict)  # the _TABLES check, for the type checker
    items = node.elts if not isinstance(node, ast.Dict) else [*node.values, *(k for k in node.keys if k is not None)]
    return len(items) > 64 and all(type(e) is ast.Constant for e in items)


def _walk(node: ast.AST):
    """ast.walk, without descending into constant tables (_constant_table)."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        if not _constant_table(n):
            todo.extend(ast.iter_child_nodes(n))


def collect_bindings(body: list[ast.stmt], cond: bool = False, out: dict | None = None,
                     walrus: bool = True) -> dict[str, list[Binding]]:
    """Names bound by these statements (module or class level), not descending into functions or classes.
    walrus=False (the source has no `:=`) skips the walk for assignment expressions."""
    out = {} if out is None else out
    stack: list[tuple[ast.stmt, bool, tuple]] = [(s, cond, ()) for s in reversed(body)]
    while stack:
        stmt, c, guard = stack.pop()
        line = stmt.lineno
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                _target_bindings(t, stmt.value, line, c, out, guard)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                _target_bindings(stmt.target, stmt.value, line, c, out)
        elif isinstance(stmt, ast.AugAssign):
            for n in _names_in(stmt.target):
                out.setdefault(n, []).append(Binding("other", line, conditional=c))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            base = ("." * getattr(stmt, "level", 0)) + (getattr(stmt, "module", None) or "")
            for a in stmt.names:
                if a.name == "*":
                    out.setdefault("*", []).append(Binding("import", line, module=base, conditional=c))
                    continue
                local = a.asname or a.name.split(".")[0]
                where = f"{base}.{a.name}" if isinstance(stmt, ast.ImportFrom) else (a.name if a.asname else local)
                origin = base if isinstance(stmt, ast.ImportFrom) else a.name
                out.setdefault(local, []).append(Binding("import", line, module=where, conditional=c, origin=origin))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.setdefault(stmt.name, []).append(Binding("def", line, stmt, conditional=c))
        elif isinstance(stmt, ast.ClassDef):
            out.setdefault(stmt.name, []).append(Binding("class", line, stmt, conditional=c))
        else:
            branching = isinstance(stmt, _BRANCHING) or c
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                for n in _names_in(stmt.target):
                    out.setdefault(n, []).append(Binding("loop", line, conditional=True))
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        for n in _names_in(item.optional_vars):
                            out.setdefault(n, []).append(Binding("other", line, conditional=c))
            elif isinstance(stmt, ast.Delete):
                for t in stmt.targets:
                    for n in _names_in(t):
                        out.setdefault(n, []).append(Binding("other", line, conditional=c))
            for name, value in ast.iter_fields(stmt):
                if name in ("body", "orelse", "finalbody", "handlers", "cases") and isinstance(value, list):
                    inner = branching or name in ("orelse", "handlers") and isinstance(stmt, ast.Try)
                    for child in reversed(value):
                        if isinstance(child, ast.ExceptHandler):
                            if child.name:
                                out.setdefault(child.name, []).append(Binding("other", child.lineno, conditional=True))
                            stack.extend((s, True, ()) for s in reversed(child.body))
                        elif isinstance(child, ast.match_case):
                            stack.extend((s, True, ()) for s in reversed(child.body))
                        elif isinstance(child, ast.stmt):
                            top_if = isinstance(stmt, ast.If) and not c and name in ("body", "orelse")
                            stack.append((child, inner, ((stmt.test, name == "orelse"),) if isinstance(stmt, ast.If) and top_if else ()))
        for n in _walk(stmt) if walrus and isinstance(stmt, (ast.Expr, ast.Assign, ast.If, ast.While)) else ():
            if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
                out.setdefault(n.target.id, []).append(Binding("other", line, conditional=True))
    for bindings in out.values():
        bindings.sort(key=lambda b: b.line)  # source order: pick() takes the last one before a use
    return out


def function_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> dict[str, tuple[str, int]]:
    """Names local to a function or lambda: name -> (what, line). Nested scopes are not entered."""
    out: dict[str, tuple[str, int]] = {}
    a = fn.args
    for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
        if arg is not None:
            out[arg.arg] = ("parameter", fn.lineno)
    body = fn.body if isinstance(fn.body, list) else [fn.body]
    stack = list(body)
    globals_: set[str] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            globals_.update(node.names)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.setdefault(node.name, ("local", node.lineno))
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            for n in _names_in(node.target):
                out.setdefault(n, ("loop", getattr(node, "lineno", getattr(node.target, "lineno", 0))))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.setdefault(node.id, ("local", node.lineno))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for al in node.names:
                out.setdefault(al.asname or al.name.split(".")[0], ("import", node.lineno))
        stack.extend(ast.iter_child_nodes(node))
    for g in globals_:
        out.pop(g, None)
    return out


class ModuleIndex:
    """One parsed module: its bindings, each node's parent (for scopes), and the calls, classes and
    imports a scanner looks at, all from a single walk over the tree."""

    def __init__(self, tree: ast.Module, text: str):
        self.tree = tree
        self.source = Source(text)
        self.walrus = ":=" in text
        self.module = collect_bindings(tree.body, walrus=self.walrus)
        # One walk over the tree: parents (for scopes), and the nodes a scanner looks at.
        self.parents: dict[int, ast.AST] = {}
        self.calls: list[ast.Call] = []
        self.classes: list[ast.ClassDef] = []
        self.imports: list[ast.Import | ast.ImportFrom] = []
        self.rebound_globally: set[str] = set()
        todo: list[ast.AST] = [tree]
        while todo:
            parent = todo.pop()
            if _constant_table(parent):  # data, not code: nothing in it is a call, a class or an import
                continue
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent
                todo.append(child)
                if isinstance(child, ast.Call):
                    self.calls.append(child)
                elif isinstance(child, ast.ClassDef):
                    self.classes.append(child)
                elif isinstance(child, (ast.Import, ast.ImportFrom)):
                    self.imports.append(child)
                elif isinstance(child, ast.Global):
                    self.rebound_globally.update(child.names)
        self._locals: dict[int, dict] = {}
        self._classes: dict[int, dict] = {}

    def code(self, node: ast.AST | None, limit: int = CLIP) -> str:
        """The node's source text, clipped (never ast.unparse, which recurses)."""
        return self.source.segment(node, limit)

    def class_bindings(self, node: ast.ClassDef) -> dict[str, list[Binding]]:
        return self._classes.setdefault(id(node), collect_bindings(node.body, walrus=self.walrus))

    def scopes(self, node: ast.AST) -> list[Scope]:
        """Enclosing scopes of a node, innermost first. A decorator, default value or base class
        belongs to the scope around the def/class, as Python evaluates it there."""
        out: list[Scope] = []
        child, parent = node, self.parents.get(id(node))
        while parent is not None:
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                if any(child is s for s in (parent.body if isinstance(parent.body, list) else [parent.body])):
                    out.append(parent)
            elif isinstance(parent, ast.ClassDef):
                if any(child is s for s in parent.body):
                    out.append(parent)
            elif isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                out.append(parent)
            child, parent = parent, self.parents.get(id(parent))
        return out

    def name_binding(self, name: str, use: ast.AST) -> tuple[Binding | None, str]:
        """(binding, its scope) for a name as used at `use`. Raises Unresolved for locals and parameters."""
        for i, scope in enumerate(self.scopes(use)):
            if isinstance(scope, ast.ClassDef):
                if i > 0:  # class bodies are not visible from the functions inside them
                    continue
                table = self.class_bindings(scope)
                if name in table:
                    return self.pick(name, table[name], use, f"class {scope.name}"), f"class {scope.name}"
                continue
            if isinstance(scope, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                if any(name in _names_in(g.target) for g in scope.generators):
                    raise Unresolved("loop", f"{name} is a comprehension variable; it takes each value in turn")
                continue
            table = self._locals.setdefault(id(scope), function_locals(scope))
            if name in table:
                what, line = table[name]
                fn = getattr(scope, "name", "lambda")
                if what == "parameter":
                    raise Unresolved("parameter", f"{name} is a parameter of {fn}(); its value is only known when it is called")
                if what == "loop":
                    raise Unresolved("loop", f"{name} is a loop variable (line {line}); it takes each value in turn")
                if what == "import":
                    raise Unresolved("import", f"{name} is imported inside {fn}() (line {line}); gpuadvisor reads only this file")
                raise Unresolved("local", f"{name} is a local variable of {fn}() (line {line}); its value is only known when it runs")
        if name in self.module:
            return self.pick(name, self.module[name], use, "module"), "module"
        if "*" in self.module:
            raise Unresolved("import", f"{name} may come from `from {self.module['*'][0].origin} import *`; "
                                       "gpuadvisor reads only this file")
        return None, "module"

    def pick(self, name: str, bindings: list[Binding], use: ast.AST, where: str) -> Binding:
        """The assignment that applies at the line of use: the last one before it at module level, the
        last one for uses inside functions. A name also set under a condition, in a loop, by `global`
        or by augmented assignment has no single static value."""
        shaky = [b for b in bindings if b.conditional or b.kind in ("loop", "other")]
        first, rest = bindings[0], bindings[1:]
        if (shaky and where == "module" and name not in self.rebound_globally and not first.conditional
                and first.kind == "assign" and all(b.kind == "assign" and b.guard for b in rest)
                and all(b.line < getattr(use, "lineno", 0) or self.scopes(use) for b in rest)):
            # a default, then re-assignments guarded by module-level `if`s: the evaluator decides
            # from the default whether any guard holds (GPU = env default; if no count: GPU += ":2")
            return replace(first, guarded=tuple((b.line, *b.guard[0]) for b in rest))
        if shaky or (where == "module" and name in self.rebound_globally):
            lines = ", ".join(str(b.line) for b in bindings[:6])
            how = "under a condition or in a loop" if shaky else "by a function (global)"
            raise Unresolved("reassigned", f"{name} is assigned at line(s) {lines}, {how}; its value depends on the run")
        if len(bindings) == 1:
            return bindings[0]
        line = getattr(use, "lineno", 0)
        inside_function = any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) for s in self.scopes(use))
        before = [b for b in bindings if b.line <= line and not self.within(use, b.node)]
        return bindings[-1] if inside_function or not before else before[-1]

    def within(self, node: ast.AST | None, ancestor: ast.AST | None) -> bool:
        """Is node inside ancestor (`GPU = GPU + ":2"` reads the GPU assigned before)?"""
        while node is not None and ancestor is not None:
            if node is ancestor:
                return True
            node = self.parents.get(id(node))
        return False
