"""The seven providers: each is a TOML file and no Python. Replicate's fixed-count SKUs, Baseten's
accelerator specs, Beam's priority lists and Cerebrium's compute names work in every command, and
the package source names none of the four new providers outside the file readers."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from gpuadvisor.engine import Requirement, rank, resolve_workload
from gpuadvisor.errors import CountOverLimit, UsageError
from gpuadvisor.translate import translate

PKG = Path(__file__).resolve().parent.parent / "gpuadvisor"
NEW = ("replicate", "beam", "baseten", "cerebrium")
ALL = ("modal", "runpod", "fal", *NEW)
# Where provider syntax may live in Python: the app-file scanner's AST patterns and the config readers.
READERS = {"filescan.py", "staticeval.py", "configscan.py", "project.py"}  # in gpuadvisor/apps/read and apps/evaluate


def _source_files():
    return sorted(p for p in PKG.rglob("*.py") if p.name not in READERS)


def test_no_provider_specific_python_for_the_new_providers():
    for path in _source_files():
        text = path.read_text()
        for pid in NEW:
            assert not re.search(rf"\b{pid}\b", text, re.IGNORECASE), f"{path.name} names {pid}"


def test_no_comparison_with_a_provider_id_outside_the_readers():
    """No string literal that is a provider id (`provider.id == "modal"`). One pre-existing use is
    allowed and reported: translate/spec.py's message for Modal's removed modal.gpu.X() objects."""
    allowed = {("spec.py", "modal")}
    found = set()
    for path in _source_files():
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if tok.type == tokenize.STRING:
                value = tok.string.strip("rRbBuUfF").strip("\"'")
                if value.lower() in ALL:
                    found.add((path.name, value.lower()))
    assert found <= allowed, found - allowed


def test_list_covers_seven_providers(run):
    data = run.json("list")
    assert {o["provider"] for o in data} == set(ALL)
    skus = {o["name"]: o for o in data if o["provider"] == "replicate"}
    assert skus["gpu-2x-l40s"]["fixed_count"] == 2 and skus["gpu-2x-l40s"]["max_count"] == 2


def test_modal_l40s_2_to_replicate_is_the_2x_sku(cat):
    tr = translate(cat, "modal", "replicate", "L40S:2")
    assert tr.config == 'hardware="gpu-2x-l40s"' and tr.match == "exact"
    assert 'hardware="gpu-2x-l40s", min_instances=0, max_instances=1)' in tr.snippet


def test_a_count_without_its_own_sku_takes_the_next_one_up(cat):
    tr = translate(cat, "modal", "replicate", "L40S:3")
    assert tr.config == 'hardware="gpu-4x-l40s"' and tr.target[0].count == 4 and tr.match == "downgrade"
    assert "3 → 4 GPUs" in tr.target[0].notes


def test_replicate_sku_back_to_modal_keeps_its_count(cat):
    tr = translate(cat, "replicate", "modal", "gpu-a40-large-4x")
    assert tr.source[0].count == 4 and tr.target[0].count == 4
    assert tr.config == 'gpu="L40S:4"' and tr.match == "upgrade"  # Modal has no A40: the same 48 GB class, newer


def test_replicate_takes_one_option(cat):
    tr = translate(cat, "modal", "replicate", '["H100", "L40S"]')
    assert tr.config.count("hardware=") == 1 and any("one GPU option" in n for n in tr.notes)
    with pytest.raises(UsageError, match="one GPU option"):
        translate(cat, "replicate", "modal", "gpu-t4, gpu-l40s")


def test_a_sku_with_another_count_is_refused_with_the_right_name(cat):
    with pytest.raises(CountOverLimit, match="write gpu-2x-l40s"):
        translate(cat, "replicate", "modal", "gpu-l40s:2")
    with pytest.raises(CountOverLimit, match="H100:4"):
        translate(cat, "baseten", "modal", "H100:3")


def test_beam_priority_list_to_modal(cat):
    tr = translate(cat, "beam", "modal", '["T4", "A10G"]')
    assert tr.config == 'gpu=["T4", "A10"]'
    assert [t.match for t in tr.target] == ["exact", "upgrade"]
    assert any("Legacy" in n for n in tr.source[0].notes)  # Beam's current list no longer has the T4


def test_modal_h100_2_to_baseten(cat):
    tr = translate(cat, "modal", "baseten", "H100:2")
    assert tr.config == "accelerator: H100:2" and tr.match == "exact"
    assert tr.snippet == "resources:\n  accelerator: H100:2"


def test_cerebrium_writes_compute_and_gpu_count(cat):
    tr = translate(cat, "modal", "cerebrium", "L40S:2")
    assert tr.snippet.startswith('[cerebrium.hardware]\ncompute = "ADA_L40"\ngpu_count = 2')


@pytest.mark.parametrize("src,dst,spec", [
    (s, d, spec) for s, spec in (("modal", "A100-80GB:2"), ("runpod", "AMPERE_48"), ("fal", "GPU-H100"),
                                 ("replicate", "gpu-a100-large-2x"), ("beam", "RTX4090"), ("baseten", "B200:8"),
                                 ("cerebrium", "HOPPER_H200"))
    for d in ALL if d != s
])
def test_every_direction_translates(cat, src, dst, spec):
    tr = translate(cat, src, dst, spec)
    assert tr.config and tr.snippet and tr.target[0].count >= 1


def test_recommend_image_40_gib_ranks_all_seven(cat):
    w = resolve_workload(cat, "image")
    ranking = rank(cat, Requirement(40, w))
    providers = {c.offering.provider for c in ranking.candidates}
    assert providers == set(ALL)
    replicate = [c for c in ranking.candidates if c.offering.provider == "replicate"]
    # one SKU per GPU (the smallest that fits), never the committed-spend H100s
    assert len({c.hw.id for c in replicate}) == len(replicate)
    assert all(c.count == 1 and not c.offering.name.startswith("gpu-h100") for c in replicate)
    best = ranking.candidates[0]
    assert best.total_usable_gib >= 40 and best.config


def test_recommend_picks_the_smallest_sku_that_fits(cat):
    w = resolve_workload(cat, "llm")
    ranking = rank(cat, Requirement(150, w, providers=("replicate",)))
    l40s = [c for c in ranking.candidates if c.hw.id == "l40s"]
    assert [c.offering.name for c in l40s] == ["gpu-4x-l40s"] and l40s[0].config == 'hardware="gpu-4x-l40s"'


def test_cerebrium_ranks_on_its_on_demand_tier(cat):
    w = resolve_workload(cat, "image")
    listed = {c.offering.name: c for c in rank(cat, Requirement(40, w, providers=("cerebrium",))).candidates}
    lowest = {c.offering.name: c for c in rank(cat, Requirement(40, w, providers=("cerebrium",), price_basis="lowest")).candidates}
    assert listed["ADA_L40"].price_per_hour == pytest.approx(2 * lowest["ADA_L40"].price_per_hour)
    assert lowest["ADA_L40"].quote.basis == "interruptible"


@pytest.mark.parametrize("name,gid", [
    ("gpu-2x-l40s", "l40s"), ("H100:2", "h100-sxm"), ("A100:2x24x288", "a100-80gb-pcie"), ("HOPPER_H100", "h100-pcie"),
    ("AMPERE_A10", "a10g"), ("ADA_L40", "l40s"), ("RTX4090", "rtx-4090"), ("GpuType.A100_80", "a100-80gb-pcie"),
    ("GPU-H100", "h100-sxm"), ("gpu-h100", "h100-pcie"), ("H100", "h100-sxm"), ("A100", "a100-40gb"),
])
def test_show_resolves_new_spellings(run, name, gid):
    assert run.json("show", name)["gpu"]["id"] == gid


def test_compare_and_list_filters_work_for_new_names(run):
    data = run.json("compare", "gpu-l40s", "HOPPER_H100", "RTX4090")
    assert [g["id"] for g in data["gpus"]] == ["l40s", "h100-pcie", "rtx-4090"]
    rows = run.json("list", "--provider", "baseten", "--gpu", "b200")
    assert [r["name"] for r in rows] == ["B200", "B200:2", "B200:4", "B200:8"]


def test_check_reads_beam_and_replicate_apps(run):
    apps = Path(__file__).parent / "fixtures" / "apps"
    data = run.json("check", str(apps / "beam_app.py"), str(apps / "replicate_deploy.py"))
    codes = sorted((Path(i["file"]).name, i["line"], i["code"]) for i in data["findings"])
    assert codes == [("beam_app.py", 5, "GA104"), ("beam_app.py", 10, "GA105")]
