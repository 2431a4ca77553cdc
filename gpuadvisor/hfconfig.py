"""A model from its Hugging Face files: architecture from `config.json`, parameter count from the
checkpoint (`model.safetensors.index.json` metadata.total_size, or the safetensors headers),
quantization from `quantization_config`.

Only small files are read, each bounded (gpuadvisor.fsread). A safetensors file is read only as far
as its header: 8 bytes of little-endian length, then that many bytes of JSON (at most 100 MB, the
format's own limit); the tensors are never touched. With neither an index nor safetensors files, the
parameters are counted from the config, layer by layer, and the result says so.

Field meanings follow transformers' configuration classes (see ARCHITECTURES): a missing
num_key_value_heads means full multi-head attention, a missing head_dim is hidden ÷ heads, a
Qwen sliding window applies only when use_sliding_window is true, Gemma 2 alternates local and
global layers, Gemma 3 has one global layer in `sliding_window_pattern` (or a `layer_types` list),
and DeepSeek's multi-head latent attention caches kv_lora_rank + qk_rope_head_dim per layer.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpuadvisor.errors import UsageError
from gpuadvisor.fsread import display_path, is_regular_file, read_capped
from gpuadvisor.profiles import Model

# model_type → family name (the transformers configuration each follows)
ARCHITECTURES = {
    "llama": "Llama", "mistral": "Mistral", "mixtral": "Mixtral", "qwen2": "Qwen2/2.5", "qwen2_moe": "Qwen2-MoE",
    "qwen3": "Qwen3", "qwen3_moe": "Qwen3-MoE", "gemma": "Gemma", "gemma2": "Gemma 2", "gemma3": "Gemma 3",
    "gemma3_text": "Gemma 3", "phi3": "Phi-3", "deepseek_v2": "DeepSeek V2", "deepseek_v3": "DeepSeek V3",
}
MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_INDEX_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 100 * 1000 * 1000  # the safetensors format's own cap on its header
# What this tool parses of a header: real ones are well under 1 MB (a few thousand tensors per
# file); the caps keep a hostile header's JSON parse under ~2 s and ~150 MB (audit N7).
MAX_PARSED_HEADER_BYTES = 6 * 1000 * 1000
MAX_TENSORS = 100_000
MAX_DIMS = 8  # safetensors tensors in the wild have at most 5 dims
MAX_DIM = 1 << 40
MAX_CHECKPOINT_BYTES = 1 << 60  # an index's total_size above this (1 EiB) is nonsense
MAX_SHARDS = 2048
TORCH_DTYPES = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "half": "fp16", "float": "fp32",
                "bf16": "bf16", "fp16": "fp16", "fp32": "fp32"}
SAFETENSORS_BYTES = {"F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2, "I16": 2,
                     "U16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1, "BOOL": 1}
# Defaults transformers applies when a key is absent (Gemma 3's text_config often omits them).
_DEFAULTS = {
    "gemma2": {"head_dim": 256, "sliding_window": 4096, "tie_word_embeddings": True},
    "gemma3_text": {"head_dim": 256, "sliding_window": 4096, "sliding_window_pattern": 6, "vocab_size": 262_208,
                    "max_position_embeddings": 131_072, "tie_word_embeddings": True},
    "gemma": {"head_dim": 256, "tie_word_embeddings": True},
}


@dataclass(frozen=True)
class Quant:
    """A checkpoint's quantization: method, bits per weight, group size (-1 per channel), dtype key."""

    method: str
    bits: float
    group_size: int
    dtype: str  # the estimator's dtype key (gptq, awq, int8, int3, nf4, fp8, …)

    def scale_bytes(self) -> float:
        """Bytes of scales and zero points per weight: one 16-bit scale (+ a packed zero point for
        integer formats) per group; per-channel or per-block scales are counted as 0."""
        if self.group_size <= 0 or self.dtype in ("fp8", "nf4", "fp4"):
            return 0.0
        return (2 + self.bits / 8) / self.group_size

    def to_json(self) -> dict:
        return {"method": self.method, "bits": self.bits, "group_size": self.group_size, "dtype": self.dtype}


@dataclass(frozen=True)
class Checkpoint:
    """A model read from its files: the architecture (a profiles.Model the estimator uses like a
    catalog entry) and what the checkpoint says about its size."""

    model: Model
    path: str
    architecture: str  # model_type
    dtype: str  # the weights as stored: a dtype key
    quant: Quant | None
    params_from: str  # where the parameter count comes from, in words
    weight_bytes: int | None  # the checkpoint's bytes of tensors, where an index or headers say
    derived_params: int  # the count from the config alone (for checks and MoE active parameters)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"path": self.path, "architecture": self.architecture, "dtype": self.dtype,
                "quantization": self.quant.to_json() if self.quant else None, "params_from": self.params_from,
                "params": round(self.model.params_b * 1e9), "weight_bytes": self.weight_bytes,
                "context": self.model.context}


def load(path: str) -> Checkpoint:
    """A Checkpoint from a config.json, or from a directory holding one (and maybe the index)."""
    p = Path(path)
    if p.is_dir():
        directory, config_path = p, p / "config.json"
        if not config_path.exists():
            raise UsageError(f"{display_path(p)} has no config.json (give the model's directory or its config.json)")
    else:
        directory, config_path = p.parent, p
    cfg = _read_json(config_path, MAX_CONFIG_BYTES, "model config")
    shown = display_path(config_path)
    return from_config(cfg, shown, directory)


def _read_json(path: Path, cap: int, what: str) -> dict:
    return _json_object(read_capped(path, cap, what), display_path(path), "utf-8-sig")


def _json_object(raw: bytes, what: str, encoding: str = "utf-8") -> dict:
    """A JSON object from bytes, or one UsageError line naming `what` and why not."""
    try:
        data = json.loads(raw.decode(encoding))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise UsageError(f"{what} is not valid JSON ({_why(e)})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{what} must hold a JSON object, not {type(data).__name__}")
    return data


def _why(e: Exception) -> str:
    return str(e).split("\n")[0][:80] or type(e).__name__


def from_config(cfg: dict, shown: str, directory: Path | None = None) -> Checkpoint:
    """The Checkpoint for a parsed config; `directory` is searched for the index and safetensors."""
    arch = _architecture(cfg, shown)
    text = cfg.get("text_config") if isinstance(cfg.get("text_config"), dict) else None
    c = {**_DEFAULTS.get("gemma3_text" if arch == "gemma3" else arch, {}), **(text if arch == "gemma3" and text else cfg)}
    c.setdefault("tie_word_embeddings", cfg.get("tie_word_embeddings", arch.startswith("gemma")))
    notes: list[str] = []
    a = _Arch(arch, c, shown)
    quant = _quantization(cfg, shown, notes)
    stored = _stored_dtype(cfg, c, shown)
    dtype = quant.dtype if quant else stored
    total, active = a.params()
    weight_bytes, params_from, params = None, "", float(total)
    size = _checkpoint_size(directory, shown) if directory is not None else None
    if size is not None:
        weight_bytes, params_from, counted = size
        if quant is None:
            params = counted if counted else weight_bytes / _BYTES[stored]
        else:
            params_from = (f"config.json (counted layer by layer: a {quant.method} checkpoint packs its weights); "
                           f"its size from {params_from}")
    else:
        params_from = "config.json (counted layer by layer: no model.safetensors.index.json or safetensors files)"
    if a.mtp_layers:
        notes.append(f"{a.mtp_layers} multi-token-prediction layer(s) in the checkpoint are not loaded for plain "
                     "inference and not counted")
    active_b = None
    if active < total:
        active_b = (params - (total - active)) / 1e9
    name = cfg.get("_name_or_path") if isinstance(cfg.get("_name_or_path"), str) and cfg.get("_name_or_path") else ""
    if not name and directory is not None:
        name = directory.name if shown.endswith("config.json") else Path(shown).stem
    model = Model(
        id="", name=f"{name or 'model'} ({ARCHITECTURES[arch]}, from config.json)", kind="llm", params_b=params / 1e9,
        sources=(shown,), family=arch, active_params_b=active_b, layers=a.layers, hidden_size=a.hidden,
        attention_heads=a.heads, kv_heads=a.kv_heads, head_dim=a.head_dim, context=a.context,
        sliding_window=a.window, full_attention_layers=a.full_layers if a.window else None,
        kv_elements_per_token_layer=a.mla_elements, vocab_size=a.vocab, tie_word_embeddings=a.tied,
        dtype=stored if stored in _BYTES else "bf16", notes=tuple(a.notes), **a.experts(),
    )
    return Checkpoint(model, shown, arch, dtype, quant, params_from, weight_bytes, total, tuple(notes))


def _architecture(cfg: dict, shown: str) -> str:
    mt = cfg.get("model_type")
    if isinstance(mt, str) and mt in ARCHITECTURES:
        return mt
    archs = cfg.get("architectures")
    named = archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else None
    what = f"model_type {mt!r}" if isinstance(mt, str) else "no model_type"
    supported = ", ".join(sorted(ARCHITECTURES))
    raise UsageError(f"{shown}: {what}" + (f" ({named})" if named else "") + f" is not supported; supported model types: "
                     f"{supported} (give --params SIZE for any other model)")


_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2}


def _stored_dtype(cfg: dict, c: dict, shown: str) -> str:
    raw = cfg.get("torch_dtype", cfg.get("dtype", c.get("torch_dtype", c.get("dtype"))))
    if raw is None:
        return "bf16"
    key = TORCH_DTYPES.get(str(raw).lower())
    if key is None:
        raise UsageError(f"{shown}: torch_dtype {raw!r} is not a weight dtype (expected bfloat16, float16 or float32)")
    return key


def _quantization(cfg: dict, shown: str, notes: list[str]) -> Quant | None:
    q = cfg.get("quantization_config")
    if q is None:
        return None
    if not isinstance(q, dict):
        raise UsageError(f"{shown}: quantization_config must be an object")
    method = str(q.get("quant_method", "")).lower()
    group = q.get("group_size", 128)
    group = group if isinstance(group, int) and not isinstance(group, bool) else 128
    if method in ("gptq", "awq", "autoround", "auto-round"):
        bits = q.get("bits", q.get("w_bit", 4))
        if not isinstance(bits, int) or isinstance(bits, bool) or bits not in (2, 3, 4, 8):
            raise UsageError(f"{shown}: quantization_config.bits must be 2, 3, 4 or 8, not {bits!r}")
        key = {4: "awq" if method == "awq" else "gptq", 8: "int8", 3: "int3", 2: "int2"}[bits]
        return Quant(method, bits, group, key)
    if method == "bitsandbytes":
        if q.get("load_in_4bit") or q.get("_load_in_4bit"):
            kind = str(q.get("bnb_4bit_quant_type", "nf4")).lower()
            return Quant(method, 4, 64, "nf4" if kind == "nf4" else "fp4")
        return Quant(method, 8, -1, "int8")
    if method in ("fp8", "fbgemm_fp8"):
        return Quant(method, 8, -1, "fp8")
    if method == "compressed-tensors":
        groups = q.get("config_groups")
        no_group: dict[str, Any] = {}
        w = next(iter(groups.values()), no_group).get("weights", {}) if isinstance(groups, dict) and groups else {}
        if isinstance(w, dict) and isinstance(w.get("num_bits"), int):
            bits, kind = w["num_bits"], str(w.get("type", "int")).lower()
            gs = wgs if isinstance(wgs := w.get("group_size"), int) else -1
            quant_key = "fp8" if kind == "float" and bits == 8 else {8: "int8", 4: "int4"}.get(bits)
            if quant_key:
                return Quant(method, bits, gs, quant_key)
    notes.append(f"quantization_config method {method or '?'!r} is not recognised: weights sized at torch_dtype")
    return None


class _Arch:
    """The architecture fields the estimator needs, and a parameter count from them."""

    def __init__(self, arch: str, c: dict, shown: str):
        self.arch, self.c, self.shown = arch, c, shown
        self.notes: list[str] = []
        self.layers = self._int("num_hidden_layers")
        self.hidden = self._int("hidden_size")
        self.heads = self._int("num_attention_heads")
        self.kv_heads = self._int("num_key_value_heads", self.heads)
        self.head_dim = self._int("head_dim", None) or self.hidden // self.heads
        self.vocab = self._int("vocab_size")
        self.inter = self._int("intermediate_size")
        self.context = self._int("max_position_embeddings")
        self.tied = bool(c.get("tie_word_embeddings"))
        self.mla_elements = None
        self.mtp_layers = 0
        if arch.startswith("deepseek"):
            self.mla_elements = self._int("kv_lora_rank") + self._int("qk_rope_head_dim")
            self.mtp_layers = self._int("num_nextn_predict_layers", 0)
        self.window, self.full_layers = self._window()

    def _int(self, key: str, default=...):
        v = self.c.get(key)
        if v is None:
            if default is ...:
                raise UsageError(f"{self.shown}: {key} is missing; it is needed to size a {ARCHITECTURES[self.arch]} model")
            return default
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > 10**12:
            raise UsageError(f"{self.shown}: {key} must be a non-negative integer, not {str(v)[:40]!r}")
        return v

    def _window(self) -> tuple[int | None, int | None]:
        """(sliding window, number of full-attention layers), or (None, None) without a window."""
        c, n = self.c, self.layers
        window = c.get("sliding_window")
        window = window if isinstance(window, int) and not isinstance(window, bool) and window > 0 else None
        types = c.get("layer_types")
        if window and isinstance(types, list) and types and all(isinstance(t, str) for t in types):
            full = sum(t == "full_attention" for t in types[:n])
            if full < n:
                return window, full
            return None, None
        if self.arch.startswith("qwen"):
            if not c.get("use_sliding_window") or not window:
                return None, None
            full = min(n, self._int("max_window_layers", n))
            return (window, full) if full < n else (None, None)
        if self.arch == "gemma2":
            return window, sum(1 for i in range(n) if (i + 1) % 2 == 0)
        if self.arch in ("gemma3", "gemma3_text"):
            pattern = self._int("sliding_window_pattern", 6) or 1
            return window, sum(1 for i in range(n) if (i + 1) % pattern == 0)
        if self.arch in ("mistral", "mixtral", "phi3") and window:
            self.notes.append(f"every layer attends over a {window:,}-token sliding window (config sliding_window)")
            return window, 0
        return None, None

    # ------------------------------------------------------------------ parameters

    def params(self) -> tuple[int, int]:
        """(total, active) parameters from the config: embeddings, every layer, final norm."""
        h, n = self.hidden, self.layers
        embed = self.vocab * h * (1 if self.tied else 2)
        total = active = embed + h
        for i in range(n):
            attn = self._attention()
            dense, experts_all, experts_active = self._mlp(i)
            norms = (4 if self.arch.startswith("gemma") and self.arch != "gemma" else 2) * h
            total += attn + dense + experts_all + norms
            active += attn + dense + experts_active + norms
        return total, active

    def _attention(self) -> int:
        c, h, hd = self.c, self.hidden, self.head_dim
        if self.mla_elements is not None:  # DeepSeek multi-head latent attention
            nope, rope, v = self._int("qk_nope_head_dim"), self._int("qk_rope_head_dim"), self._int("v_head_dim")
            q_rank, kv_rank = self._int("q_lora_rank", None), self._int("kv_lora_rank")
            qk = self.heads * (nope + rope)
            q = h * q_rank + q_rank + q_rank * qk if q_rank else h * qk
            kv = h * (kv_rank + rope) + kv_rank + kv_rank * self.heads * (nope + v)
            return q + kv + self.heads * v * h
        q, kv = self.heads * hd, self.kv_heads * hd
        n = h * q + 2 * h * kv + q * h
        if self.arch in ("qwen2", "qwen2_moe"):
            n += q + 2 * kv  # Qwen2 always has q, k, v biases
        elif c.get("attention_bias"):
            n += q + 2 * kv + h
        if self.arch in ("qwen3", "qwen3_moe", "gemma3", "gemma3_text"):
            n += 2 * hd  # q_norm and k_norm
        return n

    def experts(self) -> dict:
        """{experts, experts_per_token} of an MoE config (the performance model counts the experts a
        batch touches), else {}."""
        key = {"mixtral": "num_local_experts", "qwen2_moe": "num_experts", "qwen3_moe": "num_experts"}.get(
            self.arch, "n_routed_experts" if self.arch.startswith("deepseek") else None)
        e = self._int(key, 0) if key else 0
        k = self._int("num_experts_per_tok", 0) if e else 0
        return {"experts": e, "experts_per_token": k} if e and 0 < k <= e else {}

    def _mlp(self, i: int) -> tuple[int, int, int]:
        """(dense MLP, all experts, active experts) parameters of layer i, routers and shared experts
        counted as dense (always used)."""
        c, h = self.c, self.hidden
        dense = 3 * h * self.inter + (2 * self.inter + h if c.get("mlp_bias") else 0)
        if self.arch == "mixtral":
            e, k = self._int("num_local_experts"), self._int("num_experts_per_tok")
            one = 3 * h * self.inter
            return h * e, e * one, k * one
        if self.arch in ("qwen2_moe", "qwen3_moe"):
            e, k = self._int("num_experts"), self._int("num_experts_per_tok")
            step = self._int("decoder_sparse_step", 1) or 1
            only = c.get("mlp_only_layers") or []
            if e == 0 or i in only or (i + 1) % step != 0:
                return dense, 0, 0
            one = 3 * h * self._int("moe_intermediate_size")
            shared = 0
            if self.arch == "qwen2_moe":
                shared = 3 * h * self._int("shared_expert_intermediate_size", 0) + h
            return h * e + shared, e * one, k * one
        if self.arch.startswith("deepseek"):
            e = self._int("n_routed_experts", 0)
            first, freq = self._int("first_k_dense_replace", 0), self._int("moe_layer_freq", 1) or 1
            if e == 0 or i < first or i % freq != 0:
                return dense, 0, 0
            k, one = self._int("num_experts_per_tok"), 3 * h * self._int("moe_intermediate_size")
            shared = self._int("n_shared_experts", 0) * one
            bias = e if c.get("topk_method") == "noaux_tc" else 0
            return h * e + bias + shared, e * one, k * one
        return dense, 0, 0


# ---------------------------------------------------------------------------- checkpoint size

def _checkpoint_size(directory: Path, shown: str) -> tuple[int, str, int | None] | None:
    """(bytes of tensors, where from, parameters counted or None) from the index or the
    safetensors headers beside the config; None when there is neither."""
    index = directory / "model.safetensors.index.json"
    if is_regular_file(index):
        doc = _read_json(index, MAX_INDEX_BYTES, "safetensors index")
        meta = doc.get("metadata")
        size = meta.get("total_size") if isinstance(meta, dict) else None
        if size is not None and _plausible_size(size):  # not None: the check says so too
            return int(size), "model.safetensors.index.json metadata.total_size", None
    files = sorted(directory.glob("*.safetensors"))[: MAX_SHARDS + 1] if directory.is_dir() else []
    if len(files) > MAX_SHARDS:
        raise UsageError(f"{display_path(directory)} has more than {MAX_SHARDS} safetensors files; not read")
    if not files:
        return None
    _all_shards(files, directory)
    total_bytes = total_params = 0
    for f in files:
        b, p = read_safetensors_header(f)
        total_bytes += b
        total_params += p
    what = "the safetensors header" if len(files) == 1 else f"the headers of {len(files)} safetensors files"
    return total_bytes, what, total_params


def _plausible_size(size) -> bool:
    """A positive, finite byte count below MAX_CHECKPOINT_BYTES (never math on a 4,000-digit int: N14)."""
    if isinstance(size, bool) or not isinstance(size, (int, float)):
        return False
    if isinstance(size, float) and not math.isfinite(size):
        return False
    return 0 < size < MAX_CHECKPOINT_BYTES


_SHARD = re.compile(r"^(?P<stem>.+)-(?P<i>\d+)-of-(?P<n>\d+)\.safetensors$")


def _all_shards(files: list[Path], directory: Path) -> None:
    """A sharded checkpoint (model-00001-of-00004.safetensors) counted from some of its shards
    would size the model at a fraction of itself: every shard must be there, or the index."""
    sets: dict[tuple[str, int], set[int]] = {}
    for f in files:
        m = _SHARD.match(f.name)
        if not m:
            continue
        if len(m["n"]) > 6 or int(m["n"]) > MAX_SHARDS:  # the count comes from a file name: never allocate by it (N2)
            raise UsageError(f"{display_path(directory)}: shard file {_clip_name(f.name)} claims more than {MAX_SHARDS} "
                             "shards; not a checkpoint this tool reads")
        sets.setdefault((m["stem"], int(m["n"])), set()).add(int(m["i"]) if len(m["i"]) <= 6 else -1)
    for (stem, n), have in sets.items():
        missing = [i for i in range(1, n + 1) if i not in have]  # n <= MAX_SHARDS
        if missing:
            raise UsageError(f"{display_path(directory)} has {len(have & set(range(1, n + 1)))} of the {n} shards of "
                             f"{_clip_name(stem)} (missing {_clip_name(stem)}-{missing[0]:05d}-of-{n:05d}.safetensors"
                             + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
                             + "): add them, or model.safetensors.index.json, so the size is the model's")


def _clip_name(name: str, limit: int = 80) -> str:
    shown = name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def read_safetensors_header(path: Path) -> tuple[int, int]:
    """(tensor bytes, parameters) from a safetensors file's header alone: an 8-byte little-endian
    length N, then N bytes of JSON. Never reads the tensors."""
    shown = display_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise UsageError(f"cannot read {shown}: {e.strerror or e}") from None
    try:
        import stat

        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{shown} is not a regular file; only regular files are read")
        head = _read_exact(fd, 8)
        if len(head) < 8:
            raise UsageError(f"{shown} is not a safetensors file (shorter than its 8-byte header length)")
        (n,) = struct.unpack("<Q", head)
        if n > MAX_HEADER_BYTES or n > st.st_size - 8:
            raise UsageError(f"{shown}: safetensors header of {n:,} bytes is larger than the file or the "
                             f"format's {MAX_HEADER_BYTES // 1_000_000} MB limit; not a safetensors file")
        if n > MAX_PARSED_HEADER_BYTES:
            raise UsageError(f"{shown}: safetensors header of {n:,} bytes is larger than the "
                             f"{MAX_PARSED_HEADER_BYTES // 1_000_000} MB this tool reads (real headers are under 1 MB)")
        raw = _read_exact(fd, n)
    finally:
        os.close(fd)
    header = _json_object(raw, f"{shown}: the safetensors header")
    if len(header) > MAX_TENSORS + 1:
        raise UsageError(f"{shown}: safetensors header lists {len(header):,} tensors, more than the {MAX_TENSORS:,} "
                         "this tool reads")
    total_bytes = total_params = 0
    for name, t in header.items():
        if name == "__metadata__":
            continue
        shape = t.get("shape") if isinstance(t, dict) else None
        offsets = t.get("data_offsets") if isinstance(t, dict) else None
        if (not isinstance(shape, list) or len(shape) > MAX_DIMS
                or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= MAX_DIM for d in shape)
                or not isinstance(offsets, list) or len(offsets) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) and 0 <= o < MAX_CHECKPOINT_BYTES for o in offsets)
                or offsets[1] < offsets[0]):
            raise UsageError(f"{shown}: tensor {str(name)[:60]!r} has no valid shape and data_offsets "
                             f"(at most {MAX_DIMS} dims of at most 2^40)")
        total_params += math.prod(shape)  # <= 8 factors of <= 2^40: linear in the header
        total_bytes += offsets[1] - offsets[0]
    return total_bytes, total_params


def _read_exact(fd: int, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
