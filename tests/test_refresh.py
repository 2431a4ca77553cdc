"""`catalog refresh`: every fetcher's parser on its recorded real response (tests/fixtures/prices,
ORIGIN there), the diff, the plausibility guard, the overlay's precedence, offline, and the age of
prices under answers. Sources are served from a loopback http server, as a mirror would be."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gpuadvisor.catalog.refresh import fetcher, norm
from gpuadvisor.catalog.refresh.plan import ParseTooSmall, make_plan

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "prices"
TODAY = date(2026, 12, 4)
RECORDED = {"runpod": "runpod-serverless-gpu-pricing-table.mdx", "modal": "modal-plans-pricing.yml",
            "fal": "fal-ai-plans-pricing.yml", "replicate": "replicate-plans-pricing.yml",
            "beam": "beam-cloud-plans-pricing.yml", "cerebrium": "cerebrium-plans-pricing.yml"}


def text(provider: str) -> str:
    return (FIXTURES / RECORDED[provider]).read_text()


def rows(provider: str) -> dict[str, float]:
    found, _ = fetcher(provider).parse(text(provider))
    return {r.label: r.per_hour for r in found}


# -- parsers on recorded responses -------------------------------------------------------------

def test_runpod_parser_reads_every_tier_of_the_docs_table():
    got = rows("runpod")
    assert len(got) == 10
    assert got["A4000, A4500, RTX 4000"] == pytest.approx(0.576)  # $0.00016/s
    assert got["H100 PRO"] == pytest.approx(4.176)
    assert got["B200"] == pytest.approx(8.64)
    assert fetcher("runpod").parse(text("runpod"))[1] is None  # undated: the read date dates it


def test_modal_parser_reads_gpu_seconds_and_the_files_date():
    found, published = fetcher("modal").parse(text("modal"))
    got = {r.label: (r.per_hour, r.per_second) for r in found}
    assert published == "2026-05-08"
    assert set(got) == {"NVIDIA T4", "NVIDIA L4", "NVIDIA A10", "NVIDIA A100 (40GB)", "NVIDIA A100 (80GB)",
                        "NVIDIA H100", "NVIDIA H200", "NVIDIA B200"}  # not CPU, memory or storage
    assert got["NVIDIA H100"] == (pytest.approx(3.9492), 0.001097)


def test_fal_parser_keeps_gpu_hours_and_skips_model_prices():
    got = rows("fal")
    assert got["H200 GPU (list price)"] == 4.5 and got["H200 GPU (as low as)"] == 2.1
    assert got["H100 GPU (as low as)"] == 1.89
    assert not any("Wan" in k or "Veo" in k or "Qwen" in k for k in got)  # per-second *video* prices


def test_replicate_parser_names_each_rate_by_its_plan():
    assert rows("replicate") == {"Nvidia T4 GPU": pytest.approx(0.81), "Nvidia L40S GPU": pytest.approx(3.51),
                                 "Nvidia A100 (80GB) GPU": pytest.approx(5.04), "Nvidia H100 GPU": pytest.approx(5.49)}


def test_beam_and_cerebrium_parsers():
    assert rows("beam")["A10G (serverless)"] == pytest.approx(1.0512)
    assert rows("beam")["H100 PCIe"] == 1.74  # dedicated containers: parsed, then left unmapped
    assert rows("cerebrium")["H100 GPU"] == pytest.approx(3.3984)
    assert "Persistent Storage" not in rows("cerebrium")  # per GB-month: no time unit


@pytest.mark.parametrize("provider", sorted(RECORDED))
def test_every_recorded_response_plans_without_change_against_the_catalog(cat, provider):
    """The built-in prices came from these very sources: refreshing from them changes no figure."""
    module = fetcher(provider)
    plan = make_plan(cat, module, text(provider), module.SOURCE.url, TODAY)
    assert plan.found * 2 >= plan.known > 0
    assert [c for c in plan.changes if c.status == "changed"] == []


def test_every_label_a_fetcher_maps_names_a_real_offering_or_gpu(cat):
    from gpuadvisor.catalog.refresh import providers
    from gpuadvisor.catalog.refresh.plan import _targets

    for pid in providers():
        module = fetcher(pid)
        for label, targets in module.TARGETS.items():
            assert label == norm(label), label
            for t in targets:
                assert _targets(cat, pid, t), f"{pid} {label!r} maps to nothing"


# -- diff and guard ----------------------------------------------------------------------------

def test_a_price_change_is_diffed_with_percent_and_dates(cat):
    body = text("runpod").replace("$0.00019", "$0.00020")  # the 24 GB tier, +5%
    plan = make_plan(cat, fetcher("runpod"), body, "https://mirror.example/t.mdx", TODAY)
    changed = {c.offering: c for c in plan.changes if c.status == "changed"}
    assert set(changed) == {"AMPERE_24", "NVIDIA_RTX_A5000", "NVIDIA_L4", "NVIDIA_GEFORCE_RTX_3090"}  # the pool and its typed GPUs
    c = changed["AMPERE_24"]
    assert (c.old.per_hour, c.new.per_hour, round(c.pct, 1), c.old.as_of, c.new.as_of) == (0.684, 0.72, 5.3, "2026-06-08", "2026-12-04")
    assert not c.held
    assert changed["NVIDIA_L4"].new.basis == "flex, pool tier"  # a typed GPU keeps its own basis


def test_a_change_beyond_60_percent_is_held_back_unless_accepted(cat):
    body = text("runpod").replace("$0.00240", "$0.00500")  # B200 +108%
    plan = make_plan(cat, fetcher("runpod"), body, "u", TODAY)
    held = {c.offering for c in plan.held}
    assert held == {"BLACKWELL_180", "NVIDIA_B200"}
    assert plan.overlay.prices.get("BLACKWELL_180") is None  # the old price stays
    accepted = make_plan(cat, fetcher("runpod"), body, "u", TODAY, accept=True)
    assert not accepted.held and accepted.overlay.prices["BLACKWELL_180"]["price"].per_hour == pytest.approx(18.0)


def test_a_vanished_gpu_is_held_back_and_listed(cat):
    body = "\n".join(line for line in text("runpod").splitlines() if "H200 PRO" not in line)
    plan = make_plan(cat, fetcher("runpod"), body, "u", TODAY)
    gone = [c for c in plan.changes if c.status == "vanished"]
    assert [c.offering for c in gone] == ["HOPPER_141", "NVIDIA_H200"] and all(c.held for c in gone)
    assert "HOPPER_141" not in plan.overlay.prices
    accepted = make_plan(cat, fetcher("runpod"), body, "u", TODAY, accept=True)
    assert accepted.overlay.prices["HOPPER_141"] == {"price": None}  # dropped, said in the overlay


def test_a_new_source_row_is_listed_as_unmapped(cat):
    body = text("runpod") + "| RTX 9090 | 64 GB | $0.00099 | new |\n"
    body = body.replace("| B200 | 180 GB | $0.00240 | Maximum throughput for huge models. |",
                        "| B200 | 180 GB | $0.00240 | Maximum throughput for huge models. |\n| RTX 9090 | 64 GB | $0.00099 | x |")
    plan = make_plan(cat, fetcher("runpod"), body, "u", TODAY)
    assert ("RTX 9090", pytest.approx(3.564)) in plan.unmapped


def test_a_parse_finding_under_half_the_known_prices_fails(cat):
    placeholder = (FIXTURES / "modal-plans-pricing-placeholder.yml").read_text()  # a real earlier version
    with pytest.raises(ParseTooSmall) as e:
        make_plan(cat, fetcher("modal"), placeholder, "u", TODAY)
    assert e.value.exit_code == 1 and "0 of the 11" in str(e.value)


def test_a_third_party_files_own_date_dates_the_prices(cat):
    plan = make_plan(cat, fetcher("fal"), text("fal"), "u", TODAY)
    assert plan.as_of == "2026-09-20"  # not the download date: a stale transcription stays stale
    assert plan.source_age == 75


def test_a_stale_source_is_said_under_its_diff(run, mirror, today):
    result = run("catalog", "refresh", "modal", "--url", mirror("/m.yml", text("modal")), "--dry-run")
    assert "this source is itself 210 days old" in result.stdout and "modal.com/pricing" in result.stdout


# -- the CLI against a loopback mirror ---------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        body = body if body is not None else b"no"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror():
    Handler.routes = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def serve(path: str, body: str) -> str:
        Handler.routes[path] = body.encode()
        return f"http://127.0.0.1:{httpd.server_address[1]}{path}"

    yield serve
    httpd.shutdown()


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setenv("GPUADVISOR_TODAY", "2026-12-04")
    monkeypatch.delenv("GPUADVISOR_MAX_PRICE_AGE", raising=False)


def overlay_file(provider: str) -> Path:
    from gpuadvisor.catalog.refresh.overlay import directory

    return directory() / f"{provider}.toml"


def test_refresh_writes_an_overlay_that_takes_precedence(run, mirror, today):
    body = text("runpod").replace("$0.00076", "$0.00080")  # A100 tier +5%
    url = mirror("/runpod.mdx", body)
    out = run.json("catalog", "refresh", "runpod", "--url", url)
    assert out["files"] == [str(overlay_file("runpod"))] and out["held_back"] == 0
    [prov] = out["providers"]
    assert prov["written"] is True and prov["fetched_at"] and prov["source"] == url
    assert (prov["added"], prov["vanished"], prov["held_back"]) == ([], [], [])
    change = next(c for c in prov["changes"] if c["offering"] == "AMPERE_80")
    assert (change["old"], change["new"], change["pct"], change["new_as_of"]) == (2.736, 2.88, 5.3, "2026-12-04")
    shown = run.json("show", "AMPERE_80")
    price = next(o["price"] for o in shown["offerings"] if o["provider"] == "runpod" and o["name"] == "AMPERE_80")
    assert (price["per_hour"], price["as_of"], price["age_days"], price["stale"]) == (2.88, "2026-12-04", 0, False)
    builtin = run.json("--builtin-only", "show", "AMPERE_80")
    price = next(o["price"] for o in builtin["offerings"] if o["name"] == "AMPERE_80")
    assert price["per_hour"] == 2.736  # --builtin-only ignores the overlay


def test_dry_run_prints_the_diff_and_writes_nothing(run, mirror, today):
    url = mirror("/r.mdx", text("runpod").replace("$0.00076", "$0.00080"))
    result = run("catalog", "refresh", "runpod", "--url", url, "--dry-run")
    assert "AMPERE_80" in result.stdout and "$2.736/h → $2.88/h" in result.stdout and "+5%" in result.stdout
    assert "2026-06-08 → 2026-12-04" in result.stdout
    assert not overlay_file("runpod").exists()


def test_held_back_changes_are_said_once_and_not_written(run, mirror, today):
    url = mirror("/r.mdx", text("runpod").replace("$0.00240", "$0.00500"))
    result = run("catalog", "refresh", "runpod", "--url", url)
    assert result.stderr.count("held back") == 1 and "--accept-changes" in result.stderr
    dry = run.json("catalog", "refresh", "runpod", "--url", url, "--dry-run")
    assert dry["providers"][0]["held_back"] == ["BLACKWELL_180", "NVIDIA_B200"] and dry["providers"][0]["written"] is False
    written = overlay_file("runpod").read_text()
    assert "BLACKWELL_180" not in written and "AMPERE_80" in written


def test_a_broken_source_fails_with_exit_1_and_keeps_the_old_overlay(run, mirror, today):
    run("catalog", "refresh", "runpod", "--url", mirror("/ok.mdx", text("runpod")))
    before = overlay_file("runpod").read_bytes()
    result = run("catalog", "refresh", "runpod", "--url", mirror("/bad.mdx", "<html>moved</html>"), code=1)
    assert result.stderr.count("\n") == 1 and "Nothing was written" in result.stderr
    assert overlay_file("runpod").read_bytes() == before


def test_offline_is_one_line_exit_1_and_prices_are_kept(run, today):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    result = run("catalog", "refresh", "modal", "--url", f"http://127.0.0.1:{port}/m.yml", code=1)
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert "cannot download" in result.stderr and "kept" in result.stderr
    assert not overlay_file("modal").exists()


def test_provider_without_a_source_says_edit_by_hand(run):
    result = run("catalog", "refresh", "baseten", code=1)
    assert "no machine-readable source" in result.stderr and "edit by hand" in result.stderr


def test_refresh_needs_a_provider_or_all_and_knows_names(run):
    assert "--all" in run("catalog", "refresh", code=2).stderr
    assert "runpod" in run("catalog", "refresh", "runpd", code=2).stderr  # did you mean
    assert "exactly one" in run("catalog", "refresh", "--all", "--url", "http://127.0.0.1:1/x", code=2).stderr


def test_a_damaged_overlay_is_skipped_with_one_warning(run, today):
    path = overlay_file("modal")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[refresh]\nprovider = 'modal'\n[[offering]]\nname = 'H100'\nprice = { per_hour = -1, as_of = 'x' }\n")
    result = run("list", "--provider", "modal", "--json")
    assert "price overlay" in result.stderr and "skipped" in result.stderr
    h100 = next(o for o in json.loads(result.stdout) if o["name"] == "H100")
    assert h100["price"]["per_hour"] == 3.9492


def test_catalog_info_shows_price_sources_and_last_refresh(run, mirror, today):
    run("catalog", "refresh", "runpod", "--url", mirror("/r.mdx", text("runpod")))
    info = run.json("catalog", "info")
    by_id = {p["id"]: p for p in info["providers"]}
    assert by_id["runpod"]["price_source"]["official"] is True
    assert by_id["runpod"]["price_source"]["last_refresh"]
    assert by_id["runpod"]["stale_prices"] == 0 and by_id["baseten"]["oldest_price_age_days"] == 291
    assert by_id["modal"]["price_source"]["official"] is False and by_id["modal"]["price_source"]["last_refresh"] is None
    assert by_id["baseten"]["price_source"]["url"] is None


# -- age under answers -------------------------------------------------------------------------

def test_prices_carry_their_age_in_json(run, today):
    assert "older than" not in run("translate", "modal", "runpod", "A100-40GB", "--json").stderr  # text only
    out = run.json("translate", "modal", "runpod", "A100-40GB")
    q = out["cost"]["source_quote"]
    assert (q["as_of"], q["age_days"], q["stale"], q["provider"]) == ("2026-05-08", 210, True, "modal")
    rec = run.json("recommend", "--vram", "20", "--top", "3")
    for pick in rec["recommendations"]:
        assert {"as_of", "age_days", "stale"} <= set(pick["price"])


def test_one_stale_line_names_providers_ages_and_the_refresh_command(run, today):
    result = run("translate", "modal", "runpod", "A100-40GB")
    lines = [line for line in result.stderr.splitlines() if "older than" in line]
    assert lines == ["gpuadvisor: warning: prices older than 120 days behind this answer: modal 210 days "
                     "(as of 2026-05-08), runpod 179 days (as of 2026-06-08); refresh with "
                     "`gpuadvisor catalog refresh modal runpod`"]


def test_the_limit_is_an_option_and_an_environment_variable(run, today, monkeypatch):
    assert "older than" not in run("--max-price-age", "400", "translate", "modal", "runpod", "A100-40GB").stderr
    monkeypatch.setenv("GPUADVISOR_MAX_PRICE_AGE", "200")
    assert "modal 210 days" in run("translate", "modal", "runpod", "A100-40GB").stderr
    assert "runpod" not in run("translate", "modal", "runpod", "A100-40GB").stderr.split("older than")[1]
    monkeypatch.setenv("GPUADVISOR_MAX_PRICE_AGE", "soon")
    assert "GPUADVISOR_MAX_PRICE_AGE" in run("translate", "modal", "runpod", "A100-40GB", code=2).stderr


def test_a_refresh_clears_the_stale_line(run, mirror, today):
    run("catalog", "refresh", "runpod", "--url", mirror("/r.mdx", text("runpod")))
    err = run("translate", "modal", "runpod", "A100-40GB").stderr
    assert "modal 210 days" in err and "runpod 179" not in err


def test_fresh_prices_print_no_line(run, monkeypatch):
    monkeypatch.setenv("GPUADVISOR_TODAY", "2026-06-09")
    assert "older than" not in run("translate", "modal", "runpod", "A100-40GB").stderr


def test_every_source_file_loads_and_names_its_provider(cat):
    from gpuadvisor.catalog.refresh import providers

    assert set(providers()) == set(cat.providers)  # the seven built-in providers, each with a source file
    for pid in providers():
        f = fetcher(pid)
        assert f.SOURCE.provider == pid
        assert f.SOURCE.url.startswith("https://") or f.SOURCE.why_none
        assert f.SOURCE.official or "third party" in f.SOURCE.publisher or not f.SOURCE.url


def test_max_price_age_works_after_the_command_too(monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("GPUADVISOR_TODAY", "2026-12-04")
    monkeypatch.delenv("GPUADVISOR_MAX_PRICE_AGE", raising=False)
    cmd = [sys.executable, "-m", "gpuadvisor", "translate", "modal", "runpod", "A100-40GB"]
    late = subprocess.run([*cmd, "--max-price-age", "200"], capture_output=True, text=True, timeout=60)
    assert late.returncode == 0 and "older than 200 days" in late.stderr and "runpod 179" not in late.stderr
    default = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert "older than 120 days" in default.stderr and default.stderr.count("\n") == 1


def test_a_gone_builtin_source_is_exit_1_not_bad_input(run, mirror, today, monkeypatch):
    from dataclasses import replace

    from gpuadvisor.catalog import refresh

    gone = mirror("/exists.mdx", "x").replace("/exists.mdx", "/gone.mdx")  # the mirror answers 404 there
    f = fetcher("runpod")
    monkeypatch.setitem(refresh._LOADED, "runpod", replace(f, SOURCE=replace(f.SOURCE, url=gone)))
    result = run("catalog", "refresh", "runpod", code=1)
    assert "HTTP 404" in result.stderr and "may have moved" in result.stderr and result.stderr.count("\n") == 1
    assert "HTTP 404" in run("catalog", "refresh", "runpod", "--url", gone, code=2).stderr  # the user's URL: bad input
