"""gpuadvisor cost: the contract's JSON, the README's worked example checked by hand, each
provider's billing rules and defaults, the dedicated-worker comparison, and bad input."""

from __future__ import annotations

import math

import pytest

from gpuadvisor.billing import DAY, MONTH
from gpuadvisor.cost import CostQuery, Settings, Traffic, cost, crossover

KEYS = {"provider", "name", "gpu", "count", "price_per_hour", "total_price_per_hour", "monthly", "per_request",
        "cold_starts_per_day", "utilisation"}
EXAMPLE = ("cost", "--requests-per-day", "10000", "--seconds-per-request", "2", "--max-workers", "1", "--cold-start", "10",
           "--gpu", "t4", "--gpu", "AMPERE_16", "--gpu", "rtx-4090", "--gpu", "h100", "--top", "10")


def _by_name(doc):
    return {(o["provider"], o["name"]): o for o in doc["options"]}


def _one_worker(price_per_hour: float, per_day=10_000, seconds=2.0, timeout=60.0, cold=10.0) -> float:
    """The README's hand calculation: one worker, Poisson arrivals (M/G/1 with set-up times)."""
    lam = per_day / DAY
    rho, x = lam * seconds, math.exp(-lam * timeout)
    starts = lam * (1 - rho) * x / (1 + lam * cold * x)  # per second
    idle = starts / x * (1 - x) / lam
    alive = rho + idle + starts * cold  # worker-seconds per second
    return alive * MONTH * price_per_hour / 3600


def test_worked_example_matches_the_hand_calculation(run):
    doc = run.json(*EXAMPLE)
    assert all(KEYS <= set(o) for o in doc["options"])
    assert set(doc["options"][0]["monthly"]) == {"total", "busy", "idle", "cold_starts", "min_workers"}
    opts = _by_name(doc)
    t4 = opts[("modal", "T4")]
    host = 4 * 0.02358 + 16 * 0.007992  # Modal bills CPU and RAM apart: 4 vCPUs and 16 GB, the assumed host
    assert t4["price"]["host_per_hour"] == pytest.approx(host, abs=1e-4)
    assert t4["monthly"]["total"] == pytest.approx(_one_worker(0.5904 + host), abs=0.02)  # Modal bills continuously
    assert t4["monthly"]["busy"] == pytest.approx(20_000 * MONTH / DAY * (0.5904 + host) / 3600, abs=0.01)
    assert t4["cold_starts_per_day"] == pytest.approx(7.4, abs=0.05)
    assert t4["utilisation"] == pytest.approx(0.2317, abs=0.001)
    assert t4["per_request"] == pytest.approx(t4["monthly"]["total"] / (10_000 * MONTH / DAY), rel=1e-3)
    h100 = opts[("modal", "H100")]
    assert h100["monthly"]["total"] == pytest.approx(_one_worker(3.9492 + host), abs=0.05)
    # RunPod rounds each worker session up to the second: half a second more per cold start
    pool = opts[("runpod", "AMPERE_16")]
    assert pool["monthly"]["total"] == pytest.approx(_one_worker(0.576) + 7.4 * 0.5 * MONTH / DAY * 0.576 / 3600, abs=0.02)
    assert pool["dedicated"]["monthly"] == pytest.approx(0.396 * 730, abs=0.01)  # active rate
    assert opts[("fal", "GPU-H100")]["price_estimated"] is True
    assert [o["monthly"]["total"] for o in doc["options"]] == sorted(o["monthly"]["total"] for o in doc["options"])


def test_provider_defaults_apply_where_no_flag_is_given(run):
    doc = run.json("cost", "-r", "10000", "-s", "2", "--gpu", "t4", "--gpu", "AMPERE_16", "--gpu", "rtx-4090", "--top", "20")
    opts = _by_name(doc)
    modal, runpod, fal = opts[("modal", "T4")], opts[("runpod", "AMPERE_16")], opts[("fal", "GPU-RTX4090")]
    assert modal["settings"]["max_workers"] is None and runpod["settings"]["max_workers"] == 1
    assert modal["settings"]["idle_timeout_s"] == runpod["settings"]["idle_timeout_s"] == fal["settings"]["idle_timeout_s"] == 60
    assert modal["settings"]["cold_start_s"] == pytest.approx(math.sqrt(1 * 96), rel=1e-3)
    assert fal["settings"]["cold_start_s"] == 10  # no published figure: the stated assumption
    # with no worker limit, overlapping requests start a second worker that then waits out the timeout
    assert modal["monthly"]["total"] > 1.5 * modal["dedicated"]["monthly"]
    assert modal["cold_starts_per_day"] > 100


def test_idle_timeout_outside_the_providers_range_is_clamped_and_said(run):
    doc = run.json("cost", "-r", "100", "-s", "2", "-p", "modal", "--gpu", "t4", "--idle-timeout", "5000")
    [o] = doc["options"]
    assert o["settings"]["idle_timeout_s"] == 1200
    assert any("scaledown_window allows 2–1200 s" in n for n in o["notes"])


def test_min_workers_are_billed_all_month(run):
    doc = run.json("cost", "-r", "100", "-s", "2", "-p", "runpod", "--gpu", "AMPERE_16", "--min-workers", "1")
    [o] = doc["options"]
    assert o["monthly"]["min_workers"] == pytest.approx(0.396 * 730, abs=0.01)  # RunPod's active rate
    assert o["monthly"]["busy"] == 0 and o["cold_starts_per_day"] < 0.01


def test_traffic_shapes_and_rps(run):
    flat = run.json("cost", "--rps", "0.5", "-s", "1", "-p", "modal", "--gpu", "l4")
    assert flat["query"]["requests_per_day"] == pytest.approx(43_200)
    office = run.json("cost", "--rps", "0.5", "-s", "1", "-p", "modal", "--gpu", "l4", "--shape", "business-hours")
    assert office["query"]["requests_per_day"] == pytest.approx(14_400)
    assert office["options"][0]["monthly"]["total"] < flat["options"][0]["monthly"]["total"]
    bursty = run.json("cost", "--rps", "0.5", "-s", "1", "-p", "modal", "--gpu", "l4", "--burstiness", "4")
    assert bursty["options"][0]["monthly"]["total"] != flat["options"][0]["monthly"]["total"]


def test_tokens_are_timed_per_gpu_with_the_model(run):
    doc = run.json("cost", "-r", "20000", "-m", "llama-3.1-8b", "--tokens-in", "500", "--tokens-out", "200", "--top", "50")
    secs = {o["gpu"]: o["seconds_per_request"] for o in doc["options"]}
    assert secs["h100-sxm"] < secs["l4"]  # a faster GPU takes less time per request
    assert all("prefill 500 tokens" in o["seconds_how"] for o in doc["options"])
    assert doc["query"]["estimate"]["context"] == 700


def test_a_model_directory_sizes_the_options(run):
    doc = run.json("cost", "-r", "1000", "-s", "3", "-m", "tests/fixtures/models/qwen2.5-7b-instruct", "--context", "8k")
    assert doc["query"]["vram_gb"] > 15 and all(o["gpu"] != "t4" or o["count"] >= 2 for o in doc["options"])


def test_crossover_is_where_the_bills_meet(cat):
    q = CostQuery(Traffic(3000), seconds_per_request=2.0, gpus=("AMPERE_16",), settings=Settings(max_workers=1))
    opt = cost(cat, q).options[0]
    cx = crossover(cat, q, opt)
    assert cx.kind == "at"
    at = cost(cat, CostQuery(Traffic(cx.requests_per_day), seconds_per_request=2.0, gpus=("AMPERE_16",),
                             settings=Settings(max_workers=1))).options[0]
    assert at.bill.total == pytest.approx(opt.dedicated_monthly, rel=0.005)


def test_text_output_has_the_table_bars_and_the_break_even(run):
    out = run(*EXAMPLE).stdout
    assert "$/month" in out and "1 always-on $/mo" in out
    assert "break even at" in out or "about the same" in out
    out = run(*EXAMPLE, "--explain").stdout  # the breakdown and settings: --explain (issue 25)
    assert "Where the month goes" in out and "busy 23% · idle 77%" in out
    assert "breaks even at" in out or "about the same here" in out
    assert "\x1b[" not in out  # plain text when not a terminal


def test_csv(run):
    out = run(*EXAMPLE, "--format", "csv").stdout.splitlines()
    shown = len(run.json(*EXAMPLE)["options"])
    assert out[0].startswith("provider,name,gpu,count") and "monthly_total" in out[0] and len(out) == 1 + shown


@pytest.mark.parametrize("args,message", [
    (("-s", "2"), "--requests-per-day N or --rps N"),
    (("-r", "10", "--rps", "1", "-s", "2"), "one of them"),
    (("-r", "10"), "give the work per request"),
    (("-r", "0", "-s", "2"), "must be a positive number"),
    (("-r", "10", "-s", "-1"), "--seconds-per-request must be more than 0"),
    (("-r", "10", "-s", "2", "--shape", "weekend"), "unknown traffic shape"),
    (("-r", "10", "-s", "2", "--burstiness", "0.5"), "--burstiness"),
    (("-r", "10", "-s", "2", "--min-workers", "3", "--max-workers", "2"), "cannot exceed --max-workers"),
    (("-r", "10", "--tokens-in", "5", "--tokens-out", "5"), "add --model"),
    (("-r", "10", "-s", "2", "--gpu", "h1000"), "did you mean"),
    (("-r", "1e9", "-s", "20"), "beyond this model"),
    (("-r", "10", "-s", "2", "-p", "modall"), "did you mean 'modal'"),
])
def test_bad_input_is_one_line(run, args, message):
    r = run("cost", *args, code=2)
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_nothing_that_fits_is_exit_1(run):
    r = run("cost", "-r", "10", "-s", "2", "--vram", "5000", "--gpu", "t4", code=1)
    assert "no option to price" in r.stderr


def test_a_user_max_workers_that_cannot_keep_up_is_left_out(run):
    r = run("cost", "-r", "100000", "-s", "2", "-p", "modal", "--gpu", "t4", "--max-workers", "1", code=1)
    assert "cannot keep up" in r.stderr and "raise --max-workers" in r.stderr


def test_a_bare_gpu_name_takes_both_form_factors(run):
    # review of #14: `--gpu h100` left out Beam's, Cerebrium's and Replicate's H100s, which providers do not
    # say are SXM or PCIe (gpuadvisor assumes PCIe); `--gpu h100-sxm` still means the SXM part only
    both = {(o["provider"], o["gpu"]) for o in run.json("cost", "-r", "1000", "-s", "2", "--gpu", "h100", "--top", "30")["options"]}
    assert ("beam", "h100-pcie") in both and ("cerebrium", "h100-pcie") in both and ("modal", "h100-sxm") in both
    sxm = {o["gpu"] for o in run.json("cost", "-r", "1000", "-s", "2", "--gpu", "h100-sxm", "--top", "30")["options"]}
    assert sxm == {"h100-sxm"}


def test_cerebrium_bills_model_initialisation(run):
    # review of #15: Cerebrium bills model initialisation (code outside the request function); its
    # cold starts were priced at $0
    [opt] = run.json("cost", "-r", "10000", "-s", "2", "-g", "t4", "-p", "cerebrium", "--max-workers", "1",
                     "--cold-start", "10")["options"]
    assert opt["monthly"]["cold_starts"] > 200
