"""--model PATH: real config.json files (tests/fixtures/models/<id>/ORIGIN.md) read into the same
answer as the built-in entries, parameter counts from the index or safetensors headers, and every
bad file rejected with one line."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from gpuadvisor import hfconfig
from gpuadvisor.engine import smallest_per_provider
from gpuadvisor.errors import UsageError
from gpuadvisor.estimate import GIB, estimate

MODELS = Path(__file__).parent / "fixtures" / "models"

# (fixture, built-in model, context): the built-in entries were written from these models' hub configs.
SAME = [
    ("llama-3.1-8b-instruct", "llama-3.1-8b", None),
    ("llama-3.1-70b-instruct", "llama-3.1-70b", None),
    ("llama-3.3-70b-instruct", "llama-3.3-70b", None),
    ("mistral-7b-instruct-v0.3", "mistral-7b", None),
    ("qwen2.5-7b-instruct", "qwen2.5-7b", None),
    ("gemma-2-9b-it", "gemma-2-9b", None),
    ("medgemma-27b-it", "gemma-3-27b", None),
    # the Qwen3 configs allow 40,960 positions where the catalog (and Qwen's card) say 32k native
    ("qwen3-8b", "qwen3-8b", 32768),
    ("qwen3-8b-tt-metal-no-head-dim", "qwen3-8b", 32768),
    ("qwen3-32b", "qwen3-32b", 32768),
    ("qwen3-30b-a3b", "qwen3-30b-a3b", 32768),
    # quantized: DeepSeek V3's FP8 quantization_config (torch_dtype still says bfloat16)
    ("deepseek-v3", "deepseek-v3", 131072),
]


def _line(est, name):
    return next(ln for ln in est.lines if ln.name == name)


@pytest.mark.parametrize("fixture,builtin,context", SAME, ids=[s[0] for s in SAME])
def test_config_gives_the_same_answer_as_the_builtin_entry(cat, fixture, builtin, context):
    mine = estimate(cat, model=str(MODELS / fixture), context=context)
    ref = estimate(cat, model=builtin, context=context)
    assert mine.dtype == ref.dtype and mine.context == ref.context
    assert _line(mine, "KV cache").gb == ref.lines[1].gb  # layers, KV heads, head dim, windows, MLA: exact
    # the catalog gives params to 3 significant figures; the config counts them exactly
    assert float(f"{mine.params_b:.3g}") == pytest.approx(ref.params_b, rel=0.002)
    assert mine.total_gb == pytest.approx(ref.total_gb, rel=0.002)
    def names(picks):  # the same GPU on every provider (None where nothing fits)
        return {p: pick and (pick[0].name, pick[1]) for p, pick in picks.items()}

    assert names(smallest_per_provider(cat, mine.total_gb, pow2=True)) == names(smallest_per_provider(cat, ref.total_gb, pow2=True))


def test_quantized_bnb_int8_checkpoint_matches_the_builtin_at_int8(cat):
    path = MODELS / "llama-3.1-8b-instruct-bnb-int8"
    mine = estimate(cat, model=str(path), context=8192)
    ref = estimate(cat, model="llama-3.1-8b", dtype="int8", context=8192)
    assert mine.dtype == "int8"
    assert _line(mine, "weights").gb * GIB == 9_086_705_888  # the index's total_size, exactly
    assert "total_size" in _line(mine, "weights").formula
    assert mine.total_gb == pytest.approx(ref.total_gb, rel=0.002)


def test_cli_estimate_reads_a_model_directory(run):
    doc = run.json("estimate", "--model", str(MODELS / "llama-3.1-8b-instruct"))
    ref = run.json("estimate", "--model", "llama-3.1-8b")
    assert doc["estimate"]["total_gb"] == pytest.approx(ref["estimate"]["total_gb"], abs=0.05)
    assert doc["estimate"]["checkpoint"]["params"] == 8_030_261_248
    assert doc["estimate"]["checkpoint"]["params_from"].startswith("config.json")
    assert doc["smallest_fit"] == ref["smallest_fit"]
    text = run("estimate", "--model", str(MODELS / "llama-3.1-8b-instruct" / "config.json")).stdout
    assert "8,030,261,248 parameters from config.json (counted layer by layer" in text


def test_recommend_takes_a_model_path(run):
    doc = run.json("recommend", "--model", str(MODELS / "qwen2.5-7b-instruct"), "--context", "8k", "--top", "2")
    ref = run.json("recommend", "--model", "qwen2.5-7b", "--context", "8k", "--top", "2")
    assert doc["considered"] == ref["considered"]  # the same configurations fit
    assert doc["recommendations"][0]["name"] == ref["recommendations"][0]["name"]
    assert doc["query"]["estimate"]["checkpoint"]["architecture"] == "qwen2"


def test_catalog_aliases_with_a_slash_still_name_catalog_models(run):
    doc = run.json("estimate", "--model", "Qwen/Qwen3-8B", "--context", "8k")
    assert doc["estimate"]["model"] == "qwen3-8b" and "checkpoint" not in doc["estimate"]


# ------------------------------------------------------------------ parameter counts


@pytest.mark.parametrize("fixture", ["phi3-mini-slerp-merge", "wizardlm-2-8x22b"])
def test_counting_the_config_agrees_with_the_index_exactly(fixture):
    ck = hfconfig.load(str(MODELS / fixture))
    assert ck.params_from == "model.safetensors.index.json metadata.total_size"
    assert ck.weight_bytes == 2 * ck.derived_params  # bf16: total_size / 2 is the config's count, to the parameter


def test_known_counts():
    assert hfconfig.load(str(MODELS / "llama-3.1-8b-instruct")).derived_params == 8_030_261_248
    ds = hfconfig.load(str(MODELS / "deepseek-v3"))
    assert ds.model.params_b == pytest.approx(671.0, abs=0.1)  # without the MTP layer (685B on disk)
    assert ds.model.active_params_b == pytest.approx(37.5, abs=0.1)
    assert any("multi-token-prediction" in n for n in ds.notes)
    moe = hfconfig.load(str(MODELS / "qwen3-30b-a3b")).model
    assert moe.params_b == pytest.approx(30.5, abs=0.05) and moe.active_params_b == pytest.approx(3.3, abs=0.06)
    mix = hfconfig.load(str(MODELS / "wizardlm-2-8x22b")).model
    assert mix.params_b == pytest.approx(140.62, abs=0.01) and mix.active_params_b == pytest.approx(39.2, abs=0.1)


def test_total_size_not_total_parameters_which_counts_tied_embeddings_twice():
    ck = hfconfig.load(str(MODELS / "medgemma-27b-it"))
    assert ck.model.params_b * 1e9 == 54_864_813_280 / 2  # not metadata.total_parameters (28.84B)


def test_a_stub_index_with_total_size_0_is_unknown(tmp_path):
    shutil.copy(MODELS / "llama-3.1-8b-instruct" / "config.json", tmp_path / "config.json")
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"metadata": {"total_size": 0}, "weight_map": {}}))
    ck = hfconfig.load(str(tmp_path))
    assert ck.model.params_b * 1e9 == 8_030_261_248 and ck.params_from.startswith("config.json")


def _safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]], header_len: int | None = None) -> None:
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, (dtype, shape) in tensors.items():
        size = hfconfig.SAFETENSORS_BYTES[dtype]
        for d in shape:
            size *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw) if header_len is None else header_len) + raw + b"\0" * offset)


def test_safetensors_headers_count_parameters_without_reading_tensors(tmp_path):
    shutil.copy(MODELS / "phi3-mini-slerp-merge" / "config.json", tmp_path / "config.json")
    _safetensors(tmp_path / "model-00001-of-00002.safetensors", {"a": ("BF16", [1000, 3000]), "b": ("F32", [7])})
    _safetensors(tmp_path / "model-00002-of-00002.safetensors", {"c": ("BF16", [2, 5])})
    ck = hfconfig.load(str(tmp_path))
    assert ck.model.params_b * 1e9 == 3_000_000 + 7 + 10
    assert ck.weight_bytes == 6_000_000 + 28 + 20
    assert ck.params_from == "the headers of 2 safetensors files"


def test_a_partial_shard_set_is_refused_not_undercounted(tmp_path, run):
    # review of #15: one shard of four sized an 8B model at its first shard's parameters, silently
    shutil.copy(MODELS / "phi3-mini-slerp-merge" / "config.json", tmp_path / "config.json")
    _safetensors(tmp_path / "model-00001-of-00004.safetensors", {"a": ("BF16", [1000, 1000])})
    _safetensors(tmp_path / "model-00003-of-00004.safetensors", {"b": ("BF16", [10])})
    r = run("estimate", "--model", str(tmp_path), code=2)
    assert "has 2 of the 4 shards of model (missing model-00002-of-00004.safetensors and 1 more)" in r.stderr
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("header_len,why", [(10**12, "larger than the file"), (3, "not valid JSON")])
def test_a_bad_safetensors_header_is_one_line(tmp_path, run, header_len, why):
    shutil.copy(MODELS / "phi3-mini-slerp-merge" / "config.json", tmp_path / "config.json")
    _safetensors(tmp_path / "model.safetensors", {"a": ("BF16", [4])}, header_len=header_len)
    r = run("estimate", "--model", str(tmp_path), code=2)
    assert why in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


# ------------------------------------------------------------------ architecture traps


def test_head_dim_differs_from_hidden_over_heads():
    assert hfconfig.load(str(MODELS / "qwen3-32b")).model.head_dim == 128  # 5120 / 64 = 80
    assert hfconfig.load(str(MODELS / "gemma-2-9b-it")).model.head_dim == 256  # 3584 / 16 = 224
    assert hfconfig.load(str(MODELS / "qwen3-8b-tt-metal-no-head-dim")).model.head_dim == 128  # derived


def test_sliding_windows():
    qwen = hfconfig.load(str(MODELS / "qwen2.5-7b-instruct")).model
    assert qwen.sliding_window is None  # sliding_window 131072 but use_sliding_window false
    g2 = hfconfig.load(str(MODELS / "gemma-2-9b-it")).model
    assert (g2.sliding_window, g2.full_attention_layers) == (4096, 21)
    g3 = hfconfig.load(str(MODELS / "medgemma-27b-it")).model  # a 62-entry layer_types list
    assert (g3.sliding_window, g3.full_attention_layers, g3.layers) == (1024, 10, 62)


def test_gemma3_pattern_form_gives_the_same_layers_as_layer_types():
    cfg = json.loads((MODELS / "medgemma-27b-it" / "config.json").read_text())
    del cfg["text_config"]["layer_types"]
    cfg["text_config"]["sliding_window_pattern"] = 6
    m = hfconfig.from_config(cfg, "config.json").model
    assert m.full_attention_layers == 10 and m.sliding_window == 1024


def test_mla_caches_the_latent():
    m = hfconfig.load(str(MODELS / "deepseek-v3")).model
    assert m.kv_elements_per_token_layer == 512 + 64


def test_quantization_config():
    q4 = hfconfig.load(str(MODELS / "llama-2-13b-chat-gptq-4bit"))
    assert (q4.dtype, q4.quant.bits, q4.quant.group_size) == ("gptq", 4, 128)
    q3 = hfconfig.load(str(MODELS / "genz-70b-gptq-3bit"))
    assert (q3.dtype, q3.quant.group_size, q3.quant.scale_bytes()) == ("int3", -1, 0.0)
    assert hfconfig.load(str(MODELS / "deepseek-v3")).dtype == "fp8"  # overrides torch_dtype bfloat16


def test_gptq_3bit_weights_from_its_own_group_size(cat):
    est = estimate(cat, model=str(MODELS / "genz-70b-gptq-3bit"))
    w = _line(est, "weights")
    # (69.0B − 0.52B embeddings/lm_head) × 3/8 byte, per-channel scales (no group term), + 0.52B × 2 bytes
    assert w.gb * GIB / 1e9 == pytest.approx((68_976_648_192 - 524_288_000) * 0.375 / 1e9 + 1.048576, rel=1e-6)
    assert est.context == 4096


# ------------------------------------------------------------------ bad input


def _write(tmp_path: Path, cfg) -> str:
    p = tmp_path / "config.json"
    p.write_text(cfg if isinstance(cfg, str) else json.dumps(cfg))
    return str(p)


def test_unknown_architecture_lists_the_supported_ones(tmp_path, run):
    path = _write(tmp_path, {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": 12})
    r = run("estimate", "--model", path, code=2)
    assert "model_type 'gpt2' (GPT2LMHeadModel) is not supported" in r.stderr
    assert "llama" in r.stderr and "deepseek_v3" in r.stderr and "--params" in r.stderr
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("content,why", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must hold a JSON object"),
    ({"model_type": "llama", "num_hidden_layers": -1}, "num_hidden_layers must be a non-negative integer"),
    ({"model_type": "llama", "num_hidden_layers": 2}, "hidden_size is missing"),
])
def test_bad_configs_are_one_line(tmp_path, run, content, why):
    r = run("estimate", "--model", _write(tmp_path, content), code=2)
    assert why in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_a_directory_without_config(tmp_path, run):
    r = run("estimate", "--model", str(tmp_path), code=2)
    assert "has no config.json" in r.stderr


def test_missing_file(run):
    r = run("estimate", "--model", "./nope/config.json", code=2)
    assert "no such model" in r.stderr


def test_from_config_rejects_an_unknown_model_type_directly():
    with pytest.raises(UsageError, match="supported model types"):
        hfconfig.from_config({"model_type": "bert"}, "x.json")
