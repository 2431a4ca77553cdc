"""The job a performance model times: built from a model's estimate (its real weights, KV cache,
experts and lengths) or from a memory need alone (then `assumed` says how)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuadvisor.perf.constants import Perf

GIB = float(2**30)

DEFAULT_TOKENS = (1024, 256)  # a request when --tokens-in/--tokens-out are not given (chat / RAG-like)


@dataclass(frozen=True)
class Job:
    """The work to size. LLM requests: `tokens_in` prompt tokens and `tokens_out` generated tokens
    per sequence, `batch` sequences in flight; with tokens_out = 0 only decode at `context` is timed."""

    model: str  # one of MODELS
    need_gib: float
    params_b: float = 0.0  # parameters computed per token / step (MoE: active)
    read_bytes: float = 0.0  # llm: weight bytes one decode step of one sequence reads (MoE: active experts)
    kv_bytes_per_seq: float = 0.0  # at `context` tokens
    batch: int = 1
    context: int = 0
    layers: int = 32
    hidden: int = 4096
    mode: str = "inference"  # training: full | lora | qlora
    family: str | None = None  # diffusion / video family id
    work_scale: float = 1.0  # diffusion: work per step ÷ the family's documented work (size, resolution)
    codec: str = "h264"
    assumed: tuple[str, ...] = ()
    dtype: str = "bf16"  # weights (and, for fp8/fp4, the matmuls)
    weight_bytes: float = 0.0  # every weight held (MoE: all experts); 0 = read_bytes
    experts: int = 0  # MoE: routed experts per layer, and how many a token uses
    experts_per_token: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    engine: str = ""  # serving engine profile ("" = the catalog's default)
    steps: int = 0  # diffusion: denoising steps (0 = the family's default)

    @property
    def held_bytes(self) -> float:
        return self.weight_bytes or self.read_bytes

    @property
    def kv_bytes_per_token(self) -> float:
        return self.kv_bytes_per_seq / self.context if self.context else 0.0

    @property
    def is_moe(self) -> bool:
        return self.experts > 0 and 0 < self.experts_per_token < self.experts and self.held_bytes > self.read_bytes

    def weights_read(self, sequences: float) -> float:
        """Weight bytes one decode step reads for `sequences` tokens at once. Dense: all of them. MoE:
        the shared part plus each routed expert that at least one token picks, 1 − (1 − k/E)^b of them."""
        if not self.is_moe:
            return self.read_bytes
        share = self.experts_per_token / self.experts
        experts_all = (self.held_bytes - self.read_bytes) / (1 - share)
        shared = self.read_bytes - share * experts_all
        touched = 1 - (1 - share) ** max(1.0, sequences)
        return shared + experts_all * touched


def job_from_vram(perf: Perf, need: float, w, codec: str | None = None, tokens: tuple[int, int] = (0, 0)) -> Job:
    """A job known only by its memory need: weights ≈ need ÷ (1 + headroom) (said in --explain)."""
    weights_gib = need / (1 + w.headroom)
    params_b = weights_gib * GIB / w.bytes_per_param / 1e9
    assumed = (f"weights ≈ {need:,.1f} GiB ÷ (1 + {w.headroom:g} headroom) = {weights_gib:,.1f} GiB, "
               f"{params_b:,.1f}B params at {w.bytes_per_param:g} bytes each",)
    if w.throughput in ("diffusion", "video"):
        fams = [f for f in perf.diffusion if bool(f.unit_seconds) == (w.throughput == "video") and f.documented_gib]
        fam = min(fams, key=lambda f: abs(math.log(need / f.documented_gib)), default=None) if fams else generic_family(perf, need)
        if fam is None:
            return Job("general", need, params_b, assumed=assumed)
        scale = need / fam.documented_gib
        return Job(w.throughput, need, params_b, family=fam.id, work_scale=scale,
                   assumed=(f"a {need:,.1f} GiB job sized like {fam.name or fam.id} (documented at {fam.documented_gib:g} GiB): "
                            f"its work per step × {scale:.2f}",))
    if w.throughput == "llm":
        return Job("llm", need, params_b, read_bytes=weights_gib * GIB, tokens_in=tokens[0], tokens_out=tokens[1],
                   assumed=assumed + ("no KV cache: batch 1",))
    if w.throughput == "training":
        return Job("training", need, params_b, mode=w.mode if w.mode != "inference" else "full", context=4096,
                   assumed=assumed + ("4,096 tokens per step",))
    if w.throughput == "audio":
        fam = next((a for a in perf.audio), None)
        if fam is not None:
            return Job("audio", need, params_b, family=fam.id,
                       assumed=(f"a {need:,.1f} GiB speech model timed like {fam.id}",))
    if w.throughput == "transcode":
        return Job("transcode", need, codec=codec or w.codec, assumed=(f"codec {codec or w.codec}",))
    return Job(w.throughput, need, params_b, assumed=assumed)


def generic_family(perf: Perf, need_gib: float):
    """The calibrated family whose documented memory need is nearest (log scale) to a --vram need."""
    fams = [f for f in perf.diffusion if f.documented_gib and not f.unit_seconds]
    if not fams or need_gib <= 0:
        return None
    return min(fams, key=lambda f: abs(math.log(need_gib / f.documented_gib)))


def job_from_estimate(perf: Perf, est, w=None, tokens: tuple[int, int] = (0, 0), engine: str = "",
                      steps: int = 0, resolution: int = 0) -> Job:
    """A job from `estimate`: the model's real weights (all experts held, the active ones read per
    token), KV cache, layers, mode and dtype; LLM request lengths; diffusion steps and resolution."""
    if est.kind == "llm" and est.mode == "inference":
        m = est.model
        held = est.lines[0].gb * GIB if est.lines else est.active_weight_bytes
        return Job("llm", est.total_gb, est.active_params_b, read_bytes=est.active_weight_bytes,
                   kv_bytes_per_seq=est.kv_bytes_per_sequence, batch=est.batch, context=est.context,
                   layers=est.layers or 32, hidden=est.hidden_size or 4096, dtype=est.dtype, weight_bytes=held,
                   experts=getattr(m, "experts", None) or 0, experts_per_token=getattr(m, "experts_per_token", None) or 0,
                   tokens_in=tokens[0], tokens_out=tokens[1], engine=engine)
    if est.kind == "llm":
        return Job("training", est.total_gb, est.active_params_b, batch=est.batch, context=est.context,
                   layers=est.layers or 32, hidden=est.hidden_size or 4096, mode=est.mode, dtype=est.dtype)
    if est.kind == "embedding":
        return Job("encoder", est.total_gb, est.params_b, batch=est.batch, dtype=est.dtype)
    if est.kind == "audio" and est.model is not None and perf.audio_model(est.model.id):
        return Job("audio", est.total_gb, est.params_b, batch=est.batch, family=est.model.id, dtype=est.dtype)
    fam = perf.family(est.model.id if est.model else None)
    if fam is None:
        return job_from_vram(perf, est.total_gb, w)
    notes: list[str] = []
    scale = 1.0
    if resolution and resolution != fam.resolution:
        scale = (resolution / fam.resolution) ** 2
        notes.append(f"{resolution}×{resolution}: the work per step × {scale:.2f} (the pixel count; attention grows "
                     "faster at high resolution, so large images are understated)")
    return Job("video" if fam.unit_seconds else "diffusion", est.total_gb, est.params_b, batch=est.batch,
               family=fam.id, work_scale=scale, assumed=tuple(notes), dtype=est.dtype, steps=steps,
               read_bytes=est.read_bytes_per_token)


def job_for(perf: Perf, w, est, need: float, codec: str | None = None, tokens: tuple[int, int] = (0, 0),
            engine: str = "") -> Job:
    """The job to time: the model's own figures when the estimate is the kind of work the profile
    measures, else the profile's assumptions from the memory need alone."""
    if est is not None:
        kind = "llm" if est.kind == "llm" and est.mode == "inference" else "training" if est.kind == "llm" else est.kind
        fits = {"llm": ("llm",), "training": ("training",), "diffusion": ("diffusion",), "video": ("video",),
                "audio": ("audio",), "embedding": ("encoder",)}
        if w.throughput in fits.get(kind, ()):
            return job_from_estimate(perf, est, w, tokens, engine)
    return job_from_vram(perf, need, w, codec, tokens)
