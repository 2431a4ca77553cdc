"""Compute-bound and engine-bound work: training, diffusion, transcoding, encoders and `general`.

  training   tokens/s = GPUs × achievable TFLOPS × data-parallel efficiency ÷ (FLOPs per parameter
             per token × params): 6 for full training, 4 for LoRA (no weight gradients for frozen
             weights), QLoRA's dequantisation as a slowdown; adapter modes add a per-layer step cost
             (optimizer, small kernels) fitted to single-GPU QLoRA. --batch is the micro-batch per GPU.
  diffusion  images/h = 3600 × batch ÷ (steps × step time), step time = work × batch ÷ (achievable
             TFLOPS × precision speed-up) + weights ÷ bandwidth + a fixed part; a GPU with a published
             figure uses it for the batch-1 16-bit step. One pipeline per GPU.
  video      generated video seconds per hour, the same way (a diffusion transformer).
  transcode  concurrent real-time 1080p streams from NVENC × NVDEC engine rates per generation.
  encoder    (embeddings, audio) tokens/s of a compute-bound forward pass: TFLOPS ÷ (2 × params).
  general    a relative speed: √(compute × bandwidth) against an L4.
"""

from __future__ import annotations

import math

from gpuadvisor.models import Gpu
from gpuadvisor.perf.common import Throughput, _assumed, _gpus, _n, link, speedup
from gpuadvisor.perf.constants import Perf
from gpuadvisor.perf.job import Job


def training(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Training or fine-tuning tokens/s: data parallel over the GPUs (each runs --batch sequences of
    --context tokens per step), FLOPs per token over achievable TFLOPS, plus adapter modes' step cost."""
    per_param = perf.full_flops_per_param if job.mode == "full" else perf.lora_flops_per_param
    slow = perf.qlora_slowdown if job.mode == "qlora" else 1.0
    n = max(1, count)
    dp = 1.0 if n == 1 else dict(perf.data_parallel_efficiency).get(link(hw, n), 0.8)
    mfu = perf.gemm(hw) * perf.training_efficiency
    achievable = hw.fp16_tflops * 1e12 * mfu
    per_gpu_tokens = max(1, job.batch * (job.context or 4096))
    tokens_per_step = per_gpu_tokens * n
    compute_s = per_param * job.params_b * 1e9 * per_gpu_tokens * slow / (achievable * dp)
    fixed_s = job.layers * perf.training_overhead_ms_per_layer * 1e-3 if job.mode != "full" else 0.0
    step = compute_s + fixed_s
    tokens = tokens_per_step / step
    formula = (f"{tokens_per_step:,} tokens per step ÷ ({per_param:g} × {_n(job.params_b)}B params × {per_gpu_tokens:,} tokens"
               + (f" × {slow:g} (QLoRA)" if slow != 1 else "") + f" ÷ {_n(achievable / 1e12)} TFLOPS"
               + (f" ÷ {dp:g} data-parallel efficiency" if n > 1 else "")
               + (f" + {job.layers} layers × {perf.training_overhead_ms_per_layer:g} ms" if fixed_s else "")
               + f") = {_n(tokens)} tokens/s")
    inputs = (("achievable compute", f"{hw.fp16_tflops:,.0f} TFLOPS × MFU {mfu:.2f} per GPU"),
              ("FLOPs per parameter per token", f"{per_param:g} ({job.mode})"),
              ("tokens per step", f"{job.batch} sequences × {job.context or 4096:,} tokens" + (f" × {n} GPUs (data parallel)" if n > 1 else "")))
    extra = (("step time", step, "s"),)
    return Throughput(tokens, "tokens/s", tokens * 3600, "$/M tokens", 1e6, formula, inputs + _assumed(job), extra,
                      bound="compute")


def diffusion(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Images (or video seconds) per hour: steps × step time per generation of a batch."""
    fam = perf.family(job.family)
    if fam is None:
        return general(perf, job, hw, count, None)
    steps = job.steps or fam.steps
    b = max(1, job.batch)
    fast = perf.low_precision_speedup if job.dtype in ("fp8", "int8", "fp4") and hw.fp8_tflops else 1.0
    eng = perf.engine(job.engine) if job.engine else None
    compiled = eng.diffusion_speedup if eng else 1.0
    batch_work = b ** perf.diffusion_batch_exponent
    measured = next(((rate, src) for gid, rate, src in fam.calibration if gid == hw.id), None)
    fixed = fam.fixed_ms_per_step * 1e-3
    if measured:  # a published batch-1 figure for this GPU: its work part is what the fixed part leaves
        one = 1 / measured[0]
        fixed = min(fixed, one / 2)
        work_s = one - fixed
        memory_s = 0.0
        how = f"{_n(work_s * 1e3)} ms work (of {_n(measured[0])} steps/s measured)"
        inputs = [("measured", measured[1])]
    else:
        achievable = hw.fp16_tflops * 1e12 * perf.gemm(hw) * perf.inference_efficiency
        work_s = fam.tflop_per_step * 1e12 / achievable
        memory_s = job.read_bytes / (hw.bandwidth_gb_s * 1e9 * perf.bandwidth(hw)) if job.read_bytes else 0.0
        how = f"{_n(fam.tflop_per_step)} TFLOP ÷ {_n(achievable / 1e12)} TFLOPS = {_n(work_s * 1e3)} ms work"
        inputs = [("achievable compute", f"{hw.fp16_tflops:,.0f} TFLOPS × {perf.gemm(hw):g} × {perf.inference_efficiency:g}")]
    step = work_s * job.work_scale * batch_work / (fast * compiled) + memory_s + fixed
    per_generation = steps * step
    generations = 3600 / per_generation * count * b
    head = (f"3600 ÷ ({steps} steps × ({how}" + (f" × {_n(job.work_scale)} the work" if job.work_scale != 1 else "")
            + (f" × {_n(batch_work)} for {b} images" if b > 1 else "") + (f" ÷ {fast:g} ({job.dtype})" if fast != 1 else "")
            + (f" ÷ {compiled:g} ({eng.name})" if compiled != 1 and eng is not None else "")
            + (f" + {_n(memory_s * 1e3)} ms weights" if memory_s else "") + f" + {_n(fixed * 1e3)} ms fixed))"
            + (f" × {b} per batch" if b > 1 else "") + (f" × {count} GPUs (one pipeline each)" if count > 1 else ""))
    inputs += [("work per step", f"{_n(fam.tflop_per_step * job.work_scale)} TFLOP ({fam.name or fam.id})"),
               ("steps", f"{steps}" + ("" if steps == fam.steps else f" (the family's default is {fam.steps})"))]
    if b > 1:
        inputs.append(("batch", f"{b} images take {b}^{perf.diffusion_batch_exponent:g} = {_n(batch_work)} × one image's work per step"))
    if fast != 1:
        inputs.append(("precision", f"{job.dtype} denoiser on FP8 tensor cores: the work part ÷ {fast:g}"))
    elif job.dtype in ("fp8", "int8", "fp4"):
        inputs.append(("note", f"no FP8 tensor cores on {hw.arch.title()}: {job.dtype} weights run at the 16-bit rate"))
    extra = (("seconds per generation", per_generation, "s"), ("seconds per image", per_generation / b, "s"))
    if fam.unit_seconds:
        seconds = generations * fam.unit_seconds
        return Throughput(seconds, "video-s/h", seconds, "$/video-min", 60,
                          f"{head} × {fam.unit_seconds:g} s of video = {_n(seconds)} video-s/h",
                          tuple(inputs) + _assumed(job), extra, bound="compute")
    return Throughput(generations, "images/h", generations, "$/1k images", 1000, f"{head} = {_n(generations)} images/h",
                      tuple(inputs) + _assumed(job), extra, bound="compute")


def audio(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Speech recognition: audio seconds transcribed per second (the real-time factor). Each window
    of `chunk_s` seconds runs the encoder (compute-bound) and decodes its tokens one step at a time
    (the decoder's weights over the bandwidth, plus a per-step cost fitted to a published figure)."""
    am = perf.audio_model(job.family)
    if am is None:
        return encoder(perf, job, hw, count)
    b = max(1, job.batch)
    flops = hw.fp16_tflops * 1e12 * perf.gemm(hw) * perf.inference_efficiency
    frames = am.chunk_s * 50  # Whisper's encoder sees 50 frames per second of audio (1,500 per 30 s)
    enc_s = (2 * am.encoder_params_b * 1e9 * frames) / flops
    step_s = am.decoder_params_b * 1e9 * 2 / (hw.bandwidth_gb_s * 1e9 * perf.bandwidth(hw)) + am.ms_per_token * 1e-3
    batch_s = b * enc_s + am.tokens_per_chunk * step_s
    rtf = am.chunk_s * b / batch_s * count
    formula = (f"{am.chunk_s:g} s × {b} ÷ ({b} × {_n(enc_s * 1e3)} ms encoder + {am.tokens_per_chunk:g} tokens × "
               f"{_n(step_s * 1e3)} ms per decode step)" + (f" × {count} GPUs" if count > 1 else "")
               + f" = {_n(rtf)}× real time")
    inputs = (("encoder", f"2 × {am.encoder_params_b:g}B params × {frames:,.0f} frames ÷ {_n(flops / 1e12)} TFLOPS"),
              ("decode step", f"{am.decoder_params_b:g}B params × 2 bytes ÷ {hw.bandwidth_gb_s:,.0f} GB/s × {perf.bandwidth(hw):g}"
                              f" + {am.ms_per_token:g} ms per step"),
              ("assumed", f"{am.tokens_per_chunk:g} text tokens per {am.chunk_s:g} s of speech; {am.source}"))
    return Throughput(rtf, "× real time", rtf, "$/audio-h", 1, formula, inputs + _assumed(job),
                      (("seconds per 30 s window", batch_s / b, "s"),), bound="memory")


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
    return Throughput(tokens, "tokens/s", tokens * 3600, "$/M tokens", 1e6, formula, inputs + _assumed(job), bound="compute")


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


