"""Find the GPU configurations in a Python app file with `ast` (the file is never imported or run).

A file is a Modal, RunPod, fal, Beam or Replicate app because of what it imports (`modal`;
`runpod_flash`, `runpod` or `tetra_rp`; `fal` or `fal_serverless`; `beam` or `beta9`; `replicate`). Naming the source provider (`scan_source(text, "modal")`)
also reads a snippet with no import. Call shapes read (the AST patterns are the one place provider
syntax lives in Python rather than in the catalogs):
  Modal   gpu= on @app.function / @app.cls / @app.server (any receiver: app, stub, ...), .with_options,
          Sandbox.create, and image build steps (run_function, run_commands, pip_install, ...: a
          build-step GPU is billed too)
  RunPod  Endpoint(gpu=, gpu_count=), the older LiveServerless(gpus=[...], gpuCount=) and
          ServerlessEndpoint, runpod.create_endpoint(gpu_ids=, gpu_count=)
  fal     machine_type / num_gpus on a fal.App subclass (attributes or class keywords),
          @fal.function, @isolated, fn.on(machine_type=)
  Beam    gpu= / gpu_count= on @endpoint, @function, @task_queue, @asgi, @realtime, @schedule, Pod(...),
          the integrations VLLM(...) / MCPServer(...), and the v1 beam.App(...) / Runtime(...)
  Replicate  hardware= on deployments.create / deployments.update / models.create
Config files (Baseten's config.yaml, Cerebrium's cerebrium.toml) are read by `configscan`;
`scan.scan_file` picks the reader by the file's name.
Values are worked out by `staticeval` (constants, f-strings, env defaults, modal.gpu objects, config
objects, kwargs dicts, conditionals). What cannot be known from the file is reported as unresolved
with the reason, never guessed; a count that cannot be read makes the config "count unknown".
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Any

from gpuadvisor.apps.evaluate.staticeval import Choice, Evaluator, GpuObject, Known, Symbol, Unresolved, clip
from gpuadvisor.apps.read.anchors import dict_anchor, literal_span
from gpuadvisor.apps.read.anchors import span as _span
from gpuadvisor.apps.read.findings import (  # noqa: F401  (re-exported: the scanner's records)
    MAX_FILE_BYTES,
    REASONS,
    WIRE_SYNTAX,
    Anchor,
    Finding,
    Scan,
    wire_ids,
)
from gpuadvisor.errors import UsageError

MAX_FINDINGS = 500  # configurations reported from one file; the rest are counted, not read

PROVIDER_MODULES = {"modal": ("modal",), "runpod": ("runpod_flash", "runpod", "tetra_rp"),
                    "fal": ("fal", "fal_serverless"), "beam": ("beam", "beta9"), "replicate": ("replicate",)}

MODAL_DECORATORS = {"function": "function", "cls": "cls", "server": "server", "with_options": "with_options"}
# modal-client 69519aef, py/modal/_image.py: the _Image methods that take gpu= (the builder's GPU).
MODAL_IMAGE_STEPS = frozenset({
    "run_function", "run_commands", "dockerfile_commands", "from_dockerfile", "pip_install",
    "pip_install_private_repos", "pip_install_from_requirements", "pip_install_from_pyproject",
    "uv_pip_install", "uv_sync", "poetry_install_from_file", "micromamba_install", "apt_install",
})
# callee -> (kind, GPU keyword, count keyword)
RUNPOD_CALLS = {
    "Endpoint": ("endpoint", "gpu", "gpu_count"),
    "LiveServerless": ("live-serverless", "gpus", "gpuCount"),
    "ServerlessEndpoint": ("live-serverless", "gpus", "gpuCount"),
    "create_endpoint": ("create-endpoint", "gpu_ids", "gpu_count"),
}
FAL_CALLS = {"function": "fal-function", "isolated": "isolated", "on": "on"}
# beam-cloud/beta9 sdk (re-exported by `beam`): gpu= (a GpuType, its string, or a priority list) and
# gpu_count=; v1 apps: beam.App(gpu=...), Runtime(gpu=...). Called bare (`@endpoint`) or on the module.
# Integrations (beta9 sdk/src/beta9/abstractions/integrations, @0f826fa7): VLLM(gpu=, gpu_count=) and
# MCPServer(gpu=, gpu_count=), as beam-cloud/examples vllm/models.py deploys vLLM.
BEAM_CALLS = {"VLLM": "vllm", "MCPServer": "mcp-server", "endpoint": "endpoint", "function": "function", "task_queue": "task-queue", "asgi": "asgi",
              "realtime": "realtime", "schedule": "schedule", "Pod": "pod", "App": "app", "Runtime": "runtime"}
BEAM_RECEIVERS = ("", "beam", "beta9", "integrations")
# replicate-python: the hardware SKU is set where a deployment or model is created or updated.
REPLICATE_CALLS = {("create", "deployments"): "deployment", ("update", "deployments"): "deployment",
                   ("create", "models"): "model"}

# ---------------------------------------------------------------------------- reading values

class _Invalid(Exception):
    pass


def _item_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Symbol):
        return value.text
    if isinstance(value, GpuObject):
        if value.count_problem:
            raise Unresolved("count-unknown", value.count_problem)
        return value.spec()
    raise _Invalid(f"{value!r} is not a GPU name")


def _spec_text(value) -> str | None:
    """A value as the provider writes it; None for no GPU. _Invalid for values no provider accepts."""
    if value is None or value is False:
        return None
    if isinstance(value, (list, tuple)):
        if not value:
            raise _Invalid("an empty list names no GPU")
        return "[" + ", ".join(repr(_item_text(v)) for v in value) + "]"
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise _Invalid(f"{value!r} is not a GPU name")
    return _item_text(value)


def _flatten(known: Known) -> list[Known]:
    if isinstance(known.value, Choice):
        return [x for o in known.value.options for x in _flatten(o)]
    return [known]


def _with_count_from_spec(spec: str | None) -> int | None:
    if spec and not spec.startswith("[") and ":" in spec:
        tail = spec.rpartition(":")[2].strip()
        if tail.isdigit() and tail.isascii() and len(tail) <= 6:
            return int(tail)
    return None


# Calls whose cpu= and memory= size the worker's host beside the GPU (translate carries them)
HOST_KEYS = {"modal": ("cpu", "memory"), "beam": ("cpu", "memory")}


class _Reader:
    def __init__(self, ev: Evaluator, provider: str):
        self.ev, self.provider = ev, provider

    def finding(self, kind: str, line: int, value: ast.AST, count_node: ast.AST | None = None,
                via: str = "", code: str = "") -> Finding:
        code = code or self.ev.code(value, 80)
        base: dict[str, Any] = dict(line=line, provider=self.provider, kind=kind, code=code)
        try:
            known = self.ev.evaluate(value)
        except Unresolved as e:
            if e.category == "too-deep":
                return Finding(**base, status="invalid", reason="too-deep", problem=e.message)
            partial = self._partial_count(value, e) if self.provider == "modal" else None
            if partial:
                return Finding(**base, **partial)
            return Finding(**base, status="unresolved", reason=e.category, problem=e.message)
        try:
            return self._known(base, known, count_node, via)
        except _Invalid as e:
            return Finding(**base, status="invalid", reason="value", problem=f"{clip(code)}: {e}")
        except Unresolved as e:
            return Finding(**base, status="unresolved", reason=e.category, problem=e.message)

    def _known(self, base: dict, known: Known, count_node: ast.AST | None, via: str) -> Finding:
        branches = _flatten(known)
        steps = [via] if via else []
        env: list[str] = []
        for k in (known, *branches):
            steps += [s for s in k.via if s not in steps]
            env += [e for e in k.env if e not in env]
        if len(branches) == 1 and isinstance(known.value, GpuObject) and known.value.count_problem:
            obj = known.value
            name = GpuObject(obj.cls, None, obj.size).spec()
            return Finding(**base, spec=name, count_known=False, resolved_from="; ".join(steps),
                           status="unresolved", reason="count-unknown",
                           problem=f"the GPU is {name!r} but its {obj.count_problem}: count unknown")
        texts = [_spec_text(b.value) for b in branches]
        notes = []
        choice = known.value if isinstance(known.value, Choice) else None
        if choice is not None:
            taken = texts[choice.taken] if choice.taken is not None else None
            notes.append(f"one of {' or '.join(repr(t) if t else 'no GPU' for t in texts)}, depending on {choice.test}"
                         + (f" ({taken!r} with this file's values)" if taken and len(texts) == 2 else ""))
        notes += [f"the default: {s}" for s in steps if " re-assigns " in s]
        if any(isinstance(b.value, GpuObject) for b in branches):
            notes.append("modal.gpu objects were removed from the client in Modal 1.4.0; write a string "
                         f"such as gpu=\"{next(t for t in texts if t)}\"")
        count, count_known, problem = None, True, ""
        if count_node is not None:
            count, count_known, problem, counted = self._count(count_node)
            if counted is not None:
                steps += [f"count: {s}" for s in counted.via]
                env += [e for e in counted.env if e not in env]
        elif len(texts) == 1:
            count = _with_count_from_spec(texts[0])
        if env:
            overridable = ", ".join(f"${v}" for v in env)
            steps = [x for x in steps if "default; overridable by $" not in x]
            steps.append(f"default; overridable by {overridable}")
            notes.append(f"the default, overridable by {overridable}: the deployed value may differ")
        fields: dict[str, Any] = dict(spec=texts[0] if choice is None else None, alternatives=tuple(texts) if choice else (),
                      count=count, count_known=count_known, resolved_from="; ".join(steps) or "literal",
                      notes=tuple(notes), overridable_by=tuple(env))
        if not count_known:
            return Finding(**base, **fields, status="unresolved", reason="count-unknown", problem=problem)
        if all(t is None for t in texts):
            return Finding(**base, **fields, status="no-gpu", problem="asks for no GPU")
        return Finding(**base, **fields)

    def _count(self, node: ast.AST) -> tuple[int | None, bool, str, Known | None]:
        code = self.ev.code(node, 40)
        try:
            k = self.ev.evaluate(node)
        except Unresolved as e:
            if e.category == "too-deep":
                raise _Invalid(e.message) from None
            return None, False, f"the GPU count {code} cannot be read ({e.message}): count unknown", None
        if isinstance(k.value, bool) or not isinstance(k.value, int):
            raise _Invalid(f"the GPU count {code} = {k.value!r} is not a whole number")
        return k.value, True, "", k

    def _partial_count(self, node: ast.AST, error: Unresolved) -> dict | None:
        """Modal f"{TYPE}:{n}" whose type is known but whose count is not: the GPU with count unknown."""
        if not (isinstance(node, ast.JoinedStr) and len(node.values) >= 2):
            return None
        *head, last = node.values
        sep = head[-1]
        if not (isinstance(last, ast.FormattedValue) and isinstance(sep, ast.Constant)
                and isinstance(sep.value, str) and sep.value.endswith(":")):
            return None
        try:
            prefix = self.ev.evaluate(ast.JoinedStr(values=head, lineno=node.lineno, col_offset=node.col_offset,
                                                    end_lineno=node.end_lineno, end_col_offset=node.end_col_offset))
        except Unresolved:
            return None
        name = str(prefix.value)[:-1]
        if not name or ":" in name:
            return None
        return dict(spec=name, count=None, count_known=False, resolved_from="; ".join(prefix.via) or "f-string",
                    status="unresolved", reason="count-unknown",
                    problem=f"the GPU is {name!r} but its count cannot be read ({error.message}): count unknown")


# ---------------------------------------------------------------------------- call shapes

def imported_providers(imports: list) -> tuple[str, ...]:
    """The providers whose modules these Import / ImportFrom nodes import (relative imports do not count)."""
    roots: set[str] = set()
    for node in imports:
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return tuple(p for p, mods in PROVIDER_MODULES.items() if roots.intersection(mods))


def _aliases(imports: list) -> dict[str, str]:
    """Local names of provider API names imported under another name: `from runpod_flash import Endpoint as EP`."""
    out = {}
    mods = {m for ms in PROVIDER_MODULES.values() for m in ms}
    for node in imports:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in mods:
            for a in node.names:
                if a.asname:
                    out[a.asname] = a.name
    return out


def _callee(node: ast.Call, aliases: dict[str, str]) -> tuple[str, str]:
    """(name, receiver text) of a call: app.function -> ('function', 'app')."""
    f = node.func
    if isinstance(f, ast.Attribute):
        recv = f.value
        text = recv.attr if isinstance(recv, ast.Attribute) else recv.id if isinstance(recv, ast.Name) else ""
        return f.attr, text
    if isinstance(f, ast.Name):
        return aliases.get(f.id, f.id), ""
    return "", ""


def _forwarded(value: ast.AST, key: str) -> bool:
    """`machine_type=cls.machine_type`: code passing an object's own setting on (the fal SDK's
    wrap_app, fal-ai/fal projects/fal/src/fal/app.py@c6f0afaa L187), not a configuration; the class
    attribute it reads is the site, and is read there."""
    return (isinstance(value, ast.Attribute) and value.attr == key and isinstance(value.value, ast.Name)
            and value.value.id in ("cls", "self"))


def _modal_kind(name: str, receiver: str) -> str:
    if name in MODAL_DECORATORS:
        return MODAL_DECORATORS[name]
    if name == "create" and receiver == "Sandbox":
        return "sandbox"
    if name in MODAL_IMAGE_STEPS:
        return "image-build"
    return ""


class _Scanner:
    def __init__(self, ev: Evaluator, active: tuple[str, ...]):
        self.ev, self.active = ev, active
        self.readers = {p: _Reader(self.ev, p) for p in active}
        self.aliases = _aliases(ev.imports)
        self.notes: list[str] = []

    def add(self, line: int, make) -> None:
        """Record a site; `make` reads it later, only for the first MAX_FINDINGS sites by line."""
        self.sites.append((line, len(self.sites), make))

    def run(self) -> list[Finding]:
        self.sites: list = []
        for node in self.ev.calls:
            self.call(node)
        if "fal" in self.active:
            for cls in self.ev.classes:
                if self.is_fal_app(cls):
                    self.fal_class(cls)
        self.sites.sort(key=lambda s: (s[0], s[1]))
        return [wire_ids(make()) for _, _, make in self.sites[:MAX_FINDINGS]]

    def is_fal_app(self, node: ast.ClassDef, depth: int = 0) -> bool:
        """A subclass of fal.App (or of a class in this file that is one)."""
        for base in node.bases:
            text = self.ev.code(base, 80)
            if text.endswith("App"):
                return True
            if isinstance(base, ast.Name) and depth < 5:
                for b in self.ev.module.get(base.id, []):
                    if b.kind == "class" and isinstance(b.node, ast.ClassDef) and self.is_fal_app(b.node, depth + 1):
                        return True
        return False

    def call(self, node: ast.Call) -> None:
        name, receiver = _callee(node, self.aliases)
        if not name:
            return
        if "modal" in self.active:
            kind = _modal_kind(name, receiver)
            if kind:
                self.keyword(node, "modal", kind, "gpu")
        if "runpod" in self.active and name in RUNPOD_CALLS:
            kind, key, count_key = RUNPOD_CALLS[name]
            self.keyword(node, "runpod", kind, key, count_key)
            if name == "Endpoint" and any(k.arg == "cpu" for k in node.keywords):
                self.keyword(node, "runpod", "cpu-endpoint", "cpu")  # a CPU worker: cpu="cpu3c-2-4"
        if "fal" in self.active and name in FAL_CALLS:
            self.keyword(node, "fal", FAL_CALLS[name], "machine_type", "num_gpus")
        if "beam" in self.active and name in BEAM_CALLS and receiver in BEAM_RECEIVERS:
            self.keyword(node, "beam", BEAM_CALLS[name], "gpu", "gpu_count")
        if "replicate" in self.active and (name, receiver) in REPLICATE_CALLS:
            self.keyword(node, "replicate", REPLICATE_CALLS[(name, receiver)], "hardware")

    def keyword(self, node: ast.Call, provider: str, kind: str, key: str, count_key: str | None = None) -> None:
        kws = {k.arg: k.value for k in node.keywords if k.arg}
        whole = {k.arg: k for k in node.keywords if k.arg}
        reader = self.readers[provider]
        count_node = kws.get(count_key) if count_key else None
        if key in kws:
            value = kws[key]
            host = tuple((k, v.value) for k in HOST_KEYS.get(provider, ())
                         if isinstance(v := kws.get(k), ast.Constant) and isinstance(v.value, (int, float, str)))
            if provider == "fal" and _forwarded(value, key):
                return
            anchor = Anchor("keyword", key, _span(value), _span(whole[key]), _span(node), count_key or "",
                            _span(whole[count_key]) if count_key and count_node is not None else None, literal_span(self.ev, value))
            self.add(value.lineno, lambda: replace(reader.finding(kind, value.lineno, value, count_node), anchor=anchor,
                                                   host=host))
            return
        for splat in (k.value for k in node.keywords if k.arg is None):
            try:
                entry, via = self.ev.kwargs_entry(splat, key)
                counted, _ = self.ev.kwargs_entry(splat, count_key) if count_key and count_node is None else (None, "")
            except Unresolved:
                self.notes.append(f"line {splat.lineno}: **{self.ev.code(splat, 40)} could not be read; "
                                  f"it may set {key}=")
                continue
            if entry is not None:
                code = f"**{self.ev.code(splat, 40)} → {key}={self.ev.code(entry, 60)}"
                entry_anchor = dict_anchor(self.ev, splat, key, count_key or "", entry, node)
                self.add(splat.lineno, lambda v=entry, c=counted or count_node, via=via, code=code, line=splat.lineno, a=entry_anchor:
                         replace(reader.finding(kind, line, v, c, via=via, code=code), anchor=a))
                return

    def fal_class(self, node: ast.ClassDef) -> None:
        attrs = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                attrs[stmt.targets[0].id] = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                attrs[stmt.target.id] = stmt.value
        for kw in node.keywords:
            if kw.arg in ("machine_type", "num_gpus"):
                attrs.setdefault(kw.arg, kw.value)
        if "machine_type" in attrs:
            value = attrs["machine_type"]
            stmts: dict[str, ast.Assign | ast.AnnAssign] = {}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    stmts[stmt.targets[0].id] = stmt
                elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                    stmts[stmt.target.id] = stmt
            form = "attribute" if "machine_type" in stmts else "keyword"
            kws = {k.arg: k for k in node.keywords}
            holder = stmts if form == "attribute" else kws
            count = holder.get("num_gpus")
            anchor = Anchor(form, "machine_type", _span(value), _span(holder["machine_type"]), _span(node), "num_gpus",
                            _span(count) if count is not None else None, literal_span(self.ev, value))
            self.add(value.lineno, lambda: replace(self.readers["fal"].finding(
                "fal-app", value.lineno, value, attrs.get("num_gpus")), anchor=anchor))


# Calls that look like a provider's GPU setting (callee name, keyword), for a file no provider import
# explains: said as such, so a CI run does not read "0 GPU configs" as clean.
_LOOKS_LIKE: dict[str, set[str]] = {}
for _names, _keys in (((*MODAL_DECORATORS, *BEAM_CALLS, "Endpoint"), ("gpu",)), (FAL_CALLS, ("machine_type",)),
                      (("LiveServerless", "ServerlessEndpoint"), ("gpus", "gpu")), (("create_endpoint",), ("gpu_ids",))):
    for _n in _names:
        _LOOKS_LIKE.setdefault(_n, set()).update(_keys)


def unattributed(ev: Evaluator) -> tuple[int, ...]:
    """Lines of calls that set a GPU the way a provider's API does, in a file that imports no provider."""
    lines = []
    for node in ev.calls:
        name, _ = _callee(node, {})
        keys = _LOOKS_LIKE.get(name, ())
        if any(k.arg in keys and not (isinstance(k.value, ast.Constant) and k.value.value is None) for k in node.keywords):
            lines.append(next(k.value.lineno for k in node.keywords if k.arg in keys))
    return tuple(sorted(set(lines)))


def scan_tree(tree: ast.Module, text: str, source: str | None = None, local=None) -> Scan:
    """The file's GPU configurations. `local` (a read.project.LocalImports) follows the app's own
    modules: their providers count as this file's, their constants are read."""
    ev = Evaluator(tree, text)
    imported = imported_providers(ev.imports)
    lines: tuple[int, ...] = ()
    if not imported and not source:
        lines = unattributed(ev)  # no call a provider's API could make: nothing to look for elsewhere
    if local is not None:
        ev.imported = local
        if lines:  # the app object may come from a sibling module (`from .common import app`)
            imported = local.providers(ev)
    active = (source,) if source else imported
    if not active:
        notes = (f"line(s) {', '.join(map(str, lines[:8]))} set a GPU the way a provider's API does, but neither "
                 "this file nor a local module it imports imports a provider; name the source provider to read "
                 "them",) if lines else ()
        return Scan((), 0, imported, notes, unattributed=lines)
    scanner = _Scanner(ev, active)
    found = scanner.run()
    return Scan(tuple(found), len(scanner.sites), imported, tuple(dict.fromkeys(scanner.notes))[:20])


_NEWER = re.compile(r"^\s*(type\s+\w+\s*(\[.*\])?\s*=|(async\s+)?def\s+\w+\s*\[|class\s+\w+\s*\[)")


def _newer_syntax(e: SyntaxError) -> str:
    """A hint when the line is Python 3.12 syntax (PEP 695 `type` aliases and generics) and this
    Python is older: the file is fine, the interpreter running gpuadvisor cannot read it."""
    import sys

    if sys.version_info >= (3, 12) or not e.text or not _NEWER.match(e.text):
        return ""
    return (f"; that line is Python 3.12 syntax (PEP 695) and gpuadvisor runs on Python "
            f"{sys.version_info.major}.{sys.version_info.minor} here: install it under Python 3.12 or later to read this file")


def parse(text: str) -> ast.Module:
    """ast.parse with one clear UsageError for anything it refuses."""
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise UsageError(f"cannot parse the file as Python: it contains a NUL byte (line {line})")
    try:
        return ast.parse(text)
    except SyntaxError as e:
        where = f" (line {e.lineno})" if e.lineno else ""
        raise UsageError(f"cannot parse the file as Python: {e.msg}{where}{_newer_syntax(e)}") from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise UsageError(f"cannot parse the file as Python: {clip(str(e) or type(e).__name__, 80)}") from None


def scan_source(text: str, source: str | None = None, local=None) -> Scan:
    tree = parse(text)
    try:
        return scan_tree(tree, text, source, local)
    except RecursionError:
        raise UsageError("the file nests expressions too deeply to be read") from None
