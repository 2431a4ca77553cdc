"""Workload profiles ([workload.<id>]) and model records ([model.<id>]) read from catalogs.

Workload weights are data, not code: each names how much a scoring criterion matters for that
kind of job. The criteria themselves are defined in gpuadvisor.engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Scoring criteria a workload may weight (see engine.py for what each measures).
CRITERIA = ("fit", "bandwidth", "compute", "fp8", "video", "interconnect", "single_gpu", "price")

_WORKLOAD_KEYS = ("name", "description", "aliases", "weights", "headroom", "min_nvenc", "needs_av1", "guidance",
                  "pow2_counts")
_MODEL_KEYS = ("name", "family", "kind", "params_b", "active_params_b", "layers", "hidden_size",
               "attention_heads", "kv_heads", "head_dim", "context", "vram_gb", "dtype", "aliases",
               "notes", "sources")


@dataclass(frozen=True, slots=True)
class Workload:
    """A recommend profile. headroom: fraction of the VRAM need kept free for runtime overhead."""

    id: str
    name: str
    description: str
    weights: tuple[tuple[str, float], ...]
    aliases: tuple[str, ...] = ()
    headroom: float = 0.10
    min_nvenc: int = 0
    needs_av1: bool = False
    guidance: tuple[str, ...] = ()
    pow2_counts: bool = False  # multi-GPU counts of 2, 4, 8 (tensor parallelism splits evenly)
    file: str = ""

    def weight(self, criterion: str) -> float:
        return dict(self.weights).get(criterion, 0.0)

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description,
                "weights": dict(self.weights), "aliases": list(self.aliases), "headroom": self.headroom,
                "min_nvenc": self.min_nvenc, "needs_av1": self.needs_av1, "guidance": list(self.guidance),
                "pow2_counts": self.pow2_counts}


def build_workloads(files) -> dict[str, Workload]:
    from gpuadvisor.catalog import _Table, _valid_id

    out: dict[str, Workload] = {}
    for f in files:
        section = f.data.get("workload", {})
        if not isinstance(section, dict):
            f.fail(("workload",), "must be a table of [workload.<id>] tables")
            continue
        for wid, raw in section.items():
            path = ("workload", wid)
            t = _Table(f, path, raw, _WORKLOAD_KEYS)
            if not t.ok or not _valid_id(f, path, wid):
                continue
            before = len(f.problems)
            weights = {}
            wt = t.table("weights", CRITERIA)
            if wt is None:
                f.fail(path, "missing required key 'weights'")
            elif wt.ok:
                for c in CRITERIA:
                    v = wt.get(c, "num", 0.0, nonneg=True)
                    if v:
                        weights[c] = float(v)
                if wt.ok and not weights:
                    f.fail(path + ("weights",), "at least one weight must be greater than 0")
            headroom = t.get("headroom", "num", 0.10, nonneg=True)
            if headroom is not None and headroom >= 1:
                f.fail(path + ("headroom",), f"is a fraction of the need (0.1 = 10%), not {headroom}")
            w = Workload(
                id=wid, name=t.get("name", "str", wid), description=t.get("description", "str", ""),
                weights=tuple(weights.items()), aliases=tuple(t.get("aliases", "strlist", []) or ()),
                headroom=float(headroom or 0), min_nvenc=t.get("min_nvenc", "int", 0, nonneg=True) or 0,
                needs_av1=bool(t.get("needs_av1", "bool", False)),
                guidance=tuple(t.get("guidance", "strlist", []) or ()),
                pow2_counts=bool(t.get("pow2_counts", "bool", False)), file=f.name,
            )
            if len(f.problems) == before:
                out[wid] = w
    return out


def build_models(files) -> dict[str, dict[str, Any]]:
    """Model records, validated for types; the estimator interprets them."""
    from gpuadvisor.catalog import _Table, _valid_id

    out: dict[str, dict[str, Any]] = {}
    for f in files:
        section = f.data.get("model", {})
        if not isinstance(section, dict):
            f.fail(("model",), "must be a table of [model.<id>] tables")
            continue
        for mid, raw in section.items():
            path = ("model", mid)
            t = _Table(f, path, raw, _MODEL_KEYS)
            if not t.ok or not _valid_id(f, path, mid):
                continue
            before = len(f.problems)
            rec = {"id": mid, "file": f.name, "name": t.get("name", "str", mid),
                   "kind": t.get("kind", "str", "llm", choices=("llm", "diffusion", "video", "audio", "embedding")),
                   "family": t.get("family", "str", ""), "aliases": t.get("aliases", "strlist", []),
                   "notes": t.get("notes", "strlist", []), "sources": t.get("sources", "strlist"),
                   "params_b": t.get("params_b", "num", positive=True),
                   "active_params_b": t.get("active_params_b", "num", None, positive=True),
                   "dtype": t.get("dtype", "str", "bf16")}
            for k in ("layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "context"):
                rec[k] = t.get(k, "int", None, positive=True)
            rec["vram_gb"] = t.get("vram_gb", "num", None, positive=True)
            if rec["kind"] == "llm":
                for k in ("layers", "kv_heads", "head_dim", "context"):
                    if rec[k] is None:
                        f.fail(path, f"an LLM needs {k!r} to size its KV cache")
            if len(f.problems) == before:
                out[mid] = rec
    return out
