"""`gpuadvisor speed MODEL GPU[:N]`: how fast one model runs on one configuration, straight from the
performance model. Pure functions: a Catalog and a SpeedQuery in, a SpeedResult out.

The batch defaults to the most sequences that fit in memory at the request's length (an engine
allocates KV cache per token in use), capped at the engine's default scheduling limit; it is said.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from gpuadvisor.catalog import Catalog
from gpuadvisor.errors import NoMatch, UnknownName, UsageError
from gpuadvisor.models import Gpu, Offering
from gpuadvisor.perf import Job, Throughput, link, throughput
from gpuadvisor.perf.job import DEFAULT_TOKENS, job_from_estimate

CONTEXT_PER_GPU_GIB = 0.5  # each GPU beyond the first holds its own CUDA context and buffers
MAX_COUNT = 64


@dataclass(frozen=True)
class SpeedQuery:
    model: str
    gpu: str  # NAME or NAME:N
    batch: int | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    dtype: str | None = None
    kv_dtype: str | None = None
    context: int | None = None
    mode: str = "inference"
    steps: int | None = None
    resolution: int | None = None
    engine: str | None = None
    replicas: bool = True  # consider independent replicas where the model fits on fewer GPUs


@dataclass
class SpeedResult:
    query: SpeedQuery
    est: Any  # the Estimate at the batch timed (gpuadvisor.estimate, not imported for a type)
    gpu: Gpu
    offering: Offering | None
    count: int
    job: Job
    thr: Throughput
    max_batch: int | None
    assumptions: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.job.model

    def figures(self) -> dict:
        """The headline numbers in the units people use for this kind of work."""
        t = self.thr
        if self.kind == "llm":
            return {"throughput": (t.value, "output tokens/s"), "per_stream": (t.per_stream or 0.0, "tokens/s"),
                    "ttft_s": t.get("time to first token"), "tpot_ms": (t.get("time per output token") or 0) * 1e3,
                    "request_s": t.get("request")}
        if self.kind in ("diffusion", "video"):
            per = t.get("seconds per image") or 0.0
            if self.kind == "video":
                return {"throughput": (t.value / 3600, "video-s/s"), "per_stream": (per, "s/video"), "request_s": per}
            return {"throughput": (t.value / 3600, "images/s"), "per_stream": (per, "s/image"), "request_s": per}
        if self.kind == "audio":
            window = t.get("seconds per 30 s window")
            return {"throughput": (t.value, t.unit), "per_stream": (window or 0.0, "s per 30 s of audio"),
                    "request_s": window}
        return {"throughput": (t.value, t.unit), "per_stream": (t.value / max(1, self.count), f"{t.unit} per GPU"),
                "step_s": t.get("step time")}

    def to_json(self) -> dict:
        f = self.figures()
        value, unit = f["throughput"]
        per, per_unit = f["per_stream"]
        return {
            "model": self.est.model.id if self.est.model else self.est.name, "model_name": self.est.name,
            "gpu": self.gpu.id, "gpu_name": self.gpu.name, "count": self.count,
            "offering": None if self.offering is None else {"provider": self.offering.provider, "name": self.offering.name},
            "kind": self.kind, "batch": self.job.batch, "max_batch": self.max_batch,
            "throughput": {"value": round(value, 4), "unit": unit},
            "per_stream": {"value": round(per, 4), "unit": per_unit},
            "ttft_s": _r(f.get("ttft_s")), "tpot_ms": _r(f.get("tpot_ms")), "request_s": _r(f.get("request_s")),
            "step_s": _r(f.get("step_s")),
            "bound": contract_bound(self.thr.bound), "bound_detail": self.thr.bound,
            **({"s_per_image": _r(per)} if self.kind in ("diffusion", "video") else {}),
            "formula": self.thr.formula,
            "inputs": {"dtype": self.job.dtype, "kv_dtype": getattr(self.est, "kv_dtype", None),
                       "tokens_in": self.job.tokens_in or None, "tokens_out": self.job.tokens_out or None,
                       "context": self.job.context or None, "mode": self.job.mode,
                       "steps": self.job.steps or None, "engine": self.job.engine or None,
                       "split": link(self.gpu, self.count) if self.count > 1 else "single",
                       **{k: v for k, v in self.thr.inputs if k != "assumed" and k != "note"}},
            "assumptions": list(self.assumptions) + [v for k, v in self.thr.inputs if k in ("assumed", "note")],
        }


def contract_bound(detail: str) -> str:
    """The contract's three bounds: memory, compute or interconnect (prefill is compute; a per-layer
    launch cost is latency a faster memory does not remove either, reported with memory)."""
    if detail.startswith("compute"):
        return "compute"
    return "interconnect" if detail == "interconnect" else "memory"


def _r(x):
    return None if x is None or not math.isfinite(x) else round(x, 4)


def parse_gpu(cat: Catalog, text: str) -> tuple[Gpu, Offering | None, int]:
    """`h100-sxm:2`, `A100:4`, `GPU-H100`, `"H100 SXM"`: a GPU by any name, and a count (default 1)."""
    name, count = text.strip(), 1
    if ":" in name:
        head, _, tail = name.rpartition(":")
        if tail.strip().isdigit():
            name, count = head, int(tail)
        else:
            raise UsageError(f"{text!r}: the GPU count after ':' must be a whole number (e.g. h100-sxm:2)")
    if not 1 <= count <= MAX_COUNT:
        raise UsageError(f"{text!r}: the GPU count must be between 1 and {MAX_COUNT}, not {count}")
    hw, off = cat.resolve(name)
    return hw, off, count


def speed(cat: Catalog, q: SpeedQuery) -> SpeedResult:
    from gpuadvisor.estimate import estimate

    hw, off, count = parse_gpu(cat, q.gpu)
    for opt, v, low, high in (("--batch", q.batch, 1, 100_000), ("--tokens-in", q.tokens_in, 0, 10_000_000),
                              ("--tokens-out", q.tokens_out, 1, 10_000_000), ("--steps", q.steps, 1, 1000),
                              ("--resolution", q.resolution, 64, 8192)):
        if v is not None and not low <= v <= high:
            raise UsageError(f"{opt} must be between {low:,} and {high:,}, not {v:,}")
    engine = None
    if q.engine is not None:
        engine = q.engine.strip().lower()
        if engine not in dict(cat.perf.engines):
            raise UnknownName("engine (--engine)", q.engine, list(dict(cat.perf.engines)))
    probe = estimate(cat, model=q.model, dtype=q.dtype, kv_dtype=q.kv_dtype, context=q.context, batch=1, mode=q.mode)
    assumptions: list[str] = []
    usable = hw.usable * count - CONTEXT_PER_GPU_GIB * (count - 1)
    if probe.kind != "llm" or q.mode != "inference":
        return _other(cat, q, probe, hw, off, count, usable, engine)
    for opt, v in (("--steps", q.steps), ("--resolution", q.resolution)):
        if v is not None:
            raise UsageError(f"{opt} applies to image and video models, not {probe.name}")
    tin = q.tokens_in if q.tokens_in is not None else DEFAULT_TOKENS[0]
    tout = q.tokens_out if q.tokens_out is not None else DEFAULT_TOKENS[1]
    if q.tokens_in is None or q.tokens_out is None:
        assumptions.append(f"requests of {tin:,} prompt and {tout:,} generated tokens (set --tokens-in/--tokens-out)")
    context = q.context or tin + tout
    if context < tin + tout:
        raise UsageError(f"--context {context:,} is shorter than a request ({tin:,} + {tout:,} tokens)")
    one = estimate(cat, model=q.model, dtype=q.dtype, kv_dtype=q.kv_dtype, context=context, batch=1)
    if one.total_gb > usable:
        raise NoMatch(f"{one.name} ({one.dtype}) needs {one.total_gb:,.1f} GiB at batch 1; {count} × {hw.name} has "
                      f"{usable:,.1f} GiB usable — more GPUs ({hw.id}:{_more(one.total_gb, hw)}) or a smaller --dtype")
    two = estimate(cat, model=q.model, dtype=q.dtype, kv_dtype=q.kv_dtype, context=context, batch=2)
    per_seq = max(two.total_gb - one.total_gb, 1e-9)
    eng = cat.perf.engine(engine)
    max_batch = min(eng.max_batch, int((usable - one.total_gb) // per_seq) + 1)
    batch = q.batch if q.batch is not None else max_batch
    if q.batch is None:
        assumptions.append(f"batch {batch:,}: the most sequences of {context:,} tokens that fit in {usable:,.1f} GiB"
                           + (f" ({eng.name}'s default limit)" if batch == eng.max_batch else "") + " (set --batch)")
    elif batch > max_batch and batch > 1:
        need = one.total_gb + per_seq * (batch - 1)
        raise UsageError(f"--batch {batch:,} needs {need:,.1f} GiB at {context:,} tokens each; {count} × {hw.id} has "
                         f"{usable:,.1f} GiB usable (at most {max_batch:,} fit)")
    est = estimate(cat, model=q.model, dtype=q.dtype, kv_dtype=q.kv_dtype, context=context, batch=batch)
    assumptions.append(f"{eng.name} as the serving engine (set --engine)" if engine is None else f"{eng.name} engine")
    job = job_from_estimate(cat.perf, est, cat.workloads.get("llm"), (tin, tout), engine or "")
    thr = throughput(cat.perf, job, hw, count)
    fit = (one.total_gb, per_seq, eng.max_batch) if q.batch is None else None
    best = replicas(cat, q, hw, count, batch, context, job, thr, fit) if q.replicas else None
    if best is not None:
        job, thr, note = best
        assumptions.append(note)
        if q.batch is None:
            max_batch = job.batch
    return SpeedResult(q, est, hw, off, count, job, thr, max_batch, assumptions + list(est.warnings))


def replicas(cat: Catalog, q: SpeedQuery, hw: Gpu, count: int, batch: int, context: int, job: Job, thr: Throughput,
             fit: tuple[float, float, int] | None = None):
    """Where the model fits on fewer GPUs than given, r independent replicas of count/r GPUs each pay
    no all-reduce between them: the faster plan, or None. A given --batch is shared among the
    replicas; the default batch is each replica's own most that fit (`fit`: GiB at batch 1, GiB per
    more sequence, the engine's limit)."""
    from dataclasses import replace

    from gpuadvisor.estimate import estimate

    best = None
    r = 2
    while r <= count and (fit is not None or r <= batch):
        if count % r == 0:
            g = count // r
            if fit is not None:
                room = hw.usable * g - CONTEXT_PER_GPU_GIB * (g - 1) - fit[0]
                share = min(fit[2], int(room // fit[1]) + 1) if room >= 0 else 0
                if share < 1:
                    r *= 2
                    continue
            else:
                share = -(-batch // r)
            est = estimate(cat, model=q.model, dtype=q.dtype, kv_dtype=q.kv_dtype, context=context, batch=share)
            if est.total_gb <= hw.usable * g - CONTEXT_PER_GPU_GIB * (g - 1):
                one = throughput(cat.perf, replace(job, batch=share), hw, g)
                total = one.value * r
                if total > (best[1].value if best else thr.value) * 1.02:
                    plan = replace(one, value=total, per_hour=one.per_hour * r,
                                   formula=f"{r} replicas × ({one.formula})")
                    best = (replace(job, batch=share * r), replace(plan, per_stream=one.per_stream),
                            f"{r} replicas of {g} GPU{'s' if g > 1 else ''}, {share:,} sequences each: the model fits on "
                            f"{g}, and independent replicas pay no all-reduce between them")
        r *= 2
    return best


def _more(need: float, hw: Gpu) -> int:
    n = math.ceil(need / max(hw.usable, 1e-9))
    return 1 << (n - 1).bit_length()


def _other(cat: Catalog, q: SpeedQuery, probe, hw: Gpu, off, count: int, usable: float, engine) -> SpeedResult:
    """Training and fine-tuning (tokens/s, step time) and image or video generation (s per image)."""
    from gpuadvisor.estimate import estimate

    for opt, v in (("--tokens-in", q.tokens_in), ("--tokens-out", q.tokens_out),
                   ("--engine", engine if probe.kind == "llm" else None)):
        if v is not None:
            raise UsageError(f"{opt} applies to LLM serving, not {'training' if probe.kind == 'llm' else probe.name}")
    if probe.kind == "llm" and (q.steps is not None or q.resolution is not None):
        raise UsageError("--steps and --resolution apply to image and video models")
    batch = q.batch or 1
    est = estimate(cat, model=q.model, dtype=q.dtype, kv_dtype=q.kv_dtype, context=q.context, batch=batch, mode=q.mode)
    per_gpu, how = per_gpu_need(est, count)
    if per_gpu > hw.usable:
        raise NoMatch(f"{est.name} needs {per_gpu:,.1f} GiB per GPU at batch {batch} ({how}); {hw.name} has "
                      f"{hw.usable:,.1f} GiB usable")
    assumptions = [f"batch {batch} per GPU" + (" (set --batch)" if q.batch is None else "")] + ([how] if count > 1 else [])
    if probe.kind != "llm" and count > 1:
        assumptions.append(f"{count} GPUs run {count} pipelines side by side")
    workload = {"video": "video", "audio": "audio", "embedding": "embedding"}.get(probe.kind, "image")
    job = job_from_estimate(cat.perf, est, cat.workloads.get(workload), steps=q.steps or 0, resolution=q.resolution or 0)
    if engine and probe.kind != "llm":
        from dataclasses import replace

        job = replace(job, engine=engine)
    if probe.kind != "llm" and job.model not in ("diffusion", "video", "audio", "encoder"):
        raise UsageError(f"{est.name} has no performance model for its kind ({probe.kind})")
    thr = throughput(cat.perf, job, hw, count)
    return SpeedResult(q, est, hw, off, count, job, thr, None, assumptions + list(est.warnings))


SHARDED = ("weights", "gradients", "optimizer states")


def per_gpu_need(est, count: int) -> tuple[float, str]:
    """GiB each GPU holds. Full training over several GPUs shards weights, gradients and optimizer
    states (FSDP / ZeRO-3) and gathers about two layers' weights at a time; every other job keeps a
    whole copy per GPU (data parallel adapters, one diffusion pipeline per GPU)."""
    if est.kind != "llm" or est.mode != "full" or count <= 1:
        return est.total_gb, "each GPU holds a whole copy" if count > 1 else "one GPU"
    states = sum(ln.gb for ln in est.lines if ln.name in SHARDED)
    rest = est.total_gb - states
    gather = 2 * 2 * est.params_b * 1e9 / max(1, est.layers or 32) / 2**30  # two layers of bf16 weights
    need = states / count + gather + rest + CONTEXT_PER_GPU_GIB
    return need, (f"weights, gradients and optimizer states sharded over {count} GPUs (FSDP/ZeRO-3): "
                  f"{states:,.1f} ÷ {count} + {gather:,.1f} GiB gather buffers + {rest:,.1f} GiB activations and overhead")
