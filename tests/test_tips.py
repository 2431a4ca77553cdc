"""Tips only when they apply (issue 21 item 10; newcomer audit 2026-12-04 stumble 10)."""

from __future__ import annotations


def test_no_provider_tips_for_providers_not_ranked(run):
    """Modal/fal tips appeared under `-p lambda`; here under `-p runpod`."""
    out = run("recommend", "--vram", "70", "-w", "llm", "-p", "runpod", "--top", "2").stdout
    assert "• Modal:" not in out and "• fal:" not in out
    shown = run.json("recommend", "--vram", "70", "-w", "llm", "--top", "10")["recommendations"]
    everyone = run("recommend", "--vram", "70", "-w", "llm", "--top", "10").stdout
    for provider, tip in (("modal", "• Modal:"), ("fal", "• fal:")):  # said exactly when it is among the picks shown
        assert (tip in everyone) == any(r["provider"] == provider for r in shown)
    fal = run("recommend", "--vram", "70", "-w", "llm", "-p", "fal", "--top", "2").stdout
    assert "• fal:" in fal


def test_no_24_gb_tip_after_sizing_flux_at_33_gib(run):
    out = run("recommend", "--model", "flux.1-dev", "-p", "fal", "--top", "2").stdout
    assert "33.0 GiB" in out and "24 GB" not in out
    small = run("recommend", "--model", "sdxl", "-p", "fal", "--top", "2").stdout
    assert "24 GB fits SDXL" in " ".join(small.split())


def test_one_moe_note(run):
    notes = run.json("estimate", "--model", "mixtral-8x7b")["estimate"]["notes"]
    moe = [n for n in notes if "experts" in n.lower()]
    assert moe == ["Mixture of experts (8 experts, 2 active per token): all 46.7B params are held in memory; "
                   "12.9B are read per token"]
