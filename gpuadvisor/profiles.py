"""Workload profiles ([workload.<id>]) and model records ([model.<id>]) read from catalogs.

A workload profile is data, not code: which performance model measures its work (gpuadvisor.perf),
and what "fast enough" and "more than one stream can use" mean for it (catalogs/workloads.toml).
"""

from __future__ import annotations

from dataclasses import dataclass

_WORKLOAD_KEYS = ("name", "description", "aliases", "throughput", "floor", "floor_fraction", "ceiling", "ceiling_gpu",
                  "single_gpu", "pow2_counts", "headroom", "host_vcpus", "host_memory_gb", "bytes_per_param", "mode", "codec", "min_nvenc",
                  "needs_av1", "guidance", "weights")
_MODEL_KEYS = ("name", "family", "kind", "params_b", "active_params_b", "layers", "hidden_size",
               "attention_heads", "kv_heads", "head_dim", "context", "vram_gb", "dtype", "aliases",
               "notes", "sources", "sliding_window", "full_attention_layers", "kv_elements_per_token_layer",
               "vocab_size", "tie_word_embeddings", "encoder_params_b", "experts", "experts_per_token")
MODEL_KINDS = ("llm", "diffusion", "video", "audio", "embedding")
WEIGHT_DTYPES = ("fp32", "fp16", "bf16", "fp8", "int8", "int4", "nf4", "awq", "gptq", "fp4", "int3", "int2")
TRAINING_MODES = ("full", "lora", "qlora")
CODECS = ("h264", "hevc", "av1")


@dataclass(frozen=True, eq=False)
class Workload:
    """A recommend profile (see catalogs/workloads.toml for what each field means)."""

    id: str
    name: str
    description: str
    throughput: str = "general"  # the performance model (gpuadvisor.perf.MODELS)
    aliases: tuple[str, ...] = ()
    floor: float | None = None  # least throughput per stream that is not too slow
    floor_fraction: float | None = None  # … or relative to the fastest fitting option
    ceiling: float | None = None  # most throughput one stream can use
    ceiling_gpu: str | None = None  # … or the throughput of this GPU
    single_gpu: bool = False
    pow2_counts: bool = False  # multi-GPU counts of 2, 4, 8 (tensor parallelism splits evenly)
    headroom: float = 0.10
    host_vcpus: float = 4.0  # the host a worker of this workload asks for, priced where CPU and RAM are billed apart
    host_memory_gb: float = 16.0
    bytes_per_param: float = 2.0
    mode: str = "inference"
    codec: str = "h264"
    min_nvenc: int = 0
    needs_av1: bool = False
    guidance: tuple[str, ...] = ()
    legacy_weights: bool = False  # the file still has 0.1's `weights`, which ranking no longer reads
    file: str = ""
    origin: str = ""  # the extra catalog file this profile comes from; "" = built in

    def tips(self, providers: dict[str, str], ranked: set[str], need_gib: float) -> tuple[str, ...]:
        """The guidance that applies to this ranking. A tip that starts with a provider's name or id
        ("Modal: …") is said only when that provider is among the ranked options; a tip whose memory
        sizes ("24 GB") are all below what the job needs is not said (it would contradict the sizing).
        `providers` maps each provider's id and lower-cased name to its id."""
        import re

        out = []
        for tip in self.guidance:
            head = tip.split(":", 1)[0].strip().lower() if ":" in tip else ""
            if head in providers and providers[head] not in ranked:
                continue
            sizes = [float(x) for x in re.findall(r"\b(\d+(?:\.\d+)?) ?GB\b", tip)]
            if sizes and max(sizes) < need_gib:
                continue
            out.append(tip)
        return tuple(out)

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description, "throughput": self.throughput,
                "aliases": list(self.aliases), "floor": self.floor, "floor_fraction": self.floor_fraction,
                "ceiling": self.ceiling, "ceiling_gpu": self.ceiling_gpu, "single_gpu": self.single_gpu,
                "pow2_counts": self.pow2_counts, "headroom": self.headroom, "codec": self.codec,
                "host": {"vcpus": self.host_vcpus, "memory_gb": self.host_memory_gb},
                "min_nvenc": self.min_nvenc, "needs_av1": self.needs_av1, "guidance": list(self.guidance),
                **({"from": self.origin} if self.origin else {})}


def build_workloads(files, overrides=None) -> dict[str, Workload]:
    """Workload profiles; a later file's id replaces an earlier one (noted in `overrides`)."""
    from gpuadvisor.catalog.schema import id_tables  # not at import time: catalog.build imports this module
    from gpuadvisor.perf import MODELS as THROUGHPUT_MODELS  # only to check a file: start-up skips the model

    out: dict[str, Workload] = {}
    for f in files:
        for wid, path, t in id_tables(f, "workload", _WORKLOAD_KEYS):
            before = len(f.problems)
            headroom = t.get("headroom", "num", 0.10, nonneg=True)
            if headroom is not None and headroom >= 1:
                f.fail(path + ("headroom",), f"is a fraction of the need (0.1 = 10%), not {headroom}")
            fraction = t.get("floor_fraction", "num", None, positive=True)
            if fraction is not None and fraction >= 1:
                f.fail(path + ("floor_fraction",), f"is a fraction of the fastest option (0.1 = 10%), not {fraction}")
            floor, ceiling = t.get("floor", "num", None, positive=True), t.get("ceiling", "num", None, positive=True)
            if floor is not None and ceiling is not None and ceiling < floor:
                f.fail(path + ("ceiling",), f"must be at least the floor ({floor:g}), not {ceiling:g}")
            w = Workload(
                id=wid, name=t.get("name", "str", wid), description=t.get("description", "str", ""),
                throughput=t.get("throughput", "str", "general", choices=THROUGHPUT_MODELS),
                aliases=tuple(t.get("aliases", "strlist", []) or ()), floor=floor, floor_fraction=fraction,
                ceiling=ceiling, ceiling_gpu=t.get("ceiling_gpu", "str", None),
                single_gpu=bool(t.get("single_gpu", "bool", False)), pow2_counts=bool(t.get("pow2_counts", "bool", False)),
                headroom=float(headroom or 0),
                host_vcpus=float(t.get("host_vcpus", "num", 4.0, positive=True) or 4.0),
                host_memory_gb=float(t.get("host_memory_gb", "num", 16.0, positive=True) or 16.0),
                bytes_per_param=float(t.get("bytes_per_param", "num", 2.0, positive=True) or 2.0),
                mode=t.get("mode", "str", "inference", choices=("inference", *TRAINING_MODES)),
                codec=t.get("codec", "str", "h264", choices=CODECS),
                min_nvenc=t.get("min_nvenc", "int", 0, nonneg=True) or 0,
                needs_av1=bool(t.get("needs_av1", "bool", False)),
                guidance=tuple(t.get("guidance", "strlist", []) or ()),
                legacy_weights="weights" in t.data, file=f.name, origin="" if f.builtin else f.name,
            )
            if len(f.problems) == before:
                _replace(out, wid, w, f, "workload", overrides)
    return out


@dataclass(frozen=True, eq=False)
class Model:
    """A model's architecture facts. params in billions; context in tokens; vram_gb only for
    diffusion/video models (their documented peak at `dtype`)."""

    id: str
    name: str
    kind: str
    params_b: float
    sources: tuple[str, ...]
    family: str = ""
    active_params_b: float | None = None
    layers: int | None = None
    hidden_size: int | None = None
    attention_heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    context: int | None = None
    sliding_window: int | None = None
    full_attention_layers: int | None = None
    kv_elements_per_token_layer: int | None = None
    vocab_size: int | None = None
    tie_word_embeddings: bool = False
    encoder_params_b: float | None = None
    experts: int | None = None  # MoE: routed experts per layer, and how many each token uses
    experts_per_token: int | None = None
    vram_gb: float | None = None
    dtype: str = "bf16"
    aliases: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    file: str = ""
    origin: str = ""  # the extra catalog file this record comes from; "" = built in

    @property
    def is_moe(self) -> bool:
        return self.active_params_b is not None and self.active_params_b < self.params_b

    def to_json(self) -> dict:
        from dataclasses import fields

        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("file", "origin")}
        out["aliases"], out["notes"], out["sources"] = list(self.aliases), list(self.notes), list(self.sources)
        if self.origin:
            out["from"] = self.origin
        return out


def build_models(files, overrides=None) -> dict[str, Model]:
    """Model records, validated for types and for what the estimator needs; a later file's id
    replaces an earlier one (noted in `overrides`)."""
    from gpuadvisor.catalog.schema import id_tables  # not at import time: catalog.build imports this module

    out: dict[str, Model] = {}
    for f in files:
        for mid, path, t in id_tables(f, "model", _MODEL_KEYS):
            before = len(f.problems)
            kind = t.get("kind", "str", "llm", choices=MODEL_KINDS)
            ints = {k: t.get(k, "int", None, positive=True) for k in (
                "layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "context", "sliding_window",
                "full_attention_layers", "kv_elements_per_token_layer", "vocab_size", "experts", "experts_per_token")}
            vals = dict(
                name=t.get("name", "str", mid), kind=kind, params_b=t.get("params_b", "num", positive=True),
                sources=tuple(t.get("sources", "strlist") or ()), family=t.get("family", "str", ""),
                active_params_b=t.get("active_params_b", "num", None, positive=True),
                vram_gb=t.get("vram_gb", "num", None, positive=True),
                encoder_params_b=t.get("encoder_params_b", "num", None, nonneg=True),
                tie_word_embeddings=bool(t.get("tie_word_embeddings", "bool", False)),
                dtype=t.get("dtype", "str", "bf16", choices=WEIGHT_DTYPES),
                aliases=tuple(t.get("aliases", "strlist", []) or ()), notes=tuple(t.get("notes", "strlist", []) or ()),
                **ints,
            )
            if "sources" in t.data and not vals["sources"]:
                f.fail(path + ("sources",), "must list at least one source")
            if kind == "llm":
                needed = ["layers", "context"] + ([] if ints["kv_elements_per_token_layer"] else ["kv_heads", "head_dim"])
                for k in needed:
                    if ints[k] is None and k not in t.data:
                        f.fail(path, f"an LLM needs {k!r} to size its KV cache")
                if (ints["sliding_window"] is None) != (ints["full_attention_layers"] is None):
                    f.fail(path, "sliding_window and full_attention_layers go together")
                if ints["full_attention_layers"] and ints["layers"] and ints["full_attention_layers"] > ints["layers"]:
                    f.fail(path + ("full_attention_layers",), "cannot exceed layers")
            elif vals["vram_gb"] is None and "vram_gb" not in t.data:
                f.fail(path, f"a {kind} model needs vram_gb: its documented memory need")
            if (ints["experts"] is None) != (ints["experts_per_token"] is None):
                f.fail(path, "experts and experts_per_token go together")
            elif ints["experts"] and ints["experts_per_token"] > ints["experts"]:
                f.fail(path + ("experts_per_token",), f"cannot exceed experts ({ints['experts']})")
            active, total = vals["active_params_b"], vals["params_b"]
            if active and total and active > total:
                f.fail(path + ("active_params_b",), f"cannot exceed params_b ({total})")
            if len(f.problems) == before:
                _replace(out, mid, Model(id=mid, file=f.name, origin="" if f.builtin else f.name, **vals), f,
                         "model", overrides)
    return out


def _replace(out: dict, ident: str, record, file, kind: str, overrides) -> None:
    before = out.get(ident)
    if before is not None and overrides is not None:
        overrides.replaced(kind, ident, None, file, not before.origin, before.file)
    out[ident] = record
