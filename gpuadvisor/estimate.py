"""Model-aware sizing: how much GPU memory a model needs, with the arithmetic shown.

Pure functions. Results are in GiB (2^30 bytes): GPU memory is sold in GiB (an "80 GB" H100
has 80 GiB; nvidia-smi shows 81,559 MiB), so needs and VRAM compare like for like. Weight
formulas also show decimal GB, the unit model cards use (70B params × 2 bytes = 141 GB = 131 GiB).

Inference:   weights  = params × bytes per weight dtype; quantized checkpoints (fp8, int8, int4, …)
                        keep the embedding table and lm_head in 16-bit and add their scales
             KV cache = 2 × layers × kv_heads × head_dim × context × batch × bytes per KV dtype
                        (sliding-window layers cache at most their window; MLA models cache a latent)
             overhead = fixed (CUDA context, cuBLAS workspace, NCCL buffers) + a fraction of the above
                        (activations, allocator fragmentation)
Training (activations with gradient checkpointing and flash attention:
             batch × seq × hidden × (2 × layers + 34) bytes, after Korthikanti et al. 2022):
  full       weights 2 + gradients 2 + fp32 master 4 + Adam m 4 + v 4 = 16 bytes per parameter
  lora       frozen weights at the dtype + adapters (a fraction of params) at 16 bytes each
  qlora      frozen weights at 4 bits + adapters at 16 bytes each
  all modes  logits: batch × seq × vocab × 4 bytes (fp32 for the loss; the gradient reuses them)
Diffusion / video models: the documented peak, split into the denoiser's weights (rescaled to
another dtype), the text encoders and VAE (fixed) and activations (× batch).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from gpuadvisor.catalog import Catalog, find_record
from gpuadvisor.errors import UnknownName, UsageError
from gpuadvisor.profiles import WEIGHT_DTYPES, Model
from gpuadvisor.units import human_tokens

if TYPE_CHECKING:
    from gpuadvisor.hfconfig import Checkpoint

DTYPE_BYTES = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0,
               "int4": 0.5, "nf4": 0.5, "awq": 0.5, "gptq": 0.5, "fp4": 0.5, "int3": 0.375, "int2": 0.25}
KV_DTYPES = ("fp32", "fp16", "bf16", "fp8", "int8")
# Bytes of quantization scales per quantized weight. AWQ / GPTQ int4: one fp16 scale and a packed
# 4-bit zero point per group of 128 weights (AutoAWQ and GPTQ defaults: 2.5 bytes / 128).
# NF4 with double quantization: 0.127 bits per parameter (Dettmers et al. 2023, QLoRA §3).
# NVFP4: one FP8 scale per 16 values (NVIDIA, "Introducing NVFP4"). FP8 and INT8 checkpoints use
# per-tensor or per-channel scales: a few bytes per matrix, counted as 0.
# GPTQ 3- and 2-bit: the same fp16 scale plus a packed zero point per group of 128.
QUANT_SCALE_BYTES = {"int4": 2.5 / 128, "awq": 2.5 / 128, "gptq": 2.5 / 128, "nf4": 0.127 / 8, "fp4": 1 / 16,
                     "fp8": 0.0, "int8": 0.0, "int3": 2.375 / 128, "int2": 2.25 / 128}
ASSUMED_VOCAB = 128_256  # --params models: a Llama 3-sized vocabulary (untied), said in the notes
MODES = ("inference", "lora", "qlora", "full")
GIB = float(2**30)


@dataclass(frozen=True)
class Assumptions:
    """Documented defaults; every one can be changed from the command line."""

    overhead_gb: float = 1.0  # GiB: CUDA context, cuBLAS workspace, NCCL buffers, prefill activations
    overhead_fraction: float = 0.05  # activations and fragmentation, of weights + KV (inference)
    lora_fraction: float = 0.01  # trainable adapter parameters as a share of all (rank 16 on all linear layers ≈ 0.5–1%)
    train_context: int = 4096  # sequence length for training when --context is not given
    unknown_context: int = 8192  # context for --params models when --context is not given
    serving_context: int = 8192  # inference: the window a server allocates per sequence when --context is not given


@dataclass(frozen=True)
class Line:
    name: str
    gb: float
    formula: str

    def to_json(self) -> dict:
        # `gb` holds GiB (named before the units were settled): kept one release as an alias of `gib`
        return {"name": self.name, "gib": round(self.gb, 3), "gb": round(self.gb, 3), "formula": self.formula}


@dataclass(frozen=True)
class Estimate:
    model: Model | None
    name: str
    kind: str
    params_b: float
    active_params_b: float
    dtype: str
    kv_dtype: str
    context: int
    batch: int
    mode: str
    lines: tuple[Line, ...]
    approximate: bool
    notes: tuple[str, ...] = ()
    kv_bytes_per_sequence: float = 0.0  # KV cache of one sequence at `context`
    assumptions: Assumptions = field(default_factory=Assumptions)
    read_bytes_per_token: float = 0.0  # weight bytes one decode step reads (MoE: active experts only)
    layers: int | None = None
    hidden_size: int | None = None
    warnings: tuple[str, ...] = ()  # what the user asked for that does not hold or is ignored: shown wherever the estimate is
    checkpoint: Checkpoint | None = None  # --model PATH / hf:ORG/NAME: what was read from the files

    @property
    def total_gb(self) -> float:
        return sum(line.gb for line in self.lines)

    @property
    def active_weight_bytes(self) -> float:
        """Weight bytes read per decoded token (MoE: only the active parameters)."""
        return self.read_bytes_per_token or self.active_params_b * 1e9 * DTYPE_BYTES[self.dtype]

    def to_json(self) -> dict:
        return {
            "model": self.model.id if self.model else None, "name": self.name, "kind": self.kind,
            "params_b": self.params_b, "active_params_b": self.active_params_b, "dtype": self.dtype,
            "kv_dtype": self.kv_dtype, "context": self.context, "batch": self.batch, "mode": self.mode,
            "lines": [ln.to_json() for ln in self.lines], "total_gib": round(self.total_gb, 3),
            "total_gb": round(self.total_gb, 3),  # alias of total_gib (it holds GiB), kept one release
            "approximate": self.approximate, "notes": list(self.notes), "warnings": list(self.warnings),
            "assumptions": {"overhead_gb": self.assumptions.overhead_gb,
                            "overhead_fraction": self.assumptions.overhead_fraction,
                            "lora_fraction": self.assumptions.lora_fraction},
            **({"checkpoint": self.checkpoint.to_json()} if self.checkpoint else {}),
        }


def resolve_model(cat: Catalog, name: str) -> Model:
    return find_record(cat.models, name, "model", hint="run `gpuadvisor models` to see them, or give --params 70B")


def _looks_like_path(name: str) -> bool:
    """`--model X` means a file when X exists, ends in .json, or has a path separator."""
    seps = {os.sep} | ({os.altsep} if os.altsep else set())
    return name.lower().endswith(".json") or any(sep in name for sep in seps) or os.path.exists(name)


def load_model(cat: Catalog, name: str) -> tuple[Model, Checkpoint | None]:
    """`--model`: `hf:ORG/NAME` (fetched: gpuadvisor.hub), a config.json or model directory (a path
    that exists, ends in .json, or has a path separator and is no catalog name), or a catalog name."""
    if name.startswith("hf:"):
        from gpuadvisor import hfconfig
        from gpuadvisor.hub import fetch_config

        ck = hfconfig.load(str(fetch_config(name[3:])))
        return ck.model, ck
    if _looks_like_path(name):
        from gpuadvisor import hfconfig

        try:
            return resolve_model(cat, name), None  # an alias such as Qwen/Qwen3-8B that is no file here
        except UnknownName:
            if not os.path.exists(name):
                raise UsageError(f"no such model file or directory: {name!r} (and no model of that name; "
                                 "run `gpuadvisor models` to see them)") from None
        ck = hfconfig.load(name)
        return ck.model, ck
    return resolve_model(cat, name), None


def _check(choice: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if choice is None:
        return None
    key = choice.strip().lower()
    aliases = {"bfloat16": "bf16", "float16": "fp16", "half": "fp16", "float32": "fp32", "float8": "fp8",
               "4bit": "int4", "4-bit": "int4", "8bit": "int8", "8-bit": "int8", "q4": "int4", "q8": "int8"}
    key = aliases.get(key, key)
    if key not in allowed:
        raise UnknownName(what, choice, list(allowed))
    return key


def _gb(b: float) -> float:
    """Bytes to GiB."""
    return b / GIB


def _bytes(n: float) -> str:
    return f"{n:g} byte" + ("" if n == 1 else "s")


def _fmt_b(params_b: float) -> str:
    """8.03B, 405.9B, 0.123B, 100,000B: up to four significant figures, never exponent notation."""
    if params_b >= 1000:
        return f"{params_b:,.0f}B"
    text = f"{params_b:.4g}"
    return (f"{params_b:.6f}".rstrip("0").rstrip(".") if "e" in text else text) + "B"


def kv_per_token_elements(m: Model) -> int:
    """Elements cached per token per layer: 2 × kv_heads × head_dim, or the MLA latent width."""
    if m.kv_elements_per_token_layer:
        return m.kv_elements_per_token_layer
    assert m.kv_heads is not None and m.head_dim is not None, "a language model's attention shape is known"
    return 2 * m.kv_heads * m.head_dim


def kv_cache_bytes(m: Model, context: int, batch: int, kv_bytes: float) -> tuple[float, str]:
    per_layer = kv_per_token_elements(m)
    assert m.layers is not None, "a language model's layer count is known"
    if m.sliding_window and m.full_attention_layers is not None:
        full, local = m.full_attention_layers, m.layers - m.full_attention_layers
        window = min(context, m.sliding_window)
        tokens = full * context + local * window
        layer_part = f"({full} global layers × {context:,} + {local} local layers × {window:,}) tokens"
    else:
        tokens = m.layers * context
        layer_part = f"{m.layers} layers × {context:,} tokens"
    what = (f"{m.kv_elements_per_token_layer} latent elements" if m.kv_elements_per_token_layer
            else f"2 × {m.kv_heads} KV heads × {m.head_dim} dim")
    return per_layer * tokens * batch * kv_bytes, f"{what} × {layer_part} × {batch} seq × {_bytes(kv_bytes)}"


def _approximate_llm(params_b: float) -> Model:
    """A stand-in architecture for --params: a GQA decoder like Llama 3 / Qwen 2.5 of that size."""
    layers = max(8, round(13.5 * params_b ** 0.4))
    hidden = max(1024, round(1450 * params_b ** 0.42 / 128) * 128)
    return Model(id="", name=f"{_fmt_b(params_b)} model", kind="llm", params_b=params_b, sources=(),
                 layers=layers, hidden_size=hidden, kv_heads=8, head_dim=128, context=None,
                 vocab_size=ASSUMED_VOCAB)


def embedding_params(m: Model) -> tuple[float, float]:
    """(parameters in the embedding table and lm_head together, in the lm_head alone): vocab × hidden,
    once if the two are tied, twice if not. Capped so a tiny --params model stays consistent."""
    if not m.vocab_size or not m.hidden_size:
        return 0.0, 0.0
    table = float(m.vocab_size * m.hidden_size)
    both = table if m.tie_word_embeddings else 2 * table
    cap = 0.5 * m.params_b * 1e9
    return min(both, cap), min(table, cap)


def weight_bytes(m: Model, dtype: str, ck: Checkpoint | None = None) -> tuple[float, float, str]:
    """(bytes held, bytes read per decode step, formula). Quantized checkpoints (fp8, int8, int4, …)
    keep the embeddings and lm_head in 16-bit and carry scales; a decode step reads the active
    weights and the lm_head, but only one row of the input embedding table per token. A checkpoint
    read from its files (`ck`) at its own dtype is held at its exact size where the index or the
    safetensors headers give it, and with its own group size for the scales otherwise."""
    if ck is not None and dtype == ck.dtype:
        if ck.quant is not None:
            held, read, formula = _weight_formula(m, dtype, ck.quant.scale_bytes())
        else:
            held, read, formula = weight_bytes(m, dtype)
        if ck.weight_bytes and ck.quant is not None:
            read *= ck.weight_bytes / held
            held = float(ck.weight_bytes)
            formula = f"{held / 1e9:,.2f} GB, the checkpoint's tensors ({ck.params_from.split('its size from ')[-1]})"
        return held, read, formula
    return _weight_formula(m, dtype, QUANT_SCALE_BYTES.get(dtype))


def _weight_formula(m: Model, dtype: str, scale: float | None) -> tuple[float, float, str]:
    P, A = m.params_b * 1e9, (m.active_params_b or m.params_b) * 1e9
    b = DTYPE_BYTES[dtype]
    emb, head = embedding_params(m)
    gb = f"{_fmt_b(m.params_b)} params × {_bytes(b)} ({dtype})"
    if scale is not None and emb:
        q = b + scale
        held = (P - emb) * q + emb * 2
        read = (A - emb) * q + head * 2
        scales = f" + scales {scale:.3f} byte/param" if scale else ""
        formula = (f"({_fmt_b(m.params_b)} − {_fmt_b(emb / 1e9)} embeddings/lm_head) × {_bytes(b)} ({dtype}){scales}"
                   f" + {_fmt_b(emb / 1e9)} × 2 bytes (16-bit embeddings and lm_head) = {held / 1e9:,.1f} GB ({_gb(held):,.1f} GiB)")
        return held, read, formula
    input_table = emb - head  # 0 when tied: the one table is read in full as the lm_head
    return P * b, (A - input_table) * b, f"{gb} = {P * b / 1e9:,.1f} GB ({_gb(P * b):,.1f} GiB)"


def estimate(cat: Catalog, model: str | None = None, params: float | None = None, dtype: str | None = None,
             kv_dtype: str | None = None, context: int | None = None, batch: int = 1, mode: str = "inference",
             assumptions: Assumptions | None = None) -> Estimate:
    a = assumptions or Assumptions()
    if (model is None) == (params is None):
        raise UsageError("give --model NAME or --params SIZE (e.g. --params 70B), not both" if model and params
                         else "give --model NAME or --params SIZE (e.g. --params 70B)")
    if batch < 1 or batch > 100_000:
        raise UsageError(f"--batch must be between 1 and 100,000, not {batch}")
    mode_key = _check(mode, MODES, "mode")
    assert mode_key is not None, "mode is a str, so _check returns one"
    if not 0 <= a.overhead_fraction < 5:
        raise UsageError(f"--overhead must be a fraction from 0 to 5 such as 0.1 (10%), not {a.overhead_fraction:g}")
    if not (a.overhead_gb >= 0 and math.isfinite(a.overhead_gb)):
        raise UsageError(f"--overhead-gb must be 0 or more GiB, not {a.overhead_gb:g}")
    dtype_key = _check(dtype, WEIGHT_DTYPES, "dtype")
    kv_key = _check(kv_dtype, KV_DTYPES, "KV cache dtype")
    notes: list[str] = []
    warnings: list[str] = []
    approximate = False
    ck = None
    if model is not None:
        m, ck = load_model(cat, model)
    else:
        assert params is not None, "callers give a model or a parameter count"
        m = _approximate_llm(params)
        approximate = True
        notes.append(f"unknown architecture: KV cache and activations approximated for a GQA decoder with "
                     f"~{m.layers} layers, 8 KV heads × 128 and hidden {m.hidden_size:,} (Llama 3 / Qwen 2.5 shape); "
                     "a model without GQA can need up to 8× more KV cache")
    notes.extend(m.notes)
    if ck is not None:
        notes.append(f"{m.params_b * 1e9:,.0f} parameters from {ck.params_from}")
        notes.extend(ck.notes)
    if m.kind != "llm":
        ignored = [opt for opt, given in (("--context", context), ("--kv-dtype", kv_key)) if given is not None]
        if ignored:
            warnings.append(f"{' and '.join(ignored)} {'apply' if len(ignored) > 1 else 'applies'} to language models; "
                            f"ignored for {m.name} (a {m.kind} model)")
        return replace(_estimate_pipeline(m, dtype_key, batch, mode_key, a, notes), warnings=tuple(warnings))
    assert m.layers is not None, "a language model's layer count is known"
    if mode_key == "qlora" and dtype_key not in (None, "nf4", "int4", "fp4"):
        raise UsageError(f"QLoRA keeps the frozen weights in 4 bits; --dtype {dtype_key} does not apply (use --mode lora)")
    own = ck.dtype if ck is not None else m.dtype
    weight_dtype = dtype_key or ("nf4" if mode_key == "qlora" else own if mode_key == "inference" else "bf16")
    kv = kv_key or "bf16"
    if context is None:
        if mode_key != "inference":
            context = a.train_context
        elif m.context:
            context = min(m.context, a.serving_context)
            if context < m.context:
                notes.append(f"context {human_tokens(context)}: a serving-typical window per sequence ({m.name} allows "
                             f"{human_tokens(m.context)}; set --context for more)")
        else:
            context = a.unknown_context
            notes.append(f"context not given: {human_tokens(context)} assumed")
    elif m.context and context > m.context and mode_key == "inference":
        warnings.append(f"--context {human_tokens(context)} is beyond {m.name}'s {human_tokens(m.context)}: "
                        "the model was not trained for it, and servers refuse it by default")
    P = m.params_b * 1e9
    active_b = m.active_params_b or m.params_b
    held, read, w_formula = weight_bytes(m, weight_dtype, ck)
    if approximate and weight_dtype in QUANT_SCALE_BYTES:
        notes.append(f"embeddings and lm_head sized for a {ASSUMED_VOCAB:,}-token vocabulary (Llama 3) and kept in 16-bit")
    lines: list[Line] = []
    kv_seq = 0.0
    if mode_key == "inference":
        lines.append(Line("weights", _gb(held), w_formula))
        kv_total, kv_formula = kv_cache_bytes(m, context, batch, DTYPE_BYTES[kv])
        kv_seq = kv_total / batch
        lines.append(Line("KV cache", _gb(kv_total), kv_formula + f" ({kv})"))
        base = _gb(held) + _gb(kv_total)
        lines.append(Line("runtime overhead", a.overhead_gb + a.overhead_fraction * base,
                          f"{a.overhead_gb:g} GiB (CUDA context, workspaces, activations) + {a.overhead_fraction:.0%} of "
                          "weights + KV (allocator fragmentation)"))
        if m.is_moe:
            routed = f" ({m.experts} experts, {m.experts_per_token} active per token)" if m.experts and m.experts_per_token else ""
            notes.append(f"Mixture of experts{routed}: all {_fmt_b(m.params_b)} params are held in memory; "
                         f"{_fmt_b(active_b)} are read per token")
    else:
        hidden = m.hidden_size or _approximate_llm(m.params_b).hidden_size
        assert hidden is not None, "_approximate_llm always sets hidden_size"
        act = batch * context * hidden * (2 * m.layers + 34)
        if mode_key == "full":
            lines.append(Line("weights", _gb(P * 2), f"{_fmt_b(m.params_b)} params × 2 bytes (bf16)"))
            lines.append(Line("gradients", _gb(P * 2), f"{_fmt_b(m.params_b)} params × 2 bytes (bf16)"))
            lines.append(Line("optimizer states", _gb(P * 12),
                              f"{_fmt_b(m.params_b)} params × 12 bytes (fp32 master 4 + Adam m 4 + v 4)"))
            if dtype_key not in (None, "bf16", "fp16"):
                notes.append(f"full fine-tuning is sized for bf16 mixed precision; --dtype {dtype_key} is ignored")
                weight_dtype = "bf16"
        else:
            lines.append(Line("frozen weights", _gb(held), w_formula))
            trainable = P * a.lora_fraction
            lines.append(Line("LoRA adapters + grads + Adam", _gb(trainable * 16),
                              f"{a.lora_fraction:.1%} of params × 16 bytes (bf16 weight 2 + grad 2 + fp32 master 4 + Adam 8)"))
        lines.append(Line("activations", _gb(act), f"{batch} × {context:,} tokens × {hidden:,} hidden × "
                          f"(2 × {m.layers} layers + 34) bytes (gradient checkpointing, flash attention)"))
        vocab = m.vocab_size or ASSUMED_VOCAB
        lines.append(Line("logits", _gb(batch * context * vocab * 4.0),
                          f"{batch} × {context:,} tokens × {vocab:,} vocab × 4 bytes (fp32 logits for the loss; "
                          "their gradient reuses the buffer)"))
        if not m.vocab_size:
            notes.append(f"logits sized for a {ASSUMED_VOCAB:,}-token vocabulary (Llama 3)")
        weights_gb = lines[0].gb
        lines.append(Line("runtime overhead", a.overhead_gb + 0.05 * weights_gb,
                          f"{a.overhead_gb:g} GiB (CUDA context, workspaces) + 5% of weights (fragmentation)"))
        notes.append("training estimates assume gradient checkpointing; without it activations grow ~10–20×")
    return Estimate(m if m.id else None, m.name, "llm", m.params_b, active_b, weight_dtype, kv, context, batch, mode_key,
                    tuple(lines), approximate, tuple(notes), kv_seq, a, read_bytes_per_token=read,
                    layers=m.layers, hidden_size=m.hidden_size or _approximate_llm(m.params_b).hidden_size, checkpoint=ck,
                    warnings=tuple(warnings))


def _estimate_pipeline(m: Model, dtype: str | None, batch: int, mode: str, a: Assumptions, notes: list[str]) -> Estimate:
    """Documented peak = denoiser weights + encoder/VAE weights + activations. Another dtype rescales
    the denoiser only (encoders stay as documented); a batch multiplies the activations only."""
    if mode != "inference":
        raise UsageError(f"{m.name} is a {m.kind} model: only --mode inference is estimated for it")
    used = dtype or m.dtype
    P = m.params_b * 1e9
    E = (m.encoder_params_b or 0.0) * 1e9
    documented_weights = _gb(P * DTYPE_BYTES[m.dtype])
    encoders = _gb(E * DTYPE_BYTES[m.dtype])
    assert m.vram_gb is not None, "a pipeline's documented peak (vram_gb) is in its catalog entry"
    activations = max(0.0, m.vram_gb - documented_weights - encoders)
    weights = _gb(P * DTYPE_BYTES[used])
    approximate = used != m.dtype or batch > 1
    lines = [Line("weights", weights, f"{_fmt_b(m.params_b)} params × {_bytes(DTYPE_BYTES[used])} ({used})")]
    if E:
        lines.append(Line("text encoders, VAE", encoders,
                          f"{_fmt_b(m.encoder_params_b or 0.0)} params × {_bytes(DTYPE_BYTES[m.dtype])} ({m.dtype}); not multiplied by the batch"))
    lines.append(Line("activations, overhead", activations * batch,
                      f"documented peak {m.vram_gb:g} GiB at {m.dtype} − weights {documented_weights + encoders:.1f} GiB"
                      + (f", × {batch} in the batch" if batch > 1 else "")))
    if used != m.dtype:
        notes.append(f"documented at {m.dtype}; the denoiser's weights rescaled to {used}, encoders and activations kept")
    return Estimate(m, m.name, m.kind, m.params_b, m.params_b, used, "bf16", 0, batch, mode, tuple(lines),
                    approximate, tuple(notes), 0.0, a, read_bytes_per_token=P * DTYPE_BYTES[used])


def what_makes_it_big(est: Estimate) -> str:
    """One clause naming the estimate's largest part, for "nothing fits" errors: the KV cache with
    its context and batch (the user's levers), else the weights with their dtype."""
    biggest = max(est.lines, key=lambda ln: ln.gb)
    share = f"{biggest.gb:,.0f} of {est.total_gb:,.0f} GiB"
    if biggest.name == "KV cache":
        return (f"{est.name} at {human_tokens(est.context)} context × batch {est.batch}: the KV cache is {share} "
                "(a shorter --context, a smaller --batch or --kv-dtype fp8 shrinks it)")
    if biggest.name == "weights":
        return f"{est.name} in {est.dtype}: the weights are {share} (a smaller --dtype such as fp8 or int4 shrinks them)"
    return f"{est.name}: {biggest.name} is {share}"

