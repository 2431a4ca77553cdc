"""Find the GPU configuration in a provider's config file, by the file's name (never run, never
evaluated). Like filescan's AST patterns, these readers are where provider file formats live in
Python; what the names mean comes from the catalogs.

  config.yaml / config.yml   Baseten (Truss): resources.accelerator (`H100:2`) or
                             resources.instance_type (`L4:4x16`, CPU `4x16`). YAML is read with
                             PyYAML's safe_load (data only), imported here and nowhere else.
  cerebrium.toml             Cerebrium: [cerebrium.hardware] compute (a name or a preference
                             list) and gpu_count. TOML is read with tomllib.
  cog.yaml                   Replicate (Cog): has no hardware field; `build: gpu: true` only picks a
                             CUDA base image, so the file is noted and yields nothing to translate.
  .runpod/hub.json           RunPod Hub listing: config.gpuIds (pool ids, comma-separated, in
                             RunPod's wire format) and config.gpuCount; runsOn "CPU" has no GPU.

Each reader returns a findings.Scan with line numbers, so `translate --file` and `check` treat a
config file like an app file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpuadvisor.apps.read.findings import MAX_FILE_BYTES, Finding, Scan, wire_ids
from gpuadvisor.errors import UsageError

READERS = {"config.yaml": "baseten", "config.yml": "baseten", "cerebrium.toml": "cerebrium", "cog.yaml": "replicate"}
# Cerebrium compute values that are not GPUs: said as such, never "unknown GPU name"
CEREBRIUM_NOT_GPU = {"CPU": "CPU only", "INF2": "AWS Inferentia2, not a GPU", "TRN1": "AWS Trainium, not a GPU"}


def _format(path: str | Path) -> str | None:
    """The config format a file's path says: a READERS name, or `hub` for .runpod/hub.json."""
    p = Path(path)
    if p.name.lower() == "hub.json" and p.parent.name == ".runpod":
        return "hub"
    return p.name.lower() if p.name.lower() in READERS else None


def handles(path: str | Path) -> bool:
    return _format(path) is not None


def scan_config_text(name: str, text: str, source: str | None = None) -> Scan:
    """The configuration in one config file's text; `name` is the file's path or name (it says the format)."""
    fmt = _format(name)
    assert fmt is not None, "callers pass only names that handles() accepts"
    provider = "runpod" if fmt == "hub" else READERS[fmt]
    if source and source != provider:
        return Scan((), 0, (provider,))
    reader = _hub if fmt == "hub" else {"baseten": _truss, "cerebrium": _cerebrium, "replicate": _cog}[provider]
    findings, notes = reader(text)
    findings = [wire_ids(f) for f in findings]
    return Scan(tuple(findings), len(findings), (provider,) if findings or notes else (), tuple(notes))


# ---------------------------------------------------------------------------- YAML (Truss, Cog)

MAX_YAML_NODES = 20_000  # nodes with every alias expanded: a 512 KB config has far fewer (audit N1)
MAX_YAML_DEPTH = 64


def _yaml(text: str):
    """(data, root node) of a YAML document with PyYAML's SafeLoader: plain data, no tags run.
    Aliases are allowed, but the document's size with every alias expanded and its nesting are
    capped while composing, so an alias bomb is refused before anything walks or formats it."""
    import yaml

    try:
        loader = _bounded_loader(yaml)(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UsageError(f"cannot parse the file as YAML: {problem}{where}") from None
    except RecursionError:
        raise UsageError("cannot parse the file as YAML: nested too deeply") from None
    return data, node


def _bounded_loader(yaml):
    """A SafeLoader subclass that counts each node's expanded size (an alias counts as its whole
    anchored node) and its depth, and stops past MAX_YAML_NODES / MAX_YAML_DEPTH."""

    class BoundedLoader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self._sizes: dict[int, int] = {}
            self._total = 0
            self._depth = 0

        def compose_node(self, parent, index):
            alias = self.check_event(yaml.AliasEvent)
            self._depth += 1
            try:
                if self._depth > MAX_YAML_DEPTH:
                    raise yaml.YAMLError(f"nested more than {MAX_YAML_DEPTH} levels deep")
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            size = self._sizes.get(id(node))
            if size is None:
                children = node.value if isinstance(node.value, list) else []
                size = 1 + sum(self._sizes.get(id(c), 1) for item in children
                               for c in (item if isinstance(item, tuple) else (item,)))
                self._sizes[id(node)] = size
            if alias or size == 1:
                self._total += size  # a collection's own children were counted as they were composed
            if self._total > MAX_YAML_NODES:
                raise yaml.YAMLError(f"more than {MAX_YAML_NODES:,} values with aliases expanded (an alias bomb?)")
            return node

    return BoundedLoader


def _line(node, *keys: str) -> int:
    """The 1-based line of the value at keys in a composed YAML mapping (1 if not found)."""
    for key in keys:
        found = None
        for k, v in getattr(node, "value", []) if getattr(node, "id", "") == "mapping" else []:
            if getattr(k, "value", None) == key:
                found = v
                break
        if found is None:
            return 1
        node = found
    return node.start_mark.line + 1


def _truss(text: str) -> tuple[list[Finding], list[str]]:
    data, root = _yaml(text)
    res = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(res, dict):
        return [], []
    out = []
    for key, kind in (("instance_type", "instance-type"), ("accelerator", "accelerator")):
        if key not in res:
            continue
        value, line = res[key], _line(root, "resources", key)
        code = f"{key}: {value}"  # value is bounded: _yaml caps the expanded document
        code = code if len(code) <= 200 else code[:199] + "…"
        base: dict[str, Any] = dict(line=line, provider="baseten", kind=kind, code=code)
        if value is None:
            out.append(Finding(**base, status="no-gpu", problem="asks for no GPU"))
        elif not isinstance(value, str) or not value.strip():
            out.append(Finding(**base, status="invalid", reason="value", problem=f"{code}: not a GPU name"))
        else:
            host = tuple((k, res[k]) for k in ("cpu", "memory") if isinstance(res.get(k), (int, float, str)))
            out.append(Finding(**base, spec=value.strip(), host=host))
        break  # instance_type overrides accelerator (Truss)
    if not out and res.get("use_gpu") is True:
        line = _line(root, "resources", "use_gpu")
        out.append(Finding(line=line, provider="baseten", kind="accelerator", code="use_gpu: true", status="unresolved",
                           reason="unsupported", problem="use_gpu: true names no accelerator; Baseten picks the GPU"))
    return out, []


def _cog(text: str) -> tuple[list[Finding], list[str]]:
    data, _ = _yaml(text)
    build = data.get("build") if isinstance(data, dict) else None
    if isinstance(build, dict) and build.get("gpu"):
        return [], ["cog.yaml's build: gpu: true only picks a CUDA base image; the hardware SKU is chosen when the "
                    "model or deployment is created (web, API or replicate.deployments.create(hardware=...))"]
    return [], []


# ---------------------------------------------------------------------------- TOML (Cerebrium)

def _cerebrium(text: str) -> tuple[list[Finding], list[str]]:
    import tomllib

    from gpuadvisor.tomlpos import key_lines, line_of

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"cannot parse the file as TOML: {e}") from None
    except RecursionError:
        raise UsageError("cannot parse the file as TOML: nested too deeply") from None
    hw = data.get("cerebrium", {}).get("hardware") if isinstance(data.get("cerebrium"), dict) else None
    if not isinstance(hw, dict) or "compute" not in hw:
        return [], []
    lines = key_lines(text)
    line = line_of(lines, ("cerebrium", "hardware", "compute")) or 1
    value, count = hw["compute"], hw.get("gpu_count")
    code = f"compute = {_toml_text(value)}" + (f", gpu_count = {count}" if count is not None else "")
    base: dict[str, Any] = dict(line=line, provider="cerebrium", kind="hardware", code=code)
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        return [Finding(**base, status="invalid", reason="value", problem=f"{code}: compute must be a name or a list of names")], []
    if problem := _not_whole("gpu_count", count):
        return [Finding(**base, status="invalid", reason="value", problem=problem)], []
    other = [CEREBRIUM_NOT_GPU[n.strip().upper()] for n in names if n.strip().upper() in CEREBRIUM_NOT_GPU]
    if other:
        if names[0].strip().upper() == "CPU":
            return [Finding(**base, status="no-gpu", problem="compute = \"CPU\": a CPU-only app")], []
        return [Finding(**base, status="unresolved", reason="unsupported",
                        problem=f"{_toml_text(value)}: {other[0]}; gpuadvisor has no counterpart")], []
    spec = names[0].strip() if len(names) == 1 else "[" + ", ".join(repr(n.strip()) for n in names) + "]"
    host = tuple((k, hw[k]) for k in ("cpu", "memory") if isinstance(hw.get(k), (int, float, str)))
    return [Finding(**base, spec=spec, count=count, host=host)], []


# ---------------------------------------------------------------------------- JSON (RunPod Hub)

def _hub(text: str) -> tuple[list[Finding], list[str]]:
    """.runpod/hub.json (RunPod Hub's listing format, e.g. runpod-workers/worker-sdxl): the GPU is
    config.gpuIds in RunPod's wire format (pool ids), the count config.gpuCount."""
    import json
    import re

    try:
        data = json.loads(text)
    except ValueError as e:
        raise UsageError(f"cannot parse the file as JSON: {e}") from None
    except RecursionError:
        raise UsageError("cannot parse the file as JSON: nested too deeply") from None
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict) or "gpuIds" not in config:
        return [], []
    value, count = config["gpuIds"], config.get("gpuCount")
    m = re.search(r'"gpuIds"\s*:', text)
    line = text.count("\n", 0, m.start()) + 1 if m else 1
    code = f'"gpuIds": {json.dumps(value)}' + (f', "gpuCount": {json.dumps(count)}' if count is not None else "")
    base: dict[str, Any] = dict(line=line, provider="runpod", kind="hub", code=code)
    if str(config.get("runsOn", "GPU")).upper() == "CPU":
        return [Finding(**base, status="no-gpu", problem='runsOn "CPU": a CPU worker')], []
    if not isinstance(value, str) or not value.strip():
        return [Finding(**base, status="invalid", reason="value", problem=f"{code}: gpuIds must be pool ids, e.g. \"ADA_24\"")], []
    if problem := _not_whole("gpuCount", count):
        return [Finding(**base, status="invalid", reason="value", problem=problem)], []
    return [Finding(**base, spec=value.strip(), count=count)], []


def _not_whole(key: str, count) -> str | None:
    """Why a count a config file gives is not a GPU count (None: it is one, or it is not given)."""
    if count is None or (isinstance(count, int) and not isinstance(count, bool)):
        return None
    return f"{key} = {count!r} is not a whole number"


def _toml_text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_text(v) for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) else repr(value)


def scan_config(path: Path, source: str | None = None) -> Scan:
    from gpuadvisor.fsread import display_path, read_text_capped

    text = read_text_capped(path, MAX_FILE_BYTES, "config file")
    try:
        return scan_config_text(str(path), text, source)
    except UsageError as e:
        raise UsageError(f"{display_path(path)}: {e}") from None
