"""The records every app reader returns (a Finding per GPU configuration, a Scan per file), and
RunPod's wire format, shared by the Python and config-file readers (so neither imports the other)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

MAX_FILE_BYTES = 512 * 1024  # 2× the largest app in the recall corpus (234 KB); parsing stays under 2 s
# Sites that take RunPod's wire format (its REST/GraphQL `gpuIds`): pool ids, comma-separated, with
# `-GPU type` exclusions; a GPU type there is not a choice (runpod-workers/worker-sdxl#23 fixed
# "NVIDIA GeForce RTX 4090" to "ADA_24"; runpod/flash#24 "link to pool IDs instead of GPU IDs").
# kind -> how a rewrite writes the pool ids and the count there.
WIRE_SYNTAX = {"create-endpoint": ('gpu_ids="{}"', "gpu_count={}"), "hub": ('"gpuIds": "{}"', '"gpuCount": {}')}
REASONS = ("parameter", "local", "loop", "import", "call", "env", "reassigned", "undefined", "attribute",
           "runtime", "unsupported", "count-unknown")


# kind -> how a rewrite writes a list-valued site: RunPod's LiveServerless / ServerlessEndpoint take
# `gpus=[...]` (runpod/tetra-rp @d58288f7 src/runpod_flash/core/resources/serverless.py L149); a
# `gpu=` there would be dropped silently and the default [GpuGroup.ANY] would apply.
LIST_SYNTAX = {"live-serverless": ("gpus=[{}]", "gpuCount={}")}


@dataclass(frozen=True)
class Anchor:
    """Where a Python site is written, for a rewrite. Spans are ast positions (line, col, end_line,
    end_col: 1-based lines, UTF-8 byte columns). form: keyword (`gpu=...` in a call), dict (an entry
    of a `**kwargs` dict), attribute (a class attribute `machine_type = ...`)."""

    form: str
    key: str  # the keyword / dict key / attribute name as written
    value: tuple[int, int, int, int]  # the value expression
    whole: tuple[int, int, int, int]  # the keyword `gpu=...`, the dict key through its value, or the statement
    owner: tuple[int, int, int, int]  # the call (or class) the site belongs to
    count_key: str = ""
    count: tuple[int, int, int, int] | None = None  # the count's whole keyword / entry / statement, if written
    literal: tuple[int, int, int, int] | None = None  # the string literal an indirect value comes from (a constant, an env default)


@dataclass(frozen=True)
class Finding:
    """One GPU configuration in a file, as the provider writes it.

    status: ok | no-gpu (gpu=None / False) | unresolved (reason + problem say why) | invalid (a value
    no provider accepts, or an expression too deep to read). spec is the value as the provider writes
    it (a list is written "['H100', 'A100-40GB:2']"); a conditional has spec None and its branches in
    alternatives (None for a branch with no GPU). count is the GPU count written apart from the spec
    (RunPod gpu_count, fal num_gpus) or in it (Modal "H100:4"); None when not written; count_known is
    False when it is written but cannot be read."""

    line: int
    provider: str
    kind: str
    code: str
    spec: str | None = None
    alternatives: tuple[str | None, ...] = ()
    count: int | None = None
    count_known: bool = True
    resolved_from: str = "literal"
    notes: tuple[str, ...] = ()
    status: str = "ok"
    reason: str = ""
    problem: str = ""
    overridable_by: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # wire-format `-type` exclusions (WIRE_SYNTAX), as written
    anchor: Anchor | None = field(default=None, compare=False)  # Python sites: where to rewrite
    host: tuple[tuple[str, object], ...] = ()  # ("cpu", v), ("memory", v): the worker's host as written (literals)

    @property
    def specs(self) -> tuple[str | None, ...]:
        """The readings to translate: the spec, or each branch of a conditional."""
        return self.alternatives if self.alternatives else (self.spec,)

    def to_json(self) -> dict:
        return {"line": self.line, "provider": self.provider, "kind": self.kind, "code": self.code,
                "spec": self.spec, "alternatives": list(self.alternatives), "count": self.count,
                "count_known": self.count_known, "notes": list(self.notes),
                "resolved_from": self.resolved_from if self.spec is not None or self.alternatives else None,
                "status": self.status, "reason": self.reason or None, "problem": self.problem or None,
                "overridable_by": list(self.overridable_by), "host": dict(self.host) or None}


@dataclass(frozen=True)
class Scan:
    """Every configuration found (at most MAX_FINDINGS), how many there were, and file-level notes."""

    findings: tuple[Finding, ...]
    total: int
    providers: tuple[str, ...]  # the providers the file imports
    notes: tuple[str, ...] = field(default=())
    unattributed: tuple[int, ...] = ()  # lines that look like a provider's GPU setting in a file no provider explains

    @property
    def truncated(self) -> bool:
        return self.total > len(self.findings)


def wire_ids(f: Finding) -> Finding:
    """A wire-format site (WIRE_SYNTAX) with its `-GPU type` exclusions taken out of the spec and
    said in a note: they narrow a pool, they are not GPUs to translate."""
    if f.kind not in WIRE_SYNTAX or not f.spec or "-" not in f.spec:
        return f
    parts = [p.strip() for p in f.spec.split(",") if p.strip()]
    kept = [p for p in parts if not p.startswith("-")]
    dropped = [p[1:].strip() for p in parts if p.startswith("-")]
    if not dropped or not kept:
        return f
    note = "excludes " + ", ".join(dropped) + " from the pools (RunPod's `-type` form); translated without the exclusion"
    return replace(f, spec=",".join(kept), notes=(*f.notes, note), excluded=tuple(dropped))
