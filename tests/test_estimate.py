"""Model-aware sizing: published figures, properties, size parsing, and the CLI."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpuadvisor.engine import job_from_estimate, smallest_per_provider
from gpuadvisor.errors import GpuAdvisorError, UnknownName, UsageError
from gpuadvisor.estimate import DTYPE_BYTES, GIB, estimate, resolve_model
from gpuadvisor.perf import llm as llm_decode
from gpuadvisor.units import parse_context, parse_params_b

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def line(est, name):
    return next(ln for ln in est.lines if ln.name == name)


# ------------------------------------------------------------------ published figures


def test_70b_bf16_weights_about_140_gb(cat):
    est = estimate(cat, model="llama-3.1-70b", dtype="bf16", context=8192)
    w = line(est, "weights")
    assert w.gb * GIB / 1e9 == pytest.approx(141.2, rel=0.01)  # 70.6B × 2 bytes in decimal GB
    assert "141.2 GB" in w.formula
    assert est.total_gb > 80  # never one 80 GB GPU


def test_405b_fp8_about_410_gb_and_multi_gpu(cat):
    est = estimate(cat, model="llama-3.1-405b", dtype="fp8", context=8192)
    # 401.7B quantized params × 1 byte + 2 × 128,256 × 16,384 embedding/lm_head params kept in bf16
    assert line(est, "weights").gb * GIB / 1e9 == pytest.approx(410.1, rel=0.005)
    assert "16-bit embeddings and lm_head" in line(est, "weights").formula
    fits = smallest_per_provider(cat, est.total_gb, pow2=True)
    assert fits["beam"] is None  # at most 2 × 80 GB on Beam
    for pid, fit in fits.items():
        if fit is not None:
            off, count = fit
            assert count > 1 and off.vram_gb * count >= est.total_gb, pid


def test_int4_keeps_embeddings_in_16_bit_and_adds_scales(cat):
    # audit E15: an AWQ/GPTQ Llama 3.1 8B checkpoint is about 5.7 GB, not 8.03B × 0.5 = 4.0 GB
    est = estimate(cat, model="llama-3.1-8b", dtype="int4", context=8192)
    assert line(est, "weights").gb * GIB / 1e9 == pytest.approx(5.73, abs=0.1)
    # audit E26: 70B int4 at 32k needs about 50 GiB, more than a 48 GB card's 45 GiB usable
    big = estimate(cat, model="llama-3.1-70b", dtype="int4", context=32768)
    assert 49 < big.total_gb < 52


def test_quantized_params_model_says_which_vocabulary_it_assumed(cat):
    est = estimate(cat, params=8.0, dtype="int4", context=8192)
    assert any("128,256-token vocabulary" in n for n in est.notes)
    assert line(est, "weights").gb * GIB / 1e9 > 4.5  # not the naive 4.0 GB


def test_llama_8b_kv_cache_at_128k_bf16_is_16_gib(cat):
    est = estimate(cat, model="llama-3.1-8b", context=131072, dtype="bf16", kv_dtype="bf16")
    assert line(est, "KV cache").gb == pytest.approx(16.0, rel=0.001)


def test_fp8_kv_cache_halves_it(cat):
    a = estimate(cat, model="llama-3.1-8b", context=65536)
    b = estimate(cat, model="llama-3.1-8b", context=65536, kv_dtype="fp8")
    assert line(b, "KV cache").gb == pytest.approx(line(a, "KV cache").gb / 2)


def test_sliding_window_and_mla_shrink_the_cache(cat):
    gemma = estimate(cat, model="gemma-3-27b", context=131072)
    m = resolve_model(cat, "gemma-3-27b")
    naive = 2 * m.kv_heads * m.head_dim * m.layers * 131072 * 2 / GIB
    assert line(gemma, "KV cache").gb < naive / 4
    ds = estimate(cat, model="deepseek-v3", context=131072)
    assert line(ds, "KV cache").gb == pytest.approx(576 * 61 * 131072 * 2 / GIB)
    assert ds.dtype == "fp8"  # released in FP8


def test_moe_holds_all_weights_but_reads_active(cat):
    est = estimate(cat, model="mixtral-8x7b", context=4096)
    assert line(est, "weights").gb == pytest.approx(46.7e9 * 2 / GIB)
    # a decode step reads the active experts (12.9B params), not all 46.7B
    assert est.active_weight_bytes < 13e9 * 2 and est.active_weight_bytes > 12e9 * 2
    h100 = cat.gpus["h100-sxm"]
    job = job_from_estimate(cat, est, cat.workloads["llm"])
    dense_like = dataclasses.replace(job, read_bytes=46.7e9 * 2)
    assert llm_decode(cat.perf, job, h100, 2).value > 2.5 * llm_decode(cat.perf, dense_like, h100, 2).value


def test_decode_reads_weights_and_kv_once_per_step(cat):
    est = estimate(cat, model="llama-3.1-70b", dtype="fp8", context=8192)
    # fp8 70B: 68.5B quantized params read at 1 byte, the 1.05B lm_head at 2; the input embedding is a lookup
    assert est.active_weight_bytes == pytest.approx(70.6e9, rel=0.01)
    job = job_from_estimate(cat, est, cat.workloads["llm"])
    h200 = cat.gpus["h200"]
    one = llm_decode(cat.perf, job, h200, 1)
    bw = h200.bandwidth_gb_s * 1e9 * cat.perf.bandwidth(h200)
    eng = cat.perf.engine()
    step = est.active_weight_bytes / (bw * eng.weight_efficiency("HBM", "fp8")) + est.kv_bytes_per_sequence / bw
    assert one.value == pytest.approx(1 / (step + 80 * eng.overhead_us_per_layer * 1e-6))
    assert "memory-bound" in one.formula


def test_training_modes(cat):
    full = estimate(cat, model="llama-3.1-8b", mode="full")
    assert line(full, "optimizer states").gb == pytest.approx(8.03e9 * 12 / GIB)
    assert full.total_gb > 16 * 8.03e9 / GIB
    lora = estimate(cat, model="llama-3.1-8b", mode="lora")
    qlora = estimate(cat, model="llama-3.1-8b", mode="qlora")
    assert qlora.total_gb < lora.total_gb < full.total_gb
    assert qlora.dtype == "nf4" and qlora.total_gb < 15  # QLoRA of an 8B fits a 16 GB card (T4: 15 GiB usable)
    with pytest.raises(UsageError, match="4 bits"):
        estimate(cat, model="llama-3.1-8b", mode="qlora", dtype="bf16")


def test_training_counts_logits(cat):
    # audit E13/R22: vocab-wide fp32 logits for every token of the batch
    est = estimate(cat, model="qwen2.5-7b", mode="full", context=8192, batch=4)
    assert line(est, "logits").gb == pytest.approx(4 * 8192 * 152064 * 4 / GIB)
    assert "152,064 vocab" in line(est, "logits").formula


def test_diffusion_batch_scales_activations_not_encoders(cat):
    # audit E16: Flux at batch 4 needs about 38–40 GiB, not 65
    one, four = estimate(cat, model="flux.1-dev"), estimate(cat, model="flux.1-dev", batch=4)
    assert 36 < four.total_gb < 40
    enc = line(four, "text encoders, VAE")
    assert enc.gb == line(one, "text encoders, VAE").gb and "not multiplied by the batch" in enc.formula
    assert line(four, "activations, overhead").gb == pytest.approx(4 * line(one, "activations, overhead").gb)


def test_diffusion_uses_documented_need(cat):
    flux = estimate(cat, model="flux.1-dev")
    assert flux.total_gb == pytest.approx(33)
    fp8 = estimate(cat, model="FLUX", dtype="fp8")
    assert fp8.total_gb < flux.total_gb and fp8.approximate
    with pytest.raises(UsageError, match="only --mode inference"):
        estimate(cat, model="sdxl", mode="lora")


def test_unknown_model_by_params_is_approximate(cat):
    est = estimate(cat, params=70, context=8192)
    assert est.approximate and any("approximated" in n for n in est.notes)
    known = estimate(cat, model="llama-3.1-70b", context=8192)
    assert est.total_gb == pytest.approx(known.total_gb, rel=0.1)


def test_model_names(cat):
    assert resolve_model(cat, "Meta-Llama/Llama-3.1-70B-Instruct").id == "llama-3.1-70b"
    with pytest.raises(UnknownName, match="did you mean 'llama-3.1-70b'"):
        resolve_model(cat, "llama-3.1-70")


@pytest.mark.parametrize("kwargs,fragment", [
    ({}, "give --model"), ({"model": "sdxl", "params": 3.0}, "not both"), ({"model": "sdxl", "batch": 0}, "--batch"),
    ({"model": "llama-3.1-8b", "dtype": "fp7"}, "unknown dtype"), ({"model": "llama-3.1-8b", "mode": "rlhf"}, "unknown mode"),
    ({"model": "llama-3.1-8b", "kv_dtype": "int4"}, "unknown KV cache dtype"),
])
def test_bad_estimates(cat, kwargs, fragment):
    with pytest.raises(UsageError, match=fragment):
        estimate(cat, **kwargs)


# ------------------------------------------------------------------ properties

models = st.sampled_from(["llama-3.1-8b", "llama-3.1-70b", "qwen2.5-7b", "mixtral-8x7b", "deepseek-v3", "gemma-2-9b",
                          "gemma-3-27b", "qwen3-30b-a3b"])
contexts = st.integers(1, 1_000_000)
ordered_dtypes = ["fp32", "bf16", "fp8", "int4"]


@SETTINGS
@given(model=models, a=contexts, b=contexts, mode=st.sampled_from(["inference", "lora", "full"]))
def test_more_context_never_needs_less(cat, model, a, b, mode):
    small, large = sorted((a, b))
    assert estimate(cat, model=model, context=large, mode=mode).total_gb >= \
        estimate(cat, model=model, context=small, mode=mode).total_gb


@SETTINGS
@given(model=models, ctx=contexts, i=st.integers(0, 3), j=st.integers(0, 3))
def test_smaller_dtype_never_needs_more(cat, model, ctx, i, j):
    big, small = ordered_dtypes[min(i, j)], ordered_dtypes[max(i, j)]
    assert DTYPE_BYTES[small] <= DTYPE_BYTES[big]
    assert estimate(cat, model=model, context=ctx, dtype=small).total_gb <= \
        estimate(cat, model=model, context=ctx, dtype=big).total_gb


@SETTINGS
@given(model=models, ctx=contexts, a=st.integers(1, 64), b=st.integers(1, 64))
def test_bigger_batch_never_needs_less(cat, model, ctx, a, b):
    small, large = sorted((a, b))
    assert estimate(cat, model=model, context=ctx, batch=large).total_gb >= \
        estimate(cat, model=model, context=ctx, batch=small).total_gb


# ------------------------------------------------------------------ sizes


@pytest.mark.parametrize("text,billions", [("70B", 70), ("7.5b", 7.5), ("405b", 405), ("1.3T", 1300), ("350M", 0.35),
                                           ("70", 70), ("7000000000", 7), ("13 B", 13), ("2e9", 2)])
def test_parse_params(text, billions):
    assert parse_params_b(text) == pytest.approx(billions)


@pytest.mark.parametrize("text,tokens", [("32k", 32768), ("128K", 131072), ("1M", 1048576), ("4096", 4096),
                                         ("8k", 8192), ("1.5k", 1536), ("32000", 32000)])
def test_parse_context(text, tokens):
    assert parse_context(text) == tokens


@pytest.mark.parametrize("text", ["", "abc", "-5B", "0B", "70X", "B70", "1e400", "NaN", "inf", "70BB", "9" * 50])
def test_bad_params(text):
    with pytest.raises(UsageError):
        parse_params_b(text)


@pytest.mark.parametrize("text", ["", "k", "0", "-1k", "32q", "1e12", "½k", "nan"])
def test_bad_context(text):
    with pytest.raises(UsageError):
        parse_context(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_size_parsers_only_raise_the_tools_error(text):
    for parse in (parse_params_b, parse_context):
        try:
            parse(text)
        except GpuAdvisorError:
            pass


# ------------------------------------------------------------------ CLI


def test_cli_estimate_json(run):
    data = run.json("estimate", "--model", "llama-3.1-70b", "--dtype", "fp8", "--context", "32k")
    est = data["estimate"]
    assert est["model"] == "llama-3.1-70b" and est["context"] == 32768 and est["dtype"] == "fp8"
    assert [ln["name"] for ln in est["lines"]] == ["weights", "KV cache", "runtime overhead"]
    assert all(ln["formula"] for ln in est["lines"])
    assert est["total_gb"] == pytest.approx(sum(ln["gb"] for ln in est["lines"]), abs=0.01)
    assert set(data["smallest_fit"]) == {"modal", "runpod", "fal", "replicate", "beam", "baseten", "cerebrium"}
    for fit in data["smallest_fit"].values():
        assert fit["total_vram_gb"] >= est["total_gb"]


def test_cli_estimate_table(run):
    out = run("estimate", "--model", "llama-3.1-70b", "--dtype", "fp8", "--context", "32k").stdout
    assert "KV cache" in out and "2 × 8 KV heads × 128 dim × 80 layers × 32,768 tokens" in out
    assert "Smallest configuration per provider" in out


def test_cli_recommend_model_405b(run):
    data = run.json("recommend", "--model", "llama-3.1-405b", "--dtype", "fp8", "--workload", "llm")
    assert data["query"]["estimate"]["model"] == "llama-3.1-405b"
    recs = data["recommendations"]
    assert recs and all(r["count"] > 1 for r in recs)
    for r in recs:
        assert r["throughput"]["unit"] == "tokens/s" and r["throughput"]["value"] > 0
        assert r["total_usable_gib"] >= data["query"]["vram_gb"]


def test_cli_recommend_model_picks_workload(run):
    assert run.json("recommend", "--model", "flux.1-dev")["query"]["workload"] == "image"
    assert run.json("recommend", "--model", "llama-3.1-8b", "--mode", "qlora")["query"]["workload"] == "fine-tune"


@pytest.mark.parametrize("args,fragment", [
    (["recommend", "--model", "llama-3.1-8b", "--vram", "20"], "not both"),
    (["recommend", "--dtype", "fp8", "--vram", "20"], "add --model"),
    (["recommend"], "give --vram"),
    (["estimate", "--model", "lama-3.1-8b"], "did you mean"),
    (["estimate", "--params", "big"], "invalid parameter count"),
    (["estimate", "--model", "llama-3.1-8b", "--context", "-3"], "context"),
    (["estimate", "--model", "llama-3.1-8b", "--overhead", "-1"], "--overhead"),
])
def test_cli_estimate_errors(run, args, fragment):
    result = run(*args, code=2)
    assert len(result.stderr.strip().splitlines()) == 1 and fragment in result.stderr


def test_user_model(run, extra_dir):
    extra_dir("models.toml", """
        [model.tiny-3b]
        name = "Tiny 3B"
        params_b = 3
        layers = 26
        kv_heads = 4
        head_dim = 128
        context = 8192
        sources = ["https://example.com/tiny"]
    """)
    data = run.json("estimate", "--model", "TINY-3B")
    assert data["estimate"]["model"] == "tiny-3b"
    assert "tiny-3b" in {m["id"] for m in run.json("models")}


# ------------------------------------------------------------------ warnings travel with the estimate (issue 13)


def test_context_beyond_the_model_warns_in_estimate_and_recommend(run):
    est = run.json("estimate", "--model", "llama-3.1-8b", "--context", "1M")["estimate"]
    assert any("beyond Llama 3.1 8B's 128k" in w for w in est["warnings"])
    out = run("recommend", "--model", "llama-3.1-8b", "--context", "1M", "--top", "1").stdout
    assert "warning: --context 1M is beyond Llama 3.1 8B's 128k" in out
    data = run.json("recommend", "--model", "llama-3.1-8b", "--context", "1M", "--top", "1")
    assert data["query"]["estimate"]["warnings"]


def test_context_on_a_diffusion_model_says_it_is_ignored(run):
    out = run("recommend", "--model", "sdxl", "--context", "8k", "--top", "1").stdout
    assert "--context applies to language models; ignored for Stable Diffusion XL 1.0" in out
    est = run.json("estimate", "--model", "sdxl", "--kv-dtype", "fp8")["estimate"]
    assert est["warnings"] == ["--kv-dtype applies to language models; ignored for Stable Diffusion XL 1.0 (a diffusion model)"]


def test_a_need_nothing_reaches_names_the_context_and_its_kv_share(run):
    result = run("recommend", "--model", "llama-3.1-405b", "--context", "1M", "--batch", "4", code=1)
    [line] = result.stderr.strip().splitlines()
    assert "at 1M context × batch 4: the KV cache is 2,016 of 2,912 GiB" in line and "--context" in line


@pytest.mark.parametrize("args,fragment", [
    (["--overhead-gb", "-1"], "--overhead-gb must be 0 or more GiB, not -1"),
    (["--overhead", "-0.5"], "--overhead must be a fraction from 0 to 5"),
])
def test_overhead_errors_name_the_option_typed(run, args, fragment):
    result = run("estimate", "--model", "llama-3.1-8b", *args, code=2)
    assert fragment in result.stderr


def test_diffusion_smallest_fit_is_one_gpu(run):
    fits = run.json("estimate", "--model", "flux.1-dev")["smallest_fit"]
    assert all(f is None or f["count"] == 1 for f in fits.values())
    assert fits["runpod"]["name"] == "NVIDIA_RTX_A6000"


def test_smallest_fit_is_the_fewest_gpus_then_the_cheapest(run, cat):
    """Audit 2026-12-04 W4 (E3): Gemma-2-27B (bf16, 56.5 GiB) got Baseten T4:4 ($4.69/h) and Cerebrium
    TURING_T4 ×4 because the table minimised total memory; one A100 80GB costs less and runs bf16."""
    from gpuadvisor.pricing import worker_quote

    data = run.json("estimate", "--model", "gemma-2-27b")
    fits = data["smallest_fit"]
    assert (fits["baseten"]["name"], fits["baseten"]["count"]) == ("A100", 1)
    assert (fits["cerebrium"]["name"], fits["cerebrium"]["count"]) == ("AMPERE_A100_80GB", 1)
    need = data["estimate"]["total_gb"]
    for pid, fit in fits.items():  # nothing that fits has fewer GPUs, or as few and a lower price
        for off in cat.offerings_of(pid):
            if not off.recommend or off.legacy or off.kind != "gpu" or off.hw.arch in ("turing", "volta", "pascal"):
                continue
            n = off.fixed_count or off.gpus_for(need)
            if n > off.max_count or off.usable_gib * n < need:
                continue
            q = worker_quote(cat, off, n)
            assert n >= fit["count"], (pid, off.name, n)
            if n == fit["count"] and q is not None:
                assert q.per_hour * n >= fit["price_per_hour"] - 1e-3, (pid, off.name)


def test_smallest_fit_offers_no_turing_for_a_bf16_model(run):
    """W4 (E3, E8, E14): Turing has no bf16; a bf16 model's smallest fit was T4 ×4 or ×8."""
    for args in (["--model", "gemma-2-27b"], ["--model", "qwen2.5-14b", "--context", "128k"],
                 ["--params", "57B", "--context", "32k"]):
        fits = run.json("estimate", *args)["smallest_fit"]
        assert all(f is None or not f["gpu"].startswith("t4") for f in fits.values()), (args, fits)
    gpus = {d: {p: f["gpu"] for p, f in run.json("estimate", "--params", "3B", "--dtype", d, "--context", "4k")[
        "smallest_fit"].items() if f} for d in ("fp16", "bf16")}
    assert gpus["fp16"]["modal"] == "t4" and gpus["bf16"]["modal"] == "l4"  # fp16 runs on Turing; bf16 does not


def test_models_lists_whisper_an_embedding_model_and_a_reranker(run):
    """Newcomer audit 2026-12-04 stumble 8: no Whisper, embedding or reranker entries, so users guessed --vram."""
    models = {m["id"]: m for m in run.json("models")}
    assert models["whisper-large-v3"]["kind"] == "audio" and models["whisper-large-v3"]["sources"]
    assert models["bge-m3"]["kind"] == "embedding"
    assert "reranker" in models["bge-reranker-v2-m3"]["name"].lower()
    rec = run.json("recommend", "--model", "whisper-large-v3", "--top", "1")
    assert rec["query"]["workload"] == "audio"
    assert rec["query"]["vram_gib"] == 10
    assert run.json("recommend", "--model", "bge-reranker-v2-m3", "--top", "1")["query"]["workload"] == "embedding"
