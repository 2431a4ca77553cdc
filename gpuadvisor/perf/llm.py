"""LLM serving: output tokens/s of `batch` sequences, each a request of `tokens_in` prompt tokens
and `tokens_out` generated tokens, on `count` GPUs of one kind.

  output tokens/s = b · out ÷ (b · prefill(in) + out · step(b))

The engine prefills each prompt, then decodes all b sequences together; each step reads the
weights (MoE: the experts the batch's tokens pick) and every sequence's KV cache at the mean
context of a request, in + out/2, or does 2 × active params FLOPs per token, whichever is slower,
plus the engine's per-layer cost and, on several GPUs, the all-reduces tensor parallelism pays.
Prefill and decode are added, not overlapped: engines that chunk prefill into decode steps hide
part of it, so long prompts with short answers are slightly understated (said in assumptions).

Several GPUs: tensor parallel (each GPU reads 1/n of the weights; two all-reduces per layer over
NVLink or PCIe) where the engine does it, else a split by layers (llama.cpp's default): each GPU
holds 1/n of the layers and a token passes through them in turn, so one stream is no faster than
on one GPU and only a batch keeps every GPU busy.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuadvisor.models import Gpu
from gpuadvisor.perf.common import Throughput, _assumed, _n, link
from gpuadvisor.perf.constants import Engine, Perf
from gpuadvisor.perf.job import Job


@dataclass(frozen=True)
class Rates:
    """What one GPU of the configuration achieves, and how the configuration is split."""

    weight_bw: float  # bytes/s reading weights in this format
    kv_bw: float  # bytes/s reading the KV cache
    flops: float  # FLOP/s in the matmuls (the dtype's tensor rate × efficiencies)
    split: str  # single | tp | layers
    link_bw: float  # bytes/s per direction between GPUs (tp)
    allreduce_s: float  # fixed cost of one all-reduce
    overhead_s: float  # per layer per decode step (engine)
    peak_label: str
    notes: tuple[str, ...] = ()
    pipeline: float = 1.0  # share of a layer split's throughput kept when several micro-batches are in flight
    hop_s: float = 0.0  # a layer split: handing one stage's activations to the next GPU


def peak_tflops(hw: Gpu, dtype: str) -> tuple[float, str, str]:
    """(dense TFLOPS, label, note) for the matmuls of this weight format: FP8 and FP4 checkpoints
    run on FP8/FP4 tensor cores where the GPU has them; weight-only formats (int4, AWQ, GPTQ,
    NF4, int8) dequantise to 16-bit and run at the 16-bit rate."""
    if dtype == "fp4" and hw.fp4_tflops:
        return hw.fp4_tflops, "FP4", ""
    if dtype in ("fp8", "fp4") and hw.fp8_tflops:
        note = "" if dtype == "fp8" else f"no FP4 tensor cores on {hw.arch.title()}: FP4 weights run at the FP8 rate"
        return hw.fp8_tflops, "FP8", note
    if dtype in ("fp8", "fp4"):
        return hw.fp16_tflops, "FP16", (f"no {dtype.upper()} tensor cores on {hw.arch.title()}: {dtype.upper()} weights "
                                        "are dequantised and the matmuls run at the 16-bit rate")
    return hw.fp16_tflops, "FP16", ""


def rates(perf: Perf, job: Job, hw: Gpu, count: int, eng: Engine | None = None, split: str = "") -> Rates:
    eng = eng or perf.engine(job.engine)
    memory = perf.memory(hw)
    base = hw.bandwidth_gb_s * 1e9 * perf.bandwidth(hw) * eng.bandwidth_scale
    tflops, label, note = peak_tflops(hw, job.dtype)
    kind = link(hw, count)
    split = "single" if count <= 1 else split or eng.split
    link_bw = (hw.nvlink_gb_s / 2 if kind == "nvlink" else perf.pcie_gb_s) * 1e9
    scale = perf.fp8_gemm_scale if label in ("FP8", "FP4") else 1.0
    if job.is_moe:  # many small expert GEMMs and routing: less of the peak (perf.toml moe_efficiency)
        base, scale = base * perf.moe_efficiency, scale * perf.moe_efficiency
    return Rates(base * eng.weight_efficiency(memory, job.dtype), base,
                 tflops * 1e12 * perf.gemm(hw) * scale * perf.llm_compute_efficiency, split, link_bw,
                 {**dict(perf.allreduce_us), **dict(eng.allreduce_us)}.get(kind, 30.0) * 1e-6
                 * (max(1, count - 1) if kind != "nvlink" and eng.allreduce_ring else 1),
                 eng.overhead_us_per_layer * 1e-6, label,
                 (note,) if note else (), perf.pipeline_efficiency, perf.layer_hop_us * 1e-6)


@dataclass(frozen=True)
class Step:
    """One decode step of b sequences: its parts in seconds."""

    memory: float
    compute: float
    interconnect: float
    fixed: float
    total: float  # time until every sequence has its next token


def decode_step(job: Job, r: Rates, count: int, b: float, ctx: float) -> Step:
    kv = job.kv_bytes_per_token * ctx
    attn_flops = 4 * job.layers * ctx * job.hidden  # QKᵀ and AV per token over the context
    dense_flops = 2 * job.params_b * 1e9 + attn_flops
    if r.split == "layers":  # micro-batches flow through the GPUs in turn
        k = min(b, count)
        m = b / k
        mem = job.weights_read(m) / count / r.weight_bw + m * kv / count / r.kv_bw
        comp = dense_flops * m / count / r.flops
        fixed = job.layers / count * r.overhead_s + r.hop_s
        stage = max(mem, comp) + fixed
        if b > 1:  # micro-batches in flight: bubbles and uneven stages (perf.toml pipeline_efficiency)
            stage /= r.pipeline
        return Step(mem * count, comp * count, 0.0, fixed * count, stage * count)
    n = max(1, count)
    mem = job.weights_read(b) / n / r.weight_bw + b * kv / n / r.kv_bw
    comp = dense_flops * b / n / r.flops
    comm = 0.0
    if n > 1:
        comm = job.layers * 2 * (r.allreduce_s + b * job.hidden * 2 * 2 * (n - 1) / n / r.link_bw)
    fixed = job.layers * r.overhead_s
    return Step(mem, comp, comm, fixed, max(mem, comp) + comm + fixed)


def prefill_seconds(job: Job, r: Rates, count: int, tokens: int, pipelined: bool) -> float:
    """Seconds to prefill one prompt of `tokens` (latency), or its share of a busy server's time
    (`pipelined`: a layer split keeps every GPU busy with different prompts)."""
    if tokens <= 0:
        return 0.0
    flops = 2 * job.params_b * 1e9 * tokens + 2 * job.layers * tokens ** 2 * job.hidden
    n = max(1, count)
    if r.split == "layers":
        per = n if pipelined else 1
        return max(flops / (r.flops * per), job.held_bytes / (r.weight_bw * per))
    comm = job.layers * 2 * (r.allreduce_s + tokens * job.hidden * 2 * 2 * (n - 1) / n / r.link_bw) if n > 1 else 0.0
    return max(flops / (n * r.flops), job.held_bytes / (n * r.weight_bw)) + comm


def llm(perf: Perf, job: Job, hw: Gpu, count: int) -> Throughput:
    """Output tokens/s of the batch, with prefill priced; per stream, TTFT, TPOT and request time in `extra`.
    Without NVLink, an engine that can do either splits the faster way: tensor parallel pays its
    all-reduces over PCIe, a layer split (pipeline) pays nothing but keeps a stream at one GPU's speed."""
    eng = perf.engine(job.engine)
    if count > 1 and eng.split == "tp" and link(hw, count) != "nvlink":
        tp, layers = (_llm(perf, job, hw, count, eng, split) for split in ("tp", "layers"))
        return tp if tp.value >= layers.value else layers
    return _llm(perf, job, hw, count, eng, "")


def _llm(perf: Perf, job: Job, hw: Gpu, count: int, eng: Engine, split: str) -> Throughput:
    r = rates(perf, job, hw, count, eng, split)
    b = max(1, job.batch)
    out, inp = job.tokens_out, job.tokens_in
    ctx = inp + out / 2 if out else job.context
    step = decode_step(job, r, count, b, ctx)
    prefill_busy = prefill_seconds(job, r, count, inp, pipelined=True)
    prefill_latency = prefill_seconds(job, r, count, inp or job.context, pipelined=False)
    if out:
        round_s = b * prefill_busy + out * step.total
        total = b * out / round_s
    else:  # decode only, at the full context (no request lengths given)
        round_s = step.total
        total = b / step.total
    bound = _bound(step, b * prefill_busy, out * step.total if out else step.total)
    split = {"single": "", "tp": f" over {count} GPUs (tensor parallel)", "layers": f" over {count} GPUs split by layers"}[r.split]
    if out:
        formula = (f"{b} × {out:,} tokens ÷ ({b} × {_n(prefill_busy * 1e3)} ms prefill of {inp:,} tokens + {out:,} × "
                   f"{_n(step.total * 1e3)} ms per step){split} = {_n(total)} tokens/s ({bound}-bound)")
    else:
        formula = f"{b} sequence{'s' if b > 1 else ''} ÷ {_n(step.total * 1e3)} ms per step{split} = {_n(total)} tokens/s ({bound}-bound)"
    step_how = (f"max({_n(step.memory * 1e3)} ms memory, {_n(step.compute * 1e3)} ms compute)"
                + (f" + {_n(step.interconnect * 1e3)} ms all-reduce" if step.interconnect else "")
                + f" + {_n(step.fixed * 1e3)} ms {eng.name} per-layer cost")
    inputs = [("decode step", step_how),
              ("weights read per step", f"{_n(job.weights_read(b) / 1e9)} GB" + (
                  f" (shared + the experts {b} sequence{'s' if b > 1 else ''} pick: 1 − (1 − {job.experts_per_token}/{job.experts})^{b})"
                  if job.is_moe else "")),
              ("KV cache read per sequence", f"{_n(job.kv_bytes_per_token * ctx / 1e9)} GB at {ctx:,.0f} tokens"
               + (" (the mean context of a request: in + out/2)" if out else "")),
              ("achievable bandwidth", f"{hw.bandwidth_gb_s:,.0f} GB/s × {perf.bandwidth(hw):g}"
               + (f" × {r.weight_bw / (hw.bandwidth_gb_s * 1e9 * perf.bandwidth(hw)):.2f} ({job.dtype} weights, {eng.name})"
                  if abs(r.weight_bw - hw.bandwidth_gb_s * 1e9 * perf.bandwidth(hw)) > 1 else "") + " per GPU"),
              ("achievable compute", f"{_n(r.flops / 1e12)} TFLOPS per GPU ({r.peak_label} {peak_tflops(hw, job.dtype)[0]:,.0f} × "
               f"GEMM {perf.gemm(hw):g} × {perf.llm_compute_efficiency:g})")]
    inputs += [("note", n) for n in r.notes]
    if r.split == "layers":
        inputs.append(("split", f"by layers ({eng.name}{'' if eng.split == 'layers' else ', faster here than tensor parallel over PCIe'}):"
                                f" a token passes the {count} GPUs in turn, so one stream is no faster than on one GPU"))
    if out:
        inputs.append(("assumed", "prefill and decode take turns (engines that chunk prefill into decode steps overlap "
                                  "part of it)"))
    per_stream = total / b
    extra = (("per stream", per_stream, "tokens/s"),
             ("prefill", (inp or job.context) / prefill_latency if prefill_latency else 0.0, "tokens/s"),
             ("time to first token", prefill_latency + step.total, "s"),
             ("time per output token", step.total, "s"),
             ("request", (round_s - prefill_busy + prefill_latency) if out else 0.0, "s"))
    return Throughput(total, "tokens/s", total * 3600, "$/M tokens", 1e6, formula, tuple(inputs) + _assumed(job),
                      extra, per_stream=per_stream, bound=bound)


def _bound(step: Step, prefill_s: float, decode_s: float) -> str:
    if prefill_s > decode_s:
        return "compute (prefill)"
    parts = {"memory": step.memory, "compute": step.compute, "interconnect": step.interconnect,
             "per-layer overhead": step.fixed}
    return max(parts, key=parts.__getitem__)
