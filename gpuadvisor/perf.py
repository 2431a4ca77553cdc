"""Performance model: how much work a configuration (offering × count) does, in the workload's own
unit, with the formula and inputs that produced the number.

Pure functions; no CLI. The constants are sourced data in catalogs/perf.toml (`Perf`).

Every estimate has one shape: time per unit of work = work ÷ (peak × efficiency) + a fixed part
that a faster GPU does not shrink (kernel launches, synchronisation, memory-bound glue). The fixed
part is why a small job cannot use a huge GPU fully: its speed saturates instead of growing with
the datasheet, and a cheaper card does the same job for less. The models:

  llm        decode tokens/s at --batch: a step reads the active weights and every sequence's KV
             cache (memory-bound) or does 2 × active params FLOPs per token (compute-bound at large
             batches), whichever is slower, plus a per-layer step overhead. Also prefill tokens/s
             and time to first token at --context (compute-bound).
  training   tokens/s = achievable TFLOPS ÷ (FLOPs per parameter per token × params), plus a
             per-layer step overhead: 6 FLOPs/param for full training, 4 for LoRA (no weight
             gradients for frozen weights), and QLoRA's dequantisation as a slowdown.
  diffusion  images/h = 3600 ÷ (steps × (TFLOP per step ÷ achievable TFLOPS + fixed part)),
             fitted per model family to published timings; one pipeline per GPU.
  video      generated video seconds per hour, the same way (a diffusion transformer).
  transcode  concurrent real-time 1080p streams from NVENC × NVDEC engine rates per generation.
  encoder    (embeddings, audio) tokens/s of a compute-bound forward pass: TFLOPS ÷ (2 × params).
  general    a relative speed: √(compute × bandwidth) against an L4.
Multi-GPU configurations scale as n ** exponent, the exponent set by the interconnect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuadvisor.models import Gpu

MODELS = ("llm", "training", "diffusion", "video", "transcode", "encoder", "general")


@dataclass(frozen=True, eq=False)
class NvCodec:
    """Frames per second one NVENC (or NVDEC) engine of an architecture sustains at 1080p, per codec."""

    encode_fps: tuple[tuple[str, float], ...] = ()
    decode_fps: tuple[tuple[str, float], ...] = ()
    source: str = ""

    def encode(self, codec: str) -> float:
        return dict(self.encode_fps).get(codec, 0.0)

    def decode(self, codec: str) -> float:
        return dict(self.decode_fps).get(codec, 0.0)


@dataclass(frozen=True, eq=False)
class DiffusionFamily:
    """One diffusion model family: work per denoising step at its default resolution (batch 1)."""

    id: str
    tflop_per_step: float
    fixed_ms_per_step: float  # per-step time a faster GPU does not shrink
    steps: int  # default denoising steps
    unit_seconds: float = 0.0  # video: seconds of video one generation makes (0 for images)
    documented_gib: float = 0.0  # the memory need the family is documented at (sizes --vram-only jobs)
    name: str = ""
    sources: tuple[str, ...] = ()
    calibration: tuple[tuple[str, float, str], ...] = ()  # (gpu id, measured steps/s, source)


@dataclass(frozen=True, eq=False)
class Perf:
    """The performance model's constants (catalogs/perf.toml, where each is sourced)."""

    bandwidth_efficiency: tuple[tuple[str, float], ...] = (("GDDR", 0.85), ("HBM", 0.8))
    decode_overhead_us_per_layer: float = 40.0
    inference_efficiency: float = 0.5
    training_efficiency: float = 0.5
    full_flops_per_param: float = 6.0
    lora_flops_per_param: float = 4.0
    qlora_slowdown: float = 1.15
    training_overhead_ms_per_layer: float = 10.0
    scaling: tuple[tuple[str, float], ...] = (("nvlink", 0.92), ("bridge", 0.85), ("pcie", 0.75))
    transcode_fps: float = 30.0
    geforce_nvenc_sessions: int = 8
    value_tolerance: float = 0.2
    multi_gpu_premium: float = 0.25
    gemm_efficiency: tuple[tuple[str, float], ...] = ()
    diffusion: tuple[DiffusionFamily, ...] = ()
    codecs: tuple[tuple[str, NvCodec], ...] = ()
    sources: tuple[str, ...] = ()

    def family(self, fid: str | None) -> DiffusionFamily | None:
        return next((f for f in self.diffusion if f.id == fid), None)

    def codec(self, arch: str) -> NvCodec:
        return dict(self.codecs).get(arch, NvCodec())

    def gemm(self, hw: Gpu) -> float:
        table = dict(self.gemm_efficiency)
        return table.get(hw.id, table.get("default", 0.75))

    def bandwidth(self, hw: Gpu) -> float:
        table = dict(self.bandwidth_efficiency)
        return table.get("HBM" if hw.memory_type.upper().startswith("HBM") else "GDDR", 0.8)


@dataclass(frozen=True)
class Job:
    """The work to size: from a model estimate, or from --vram alone (then `assumed` says how)."""

    model: str  # one of MODELS
    need_gib: float
    params_b: float = 0.0  # parameters computed per token / step (MoE: active)
    read_bytes: float = 0.0  # llm: weight bytes one decode step reads
    kv_bytes_per_seq: float = 0.0
    batch: int = 1
    context: int = 0
    layers: int = 32
    hidden: int = 4096
    mode: str = "inference"  # training: full | lora | qlora
    family: str | None = None  # diffusion / video family id
    work_scale: float = 1.0  # --vram-only diffusion: need ÷ the family's documented need
    codec: str = "h264"
    assumed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Throughput:
    """Work per hour of one configuration, in the workload's unit, with how it was worked out."""

    value: float  # in `unit`
    unit: str  # "tokens/s", "images/h", "1080p streams", …
    per_hour: float  # units of work per hour (tokens, images, video-hours, …)
    cost_unit: str  # "$/M tokens", "$/1k images", …
    cost_scale: float  # units of work in one cost unit (1e6 tokens, 1,000 images, …)
    formula: str
    inputs: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, float, str], ...] = ()  # (name, value, unit): prefill, TTFT, 4K streams
    per_stream: float | None = None  # llm: decode tokens/s of one sequence

    def cost_per_unit(self, price_per_hour: float | None, per_hour: float | None = None) -> float | None:
        work = self.per_hour if per_hour is None else per_hour
        if price_per_hour is None or work <= 0:
            return None
        return price_per_hour / work * self.cost_scale

    def to_json(self) -> dict:
        return {"value": round(self.value, 4), "unit": self.unit}

    def explain(self) -> dict:
        return {"formula": self.formula, "inputs": dict(self.inputs),
                "extra": {n: {"value": round(v, 4), "unit": u} for n, v, u in self.extra}}


# ---------------------------------------------------------------------------- scaling

def link(hw: Gpu, count: int) -> str:
    """How `count` GPUs of this kind talk: nvlink (one domain), bridge (pairs), pcie, or single."""
    if count <= 1:
        return "single"
    if hw.nvlink_gb_s and hw.nvlink_group >= count:
        return "nvlink"
    return "bridge" if hw.nvlink_gb_s else "pcie"


def speedup(perf: Perf, hw: Gpu, count: int) -> float:
    """Effective GPUs out of `count`: count ** exponent, the exponent set by the interconnect."""
    kind = link(hw, count)
    return 1.0 if kind == "single" else count ** dict(perf.scaling).get(kind, 0.75)


def _n(x: float, digits: int = 3) -> str:
    """A number to `digits` significant figures, thousands separated."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return f"{x:,.{decimals}f}"


def _gpus(hw: Gpu, count: int, eff: float) -> str:
    return f" × {eff:.2f} effective GPUs of {count} ({link(hw, count)})" if count > 1 else ""


# ---------------------------------------------------------------------------- models

def llm_decode(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Decode tokens/s (all sequences of the batch), prefill tokens/s and time to first token."""
    eff = speedup(perf, hw, count)
    bw_eff = perf.bandwidth(hw)
    bw = hw.bandwidth_gb_s * 1e9 * bw_eff * eff
    flops = hw.fp16_tflops * 1e12 * perf.gemm(hw) * eff
    step_bytes = job.read_bytes + job.batch * job.kv_bytes_per_seq
    t_mem = step_bytes / bw
    t_compute = 2 * job.params_b * 1e9 * job.batch / flops
    t_fixed = job.layers * perf.decode_overhead_us_per_layer * 1e-6
    step = max(t_mem, t_compute) + t_fixed
    total = job.batch / step
    bound = "memory" if t_mem >= t_compute else "compute"
    formula = (f"{job.batch} sequence{'s' if job.batch > 1 else ''} ÷ (max({_n(step_bytes / 1e9)} GB read ÷ {_n(bw / 1e9)} GB/s, "
               f"{_n(2 * job.params_b * job.batch)} GFLOP ÷ {_n(flops / 1e12)} TFLOPS) + {job.layers} layers × "
               f"{perf.decode_overhead_us_per_layer:g} µs) = {_n(total)} tokens/s ({bound}-bound)")
    inputs = (("weights read per step", f"{_n(job.read_bytes / 1e9)} GB"),
              ("KV cache per sequence", f"{_n(job.kv_bytes_per_seq / 1e9)} GB at {job.context:,} tokens"),
              ("achievable bandwidth", f"{hw.bandwidth_gb_s:,.0f} GB/s × {bw_eff:g}" + _gpus(hw, count, eff)),
              ("achievable compute", f"{hw.fp16_tflops:,.0f} TFLOPS × {perf.gemm(hw):g}" + _gpus(hw, count, eff)))
    extra: tuple = ()
    if job.context:
        prefill_flops = 2 * job.params_b * 1e9 * job.context + 2 * job.layers * job.context ** 2 * job.hidden
        ttft = prefill_flops / flops
        extra = (("prefill", job.context / ttft, "tokens/s"), ("time to first token", ttft, "s"))
    return Throughput(total, "tokens/s", total * 3600, "$/M tokens", 1e6, formula, inputs + _assumed(job), extra,
                      per_stream=total / job.batch)


def training(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Training or fine-tuning tokens/s: FLOPs per token over achievable TFLOPS, plus step overhead."""
    per_param = perf.full_flops_per_param if job.mode == "full" else perf.lora_flops_per_param
    slow = perf.qlora_slowdown if job.mode == "qlora" else 1.0
    eff = speedup(perf, hw, count)
    mfu = perf.gemm(hw) * perf.training_efficiency
    achievable = hw.fp16_tflops * 1e12 * mfu * eff
    tokens_per_step = max(1, job.batch * (job.context or 4096))
    flops_per_step = per_param * job.params_b * 1e9 * tokens_per_step * slow
    step = flops_per_step / achievable + job.layers * perf.training_overhead_ms_per_layer * 1e-3
    tokens = tokens_per_step / step
    formula = (f"{tokens_per_step:,} tokens ÷ ({per_param:g} × {_n(job.params_b)}B params × {tokens_per_step:,} tokens"
               + (f" × {slow:g} (QLoRA)" if slow != 1 else "") + f" ÷ {_n(achievable / 1e12)} TFLOPS + {job.layers} layers × "
               f"{perf.training_overhead_ms_per_layer:g} ms) = {_n(tokens)} tokens/s")
    inputs = (("achievable compute", f"{hw.fp16_tflops:,.0f} TFLOPS × MFU {mfu:.2f}" + _gpus(hw, count, eff)),
              ("FLOPs per parameter per token", f"{per_param:g} ({job.mode})"))
    return Throughput(tokens, "tokens/s", tokens * 3600, "$/M tokens", 1e6, formula, inputs + _assumed(job))


def generic_family(perf: Perf, need_gib: float) -> DiffusionFamily | None:
    """The calibrated family whose documented memory need is nearest (log scale) to a --vram need."""
    fams = [f for f in perf.diffusion if f.documented_gib and not f.unit_seconds]
    if not fams or need_gib <= 0:
        return None
    return min(fams, key=lambda f: abs(math.log(need_gib / f.documented_gib)))


def diffusion(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Images (or video seconds) per hour: steps × (work ÷ achievable TFLOPS + fixed part) per generation."""
    fam = perf.family(job.family)
    if fam is None:
        return general(perf, job, hw, count, None)
    achievable = hw.fp16_tflops * 1e12 * perf.gemm(hw) * perf.inference_efficiency
    work = fam.tflop_per_step * job.work_scale * job.batch
    measured = next(((rate, src) for gid, rate, src in fam.calibration if gid == hw.id), None)
    if measured:  # a published figure for this GPU beats the model; more work takes proportionally longer
        step = job.work_scale * job.batch / measured[0]
        how = f"{_n(measured[0])} steps/s measured" + (f" ÷ {_n(job.work_scale * job.batch)} × the work" if step * measured[0] != 1 else "")
        inputs = (("work per step", f"{_n(work)} TFLOP ({fam.name or fam.id})"), ("measured", measured[1]),
                  ("steps", str(fam.steps)))
    else:
        step = work * 1e12 / achievable + fam.fixed_ms_per_step * 1e-3
        how = f"{_n(work)} TFLOP ÷ {_n(achievable / 1e12)} TFLOPS + {fam.fixed_ms_per_step:g} ms"
        inputs = (("work per step", f"{_n(work)} TFLOP ({fam.name or fam.id})"),
                  ("achievable compute", f"{hw.fp16_tflops:,.0f} TFLOPS × {perf.gemm(hw):g} × {perf.inference_efficiency:g}"),
                  ("fixed part per step", f"{fam.fixed_ms_per_step:g} ms"), ("steps", str(fam.steps)))
    per_generation = fam.steps * step
    generations = 3600 / per_generation * count * job.batch
    head = (f"3600 ÷ ({fam.steps} steps × ({how}))" + (f" × {job.batch} per batch" if job.batch > 1 else "")
            + (f" × {count} GPUs (one pipeline each)" if count > 1 else ""))
    extra = (("seconds per generation", per_generation, "s"),)
    if fam.unit_seconds:
        seconds = generations * fam.unit_seconds
        return Throughput(seconds, "video-s/h", seconds, "$/video-min", 60,
                          f"{head} × {fam.unit_seconds:g} s of video = {_n(seconds)} video-s/h",
                          inputs + _assumed(job), extra)
    return Throughput(generations, "images/h", generations, "$/1k images", 1000, f"{head} = {_n(generations)} images/h",
                      inputs + _assumed(job), extra)


def transcode(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Concurrent real-time 1080p streams: min(encode, decode) engine capacity; 4K is 4× the pixels."""
    rates = perf.codec(hw.arch)
    enc = hw.nvenc * rates.encode(job.codec) / perf.transcode_fps
    dec = hw.nvdec * rates.decode(job.codec) / perf.transcode_fps
    streams = min(enc, dec)
    capped = ""
    if "geforce" in hw.name.lower() and streams > perf.geforce_nvenc_sessions:
        streams, capped = float(perf.geforce_nvenc_sessions), f", capped at {perf.geforce_nvenc_sessions} GeForce NVENC sessions"
    streams *= count
    formula = (f"min({hw.nvenc} NVENC × {rates.encode(job.codec):g} fps, {hw.nvdec} NVDEC × {rates.decode(job.codec):g} fps)"
               f" ÷ {perf.transcode_fps:g} fps{capped}" + (f" × {count} GPUs" if count > 1 else "")
               + f" = {_n(streams)} real-time 1080p streams")
    inputs = (("codec", job.codec), ("per-engine rates", rates.source or f"none for {hw.arch}"))
    return Throughput(streams, "1080p streams", streams, "$/video-h", 1, formula, inputs + _assumed(job),
                      (("4K streams", streams / 4, "streams"),))


def encoder(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """A compute-bound forward pass (embeddings, speech encoders): 2 FLOPs per parameter per token."""
    eff = speedup(perf, hw, count)
    flops = hw.fp16_tflops * 1e12 * perf.gemm(hw) * perf.inference_efficiency * eff
    tokens = flops / (2 * job.params_b * 1e9)
    formula = f"{_n(flops / 1e12)} TFLOPS ÷ (2 × {_n(job.params_b)}B params) = {_n(tokens)} tokens/s"
    inputs = (("achievable compute", f"{hw.fp16_tflops:,.0f} TFLOPS × {perf.gemm(hw):g} × {perf.inference_efficiency:g}"
               + _gpus(hw, count, eff)),)
    return Throughput(tokens, "tokens/s", tokens * 3600, "$/M tokens", 1e6, formula, inputs + _assumed(job))


def general(perf: Perf, job: Job, hw: Gpu, count: int, ref: Gpu | None) -> Throughput:
    """No particular bottleneck: √(achievable compute × achievable bandwidth), relative to an L4."""
    eff = speedup(perf, hw, count)

    def score(g: Gpu) -> float:
        return math.sqrt(g.fp16_tflops * perf.gemm(g) * g.bandwidth_gb_s * perf.bandwidth(g))

    name = ref.id if ref else "l4"
    base = score(ref) if ref else math.sqrt(121 * 0.55 * 300 * 0.85)
    rel = score(hw) / base * eff
    formula = (f"√({hw.fp16_tflops:,.0f} TFLOPS × {perf.gemm(hw):g} × {hw.bandwidth_gb_s:,.0f} GB/s × {perf.bandwidth(hw):g})"
               f" ÷ the same for {name}" + _gpus(hw, count, eff) + f" = {rel:.2f} × {name}")
    return Throughput(rel, f"× {name}", rel, f"$/{name}-hour", 1, formula, _assumed(job))


def _assumed(job: Job) -> tuple[tuple[str, str], ...]:
    return tuple(("assumed", a) for a in job.assumed)


def throughput(perf: Perf, job: Job, hw: Gpu, count: int, ref: Gpu | None = None) -> Throughput:
    """The job's throughput on `count` × `hw`, in the workload's own unit."""
    if job.model == "llm":
        return llm_decode(perf, job, hw, count)
    if job.model == "training":
        return training(perf, job, hw, count)
    if job.model in ("diffusion", "video"):
        return diffusion(perf, job, hw, count)
    if job.model == "transcode":
        return transcode(perf, job, hw, count)
    if job.model == "encoder":
        return encoder(perf, job, hw, count)
    return general(perf, job, hw, count, ref)


def request_seconds(perf: Perf, job: Job, hw: Gpu, count: int, tokens_in: int, tokens_out: int) -> tuple[float, str]:
    """Seconds one LLM request takes on `count` × `hw`: prefill of tokens_in (compute-bound: 2 FLOPs
    per active parameter per token plus attention) and tokens_out decode steps at the job's batch
    (llm_decode's per-sequence rate, KV cache at the job's context)."""
    eff = speedup(perf, hw, count)
    flops = hw.fp16_tflops * 1e12 * perf.gemm(hw) * eff
    prefill = (2 * job.params_b * 1e9 * tokens_in + 2 * job.layers * tokens_in ** 2 * job.hidden) / flops
    per_seq = llm_decode(perf, job, hw, count).per_stream or 0.0
    if per_seq <= 0:
        return math.inf, "no decode rate"
    decode = tokens_out / per_seq
    how = (f"prefill {tokens_in:,} tokens {_n(prefill)} s (2 × {_n(job.params_b)}B params × tokens + attention ÷ "
           f"{_n(flops / 1e12)} TFLOPS) + {tokens_out:,} tokens ÷ {_n(per_seq)} tokens/s per sequence"
           + (f" at batch {job.batch}" if job.batch > 1 else "") + f" = {_n(prefill + decode)} s")
    return prefill + decode, how
