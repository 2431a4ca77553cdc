"""The recommendation engine: the providers' own guidance as cases, properties over random needs,
and the CLI's JSON against the contract."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpuadvisor import engine
from gpuadvisor.engine import Requirement, rank, resolve_workload
from gpuadvisor.errors import NoMatch, UnknownName, UsageError
from gpuadvisor.profiles import CRITERIA


def req(cat, vram, workload="general", **kw):
    return Requirement(vram, resolve_workload(cat, workload), **kw)


def top(cat, vram, workload="general", n=5, **kw):
    return rank(cat, req(cat, vram, workload, **kw)).candidates[:n]


# ------------------------------------------------------------------ the seeds' guidance


def test_image_24gb_picks_a_4090_class_card_first(cat):
    first = top(cat, 24, "image")[0]
    assert first.hw.id in ("rtx-4090", "rtx-5090") and first.count == 1


def test_video_picks_encoders_over_a100_h100(cat):
    ranked = rank(cat, req(cat, 30, "video")).candidates
    assert ranked[0].hw.nvenc > 0 and ranked[0].hw.av1_encode
    first_without = next(i for i, c in enumerate(ranked) if c.hw.nvenc == 0)
    a100_h100 = [i for i, c in enumerate(ranked) if c.hw.id in ("a100-40gb", "a100-80gb-sxm", "h100-sxm")]
    best_encoder = next(i for i, c in enumerate(ranked) if c.hw.nvenc >= 3 and c.hw.av1_encode)
    assert best_encoder < min(a100_h100) and best_encoder < first_without


def test_llm_70gb_hopper_before_a100(cat):
    ranked = rank(cat, req(cat, 70, "llm")).candidates
    assert ranked[0].hw.arch == "hopper" and ranked[0].total_vram_gb >= 80
    hopper80 = min(i for i, c in enumerate(ranked) if c.hw.id == "h100-sxm")
    a100_80 = min(i for i, c in enumerate(ranked) if c.hw.id.startswith("a100-80gb"))
    assert hopper80 < a100_80
    assert all(c.hw.arch in ("hopper", "blackwell") for c in ranked[:5])


@pytest.mark.parametrize("vram", [450, 500])
def test_very_large_llm_needs_multi_gpu_hopper_or_blackwell(cat, vram):
    picks = top(cat, vram, "llm")
    assert all(c.count > 1 for c in picks)
    assert all(c.hw.id in ("h100-sxm", "h200", "b200") for c in picks)
    assert all(c.count in (2, 4, 8) for c in picks)  # tensor-parallel friendly
    assert all(c.count <= c.offering.max_count for c in picks)


def test_training_multi_gpu_favours_nvlink(cat):
    picks = rank(cat, req(cat, 300, "training")).candidates
    nvlinked = [c for c in picks if c.hw.nvlink_group >= c.count]
    assert picks[0] in nvlinked
    pcie_only = [i for i, c in enumerate(picks) if c.count > 1 and not c.hw.nvlink_gb_s]
    assert not pcie_only or min(pcie_only) > 5


def test_one_gpu_preferred_when_it_fits(cat):
    first = top(cat, 40, "general")[0]
    assert first.count == 1


def test_budget_training_prefers_cheaper_at_equal_fit(cat):
    picks = top(cat, 16, "embedding", n=3)
    assert all(c.total_vram_gb <= 24 for c in picks)


# ------------------------------------------------------------------ limits and constraints


def test_nothing_fits_says_the_largest_per_provider(cat):
    with pytest.raises(NoMatch) as e:
        rank(cat, req(cat, 5000, "llm"))
    msg = str(e.value)
    assert e.value.exit_code == 1
    for provider in ("modal", "runpod", "fal"):
        assert provider in msg
    assert "1,440 GB" in msg


def test_max_gpus_limits_count(cat):
    picks = rank(cat, req(cat, 300, "llm", max_gpus=2)).candidates
    assert picks and all(c.count <= 2 for c in picks)
    with pytest.raises(NoMatch, match="at most 1 GPU"):
        rank(cat, req(cat, 300, "llm", max_gpus=1))


def test_modal_a10_never_more_than_4(cat):
    picks = rank(cat, req(cat, 90, "general", providers=("modal",))).candidates
    assert all(c.count <= 4 for c in picks if c.offering.name == "A10")
    assert any(c.offering.name == "A10" and c.count == 4 for c in picks)


def test_min_nvenc_is_a_hard_filter(cat):
    picks = rank(cat, req(cat, 40, "general", min_nvenc=3)).candidates
    assert picks and all(c.hw.nvenc >= 3 for c in picks)


def test_budget_excludes_unpriced_and_expensive(cat):
    r = rank(cat, req(cat, 70, "llm", budget_per_hour=3.0))
    assert all(c.total_price_per_hour is not None and c.total_price_per_hour <= 3.0 for c in r.candidates)
    assert r.excluded["over_budget"] > 0
    with pytest.raises(NoMatch, match="cost more than"):
        rank(cat, req(cat, 70, "llm", budget_per_hour=0.5))


def test_provider_filter(cat):
    picks = rank(cat, req(cat, 70, "llm", providers=("RunPod",))).candidates
    assert {c.offering.provider for c in picks} == {"runpod"}


def test_pools_with_one_member_cpu_legacy_and_any_are_not_candidates(cat):
    names = {(c.offering.provider, c.offering.name) for c in rank(cat, req(cat, 10, "general")).candidates}
    assert ("runpod", "ANY") not in names and ("runpod", "ADA_24") not in names
    assert ("fal", "GPU-A6000") not in names and ("fal", "XL") not in names
    assert ("runpod", "AMPERE_48") in names


@pytest.mark.parametrize("vram", [0, -5, float("nan"), float("inf")])
def test_bad_vram(cat, vram):
    with pytest.raises(UsageError):
        rank(cat, req(cat, vram))


def test_unknown_workload_suggests(cat):
    with pytest.raises(UnknownName, match="did you mean 'training'"):
        resolve_workload(cat, "trainig")
    assert resolve_workload(cat, "LoRA").id == "fine-tune"
    assert resolve_workload(cat, None).id == "general"


def test_reasons_and_configs(cat):
    first = top(cat, 70, "llm")[0]
    assert first.reasons[0] == "fits 70 GB with 10 GB to spare"
    assert any("GB/s" in r and "LLM decoding" in r for r in first.reasons)
    by_provider = {c.offering.provider: c for c in rank(cat, req(cat, 150, "llm")).candidates if c.hw.id == "h100-sxm"}
    assert by_provider["modal"].config == 'gpu="H100:2"'
    assert by_provider["runpod"].config == "gpu=GpuType.NVIDIA_H100_80GB_HBM3, gpu_count=2"
    assert by_provider["fal"].config == 'machine_type = "GPU-H100"\nnum_gpus = 2'


def test_unpriced_options_say_so(cat):
    c = next(c for c in rank(cat, req(cat, 24, "image")).candidates if c.offering.name == "GPU-RTX4090")
    assert "no dated price in the catalog" in c.reasons
    assert c.scores["price"] == engine.UNKNOWN_PRICE_SCORE


# ------------------------------------------------------------------ criteria, directly


def test_score_fit_prefers_headroom_without_waste():
    assert engine.score_fit(80, 70, 0.1) > engine.score_fit(141, 70, 0.1) > engine.score_fit(180, 70, 0.1)
    assert engine.score_fit(70, 70, 0.1) < engine.score_fit(80, 70, 0.1)
    assert engine.score_fit(24, 24, 0.0) == 1.0


def test_score_interconnect(cat):
    g = cat.gpus
    assert engine.score_interconnect(g["h100-sxm"], 8) > engine.score_interconnect(g["a100-80gb-pcie"], 4) > \
        engine.score_interconnect(g["l40s"], 4)
    assert engine.score_interconnect(g["l40s"], 1) == 1.0


def test_score_video(cat):
    g = cat.gpus
    assert engine.score_video(g["l40s"]) > engine.score_video(g["rtx-a6000"]) > engine.score_video(g["h100-sxm"])


# ------------------------------------------------------------------ properties

needs = st.floats(min_value=0.5, max_value=1500, allow_nan=False)
workload_ids = st.sampled_from(["general", "llm", "training", "fine-tune", "image", "video", "audio", "embedding"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(need=needs, wid=workload_ids, max_gpus=st.one_of(st.none(), st.integers(1, 8)))
def test_every_pick_fits_within_limits(cat, need, wid, max_gpus):
    try:
        ranked = rank(cat, req(cat, need, wid, max_gpus=max_gpus)).candidates
    except NoMatch:
        limit = max_gpus or 8
        assert need > max(o.vram_gb * min(o.max_count, limit) for o in cat.offerings if engine.recommendable(o))
        return
    for c in ranked:
        assert c.total_vram_gb >= need
        assert 1 <= c.count <= c.offering.max_count and (max_gpus is None or c.count <= max_gpus)
        assert 0 <= c.score <= 1
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


@SETTINGS
@given(a=needs, b=needs, wid=workload_ids)
def test_a_larger_need_never_yields_a_smaller_total(cat, a, b, wid):
    small, large = sorted((a, b))
    try:
        big = {(c.offering.provider, c.offering.name): c.total_vram_gb for c in rank(cat, req(cat, large, wid)).candidates}
    except NoMatch:
        return
    little = {(c.offering.provider, c.offering.name): c.total_vram_gb for c in rank(cat, req(cat, small, wid)).candidates}
    for key, total in big.items():
        assert key in little and total >= little[key]
    assert min(big.values()) >= min(little.values())


@SETTINGS
@given(need=st.floats(min_value=1, max_value=600), wid=workload_ids, criterion=st.sampled_from(CRITERIA))
def test_raising_a_weight_moves_its_best_option_up(cat, need, wid, criterion):
    base = resolve_workload(cat, wid)
    try:
        before = rank(cat, Requirement(need, base)).candidates
    except NoMatch:
        return
    best_value = max(c.scores[criterion] for c in before)
    best = [i for i, c in enumerate(before) if c.scores[criterion] == best_value]
    weights = dict(base.weights)
    weights[criterion] = weights.get(criterion, 0) + 20
    boosted = dataclasses.replace(base, weights=tuple(weights.items()))
    after = rank(cat, Requirement(need, boosted)).candidates
    keys_before = [(c.offering.provider, c.offering.name) for c in before]
    keys_after = [(c.offering.provider, c.offering.name) for c in after]
    best_rank_before = min(best)
    best_rank_after = min(keys_after.index(keys_before[i]) for i in best)
    assert best_rank_after <= best_rank_before
    # an overwhelming weight makes the criterion decide: the top pick is (within 1%) its best
    weights[criterion] = 1000.0
    dominated = dataclasses.replace(base, weights=tuple(weights.items()))
    first = rank(cat, Requirement(need, dominated)).candidates[0]
    assert first.scores[criterion] >= best_value - 0.02


# ------------------------------------------------------------------ CLI


def test_cli_json_matches_the_contract(run):
    data = run.json("recommend", "--vram", "70", "--workload", "llm")
    assert data["query"]["vram_gb"] == 70 and data["query"]["workload"] == "llm"
    recs = data["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3, 4, 5]
    for r in recs:
        assert {"rank", "provider", "name", "gpu", "count", "vram_gb", "total_vram_gb", "score", "reasons", "config",
                "price_per_hour"} <= set(r)
        assert r["total_vram_gb"] >= 70 and r["total_vram_gb"] == r["vram_gb"] * r["count"]
        assert r["reasons"] and r["config"]
    assert recs[0]["gpu"] in ("h100-sxm", "h200", "b200")
    assert [r["score"] for r in recs] == sorted((r["score"] for r in recs), reverse=True)


def test_cli_video_puts_nvenc_first(run, cat):
    data = run.json("recommend", "--vram", "30", "--workload", "video")
    assert cat.gpus[data["recommendations"][0]["gpu"]].nvenc > 0


def test_cli_500_multi_gpu_within_limits(run, cat):
    data = run.json("recommend", "--vram", "500", "--workload", "llm", "--top", "10")
    for r in data["recommendations"]:
        assert r["count"] > 1
        assert r["count"] <= cat.lookup(r["provider"], r["name"]).max_count


def test_cli_5000_exits_1_with_the_largest(run):
    result = run("recommend", "--vram", "5000", "--workload", "llm", code=1)
    assert "Largest possible" in result.stderr and "1,440 GB" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args,fragment", [
    (["--vram", "0"], "--vram must be a positive"),
    (["--vram", "-1"], "--vram must be a positive"),
    (["--vram", "70", "-w", "llmm"], "did you mean 'llm'"),
    (["--vram", "70", "-p", "runpd"], "did you mean 'runpod'"),
    (["--vram", "70", "--top", "0"], "--top must be 1 or more"),
    (["--vram", "70", "--max-gpus", "0"], "--max-gpus must be 1 or more"),
    (["--vram", "70", "--budget", "-2"], "--budget must be a positive"),
    (["--workload", "llm"], "--vram"),
])
def test_cli_bad_values_exit_2(run, args, fragment):
    result = run("recommend", *args, code=2)
    assert len(result.stderr.strip().splitlines()) == 1 and fragment in result.stderr


def test_cli_explain_table(run):
    out = run("recommend", "--vram", "24", "-w", "image", "--explain").stdout
    assert "Score breakdown" in out and "single_gpu" in out and "fal:" in out


def test_cli_top_and_breakdown_in_json(run):
    data = run.json("recommend", "--vram", "16", "--top", "2")
    assert len(data["recommendations"]) == 2
    bd = data["recommendations"][0]["breakdown"]
    assert set(bd) == {k for k, v in data["workload"]["weights"].items()}


def test_user_workload_profile(run, extra_dir):
    extra_dir("mine.toml", """
        [workload.cheap]
        description = "Only price matters"
        weights = { price = 1.0 }
    """)
    data = run.json("recommend", "--vram", "20", "-w", "cheap", "--top", "3")
    prices = [r["total_price_per_hour"] for r in data["recommendations"]]
    assert None not in prices and prices == sorted(prices)
