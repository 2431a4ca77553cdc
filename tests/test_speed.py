"""`gpuadvisor speed MODEL GPU[:N]`: the performance model asked directly (CLI, JSON, bad input)."""

from __future__ import annotations

import pytest

from gpuadvisor.perf.speed import SpeedQuery, parse_gpu, speed


def test_speed_json_has_the_contract_fields(run):
    d = run.json("speed", "llama-3.1-8b", "h100-sxm", "--tokens-in", "1000", "--tokens-out", "200", "--batch", "32")
    for key in ("model", "gpu", "count", "batch", "throughput", "per_stream", "ttft_s", "tpot_ms", "request_s", "bound",
                "max_batch", "formula", "inputs", "assumptions"):
        assert key in d, key
    assert d["gpu"] == "h100-sxm" and d["count"] == 1 and d["batch"] == 32
    assert d["throughput"]["unit"] == "output tokens/s" and d["throughput"]["value"] > 0
    assert d["per_stream"]["value"] == pytest.approx(d["throughput"]["value"] / 32, rel=1e-3)
    assert d["tpot_ms"] > 0 and d["ttft_s"] > 0 and d["request_s"] > d["ttft_s"]
    assert d["bound"] in ("memory", "compute", "interconnect")  # the contract's three; bound_detail says more
    assert d["max_batch"] >= 32


def test_speed_default_batch_is_the_most_that_fit_and_is_said(run):
    d = run.json("speed", "llama-3.1-70b", "h100-sxm:2", "--dtype", "fp8")
    assert d["batch"] == d["max_batch"] > 1
    assert any("the most sequences" in a for a in d["assumptions"])


def test_speed_takes_any_provider_name_and_a_count(cat):
    assert parse_gpu(cat, "h100-sxm:2")[0].id == "h100-sxm"
    assert parse_gpu(cat, "A100:4")[2] == 4
    assert parse_gpu(cat, "GPU-H100")[0].id.startswith("h100")


def test_speed_text_is_a_short_table_with_the_formula(run):
    r = run("speed", "llama-3.1-8b", "l40s", "--batch", "8")
    assert r.exit_code == 0
    for words in ("output tokens/s", "time to first token", "time per output token", "bound by", "formula:"):
        assert words in r.stdout
    assert len(r.stdout.splitlines()) < 25


def test_speed_for_images_and_training(run):
    img = run.json("speed", "sdxl", "l40s", "--steps", "20")
    assert img["throughput"]["unit"] == "images/s" and img["per_stream"]["unit"] == "s/image"
    assert img["s_per_image"] == pytest.approx(1 / img["throughput"]["value"], rel=1e-3)
    fewer = run.json("speed", "sdxl", "l40s", "--steps", "10")
    assert fewer["throughput"]["value"] > 1.8 * img["throughput"]["value"]
    tr = run.json("speed", "llama-3.1-8b", "h100-sxm:8", "--mode", "full", "--batch", "4", "--context", "4k")
    assert tr["throughput"]["unit"] == "tokens/s" and tr["step_s"] > 0
    assert any("sharded over 8 GPUs" in a for a in tr["assumptions"])


def test_multi_gpu_batch_1_layer_split_is_said_and_barely_faster(cat):
    one = speed(cat, SpeedQuery("llama-3.1-70b", "rtx-4090:2", batch=1, dtype="int4", engine="llamacpp"))
    four = speed(cat, SpeedQuery("llama-3.1-70b", "rtx-4090:4", batch=1, dtype="int4", engine="llamacpp"))
    assert four.thr.value < 1.1 * one.thr.value
    assert any("split" in k and "by layers" in v for k, v in four.thr.inputs)


@pytest.mark.parametrize("args,words", [
    (("llama-3.1-8b", "h100-sxm:0"), "between 1 and"),
    (("llama-3.1-8b", "h100-sxm:x"), "whole number"),
    (("llama-3.1-8b", "h1000"), "did you mean"),
    (("llama-3.1-8b", "h100-sxm", "--batch", "0"), "--batch"),
    (("llama-3.1-8b", "h100-sxm", "--engine", "tgi"), "engine"),
    (("sdxl", "l40s", "--tokens-in", "10"), "LLM serving"),
    (("llama-3.1-8b", "h100-sxm", "--steps", "10"), "image and video"),
    (("llama-3.1-8b", "h100-sxm", "--batch", "100000", "--tokens-in", "100000", "--tokens-out", "1000"), "at most"),
])
def test_speed_bad_input_is_one_line_exit_2(run, args, words):
    r = run("speed", *args, code=2)
    assert r.exit_code == 2, r.stderr
    assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_a_model_that_does_not_fit_says_how_many_gpus(run):
    r = run("speed", "llama-3.1-70b", "l4", code=1)
    assert r.exit_code == 1 and "l4:" in r.stderr


def test_replicas_where_the_model_fits_on_fewer_gpus(run):
    """Issue 20: an 8B model on 8 H100s runs as 8 replicas (no all-reduce), not one 8-way split."""
    d = run.json("speed", "llama-3.1-8b", "h100-sxm:8")
    assert any("8 replicas of 1 GPU" in a for a in d["assumptions"])
    one = run.json("speed", "llama-3.1-8b", "h100-sxm")
    assert d["throughput"]["value"] == pytest.approx(8 * one["throughput"]["value"], rel=0.01)
    assert d["batch"] == d["max_batch"] == 8 * one["batch"]


def test_speed_for_speech_and_embedding_models(run):
    whisper = run.json("speed", "whisper-large-v3", "l4")
    assert whisper["throughput"]["unit"] == "× real time" and whisper["throughput"]["value"] > 1
    assert whisper["per_stream"]["unit"] == "s per 30 s of audio"
    emb = run.json("speed", "bge-m3", "l4")
    assert emb["throughput"]["unit"] == "tokens/s" and emb["bound"] == "compute"
