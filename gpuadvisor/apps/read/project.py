"""An app is a directory: the local modules a file imports (`from .common import app, GPU_CONFIG`),
found by path beside it, parsed once each and never run.

Real apps keep their Modal app object and GPU constants in a sibling module (modal-labs/llm-finetuning
src/train.py gets `app` from `.common`; real-apps audit 2026-12-04, pattern 1). A Project lets the
scanner (1) count a file as a provider's app when a local module it imports does, and (2) read a
constant that a local module defines. Only files under the project's root are read; anything else
(site-packages, the provider SDKs) stays "imported from elsewhere".
"""

from __future__ import annotations

import ast
from pathlib import Path

from gpuadvisor.apps.evaluate.staticeval import Evaluator, Known, Unresolved
from gpuadvisor.apps.read.findings import MAX_FILE_BYTES

MAX_MODULES = 64  # local modules one file's imports may bring in (followed MAX_HOPS deep)
MAX_CACHED = 2048  # parsed modules kept for a whole `check DIR` run; more are parsed again when asked
MAX_HOPS = 4  # import chains followed (a re-export of a re-export ...)


class Project:
    """Local modules under `root`, parsed on demand and cached (one Project for a `check DIR` run)."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._parsed: dict[Path, Evaluator | None] = {}
        self._found: dict[tuple, Path | None] = {}  # (directory, module, level) -> file

    def for_file(self, path: Path) -> LocalImports:
        return LocalImports(self, Path(path).resolve())

    def module_file(self, importer: Path, module: str, level: int) -> Path | None:
        """The file a `from <.level><module> import` in importer names, when it is in the project."""
        key = (importer.parent, module, level)
        if key not in self._found:
            self._found[key] = self._module_file(importer, module, level)
        return self._found[key]

    def _module_file(self, importer: Path, module: str, level: int) -> Path | None:
        parts = [p for p in module.split(".") if p]
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            if parts and parts[0] in _provider_roots():
                return None
            bases, d = [], importer.parent
            while len(bases) < 6:  # the file's directory and the packages above it, then the top one's parent
                bases.append(d)
                if not (d / "__init__.py").is_file() or d == self.root or d.parent == d:
                    break
                d = d.parent
            # `from src.common import` in src/app.py (a directory without __init__.py, run from its parent)
            named = next((a for a in importer.parents if a.name == parts[0] and self._inside(a)), None)
            if named is not None and named.parent not in bases:
                bases.append(named.parent)
            if self.root not in bases and self.root in importer.parents:
                bases.append(self.root)
        for base in bases:
            stem = base.joinpath(*parts) if parts else base
            for candidate in (stem.with_suffix(".py") if parts else None, stem / "__init__.py"):
                if candidate is not None and candidate.is_file() and self._inside(candidate):
                    return candidate.resolve()
        return None

    def _inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
            return True
        except ValueError:
            return False

    def evaluator(self, path: Path) -> Evaluator | None:
        if path in self._parsed:
            return self._parsed[path]
        from gpuadvisor.fsread import read_python_capped

        ev = None
        try:
            text = read_python_capped(path, MAX_FILE_BYTES, "Python file")
            ev = Evaluator(ast.parse(text), text)
        except Exception:  # noqa: BLE001  a module that cannot be read is not followed, never an error
            pass
        if len(self._parsed) < MAX_CACHED:
            self._parsed[path] = ev
        return ev


def _provider_roots() -> frozenset[str]:
    from gpuadvisor.apps.read.filescan import PROVIDER_MODULES

    return frozenset(m for ms in PROVIDER_MODULES.values() for m in ms)


class LocalImports:
    """What one file gets from the project's other modules: providers and constants."""

    def __init__(self, project: Project, path: Path, loaded: set | None = None):
        self.project, self.path = project, path
        self.loaded = loaded if loaded is not None else set()  # modules this file's reading has used

    def _evaluator(self, path: Path) -> Evaluator | None:
        if path not in self.loaded and len(self.loaded) >= MAX_MODULES:
            return None
        self.loaded.add(path)
        return self.project.evaluator(path)

    def _imports(self, ev: Evaluator, path: Path):
        """The local modules an ImportFrom names: the module, and submodules imported from a package
        (`from benchmarks import benchmark_comfy`)."""
        for node in ev.imports:
            if isinstance(node, ast.ImportFrom) and (node.level or node.module):
                base = node.module or ""
                for module in (base, *(f"{base}.{a.name}".lstrip(".") for a in node.names if a.name != "*")):
                    target = self.project.module_file(path, module, node.level)
                    if target is not None and target != path:
                        yield target

    def providers(self, ev: Evaluator, hops: int = 0, seen: set | None = None) -> tuple[str, ...]:
        """The providers the local modules this file imports from import (followed MAX_HOPS deep)."""
        from gpuadvisor.apps.read.filescan import imported_providers

        seen = seen if seen is not None else {self.path}
        found: list[str] = []
        for target in self._imports(ev, self.path if hops == 0 else ev.path):
            if target in seen or hops >= MAX_HOPS:
                continue
            seen.add(target)
            other = self._evaluator(target)
            if other is None:
                continue
            other.path = target
            found += [p for p in imported_providers(other.imports) if p not in found]
            found += [p for p in self.providers(other, hops + 1, seen) if p not in found]
        return tuple(found)

    def value(self, binding, name: str, hops: int = 0) -> Known:
        """The value of a name imported from a local module (`from .common import GPU`), read there."""
        module = binding.module.rpartition(".")[0] if binding.module else ""
        level = len(module) - len(module.lstrip("."))
        importer = getattr(binding, "_importer", None) or self.path
        target = self.project.module_file(importer, module.lstrip("."), level)
        if target is None or hops >= MAX_HOPS:
            raise Unresolved("import", f"{name} is imported from {binding.origin}, outside this project; "
                                       "gpuadvisor reads only the project's own files")
        ev = self._evaluator(target)
        imported = binding.module.rpartition(".")[2]
        if ev is None or imported not in ev.module:
            raise Unresolved("import", f"{name} is imported from {binding.origin}, which defines no {imported} "
                                       "gpuadvisor can read")
        rel = _shown(target, self.project.root)
        use = ast.Name(id=imported, lineno=10**9, col_offset=0)
        found = ev.pick(imported, ev.module[imported], use, "module")
        if found.kind == "import":
            nxt = LocalImports(self.project, target, self.loaded)
            k = nxt.value(found, imported, hops + 1)
            return Known(k.value, (f"{name} from {rel}", *k.via), k.env)
        if found.kind != "assign":
            raise Unresolved("unsupported", f"{name} is a {found.kind} in {rel}, not a value")
        ev.imported = LocalImports(self.project, target, self.loaded)
        return ev._binding_value(imported, found, 1, f"constant {imported} in {rel} (line {found.line})")


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def project_root(path: Path) -> Path:
    """A file's project: the directory above its top package (a file outside packages: its directory)."""
    d = Path(path).resolve().parent
    for _ in range(8):
        if not (d / "__init__.py").is_file() or d.parent == d:
            break
        d = d.parent
    return d
