"""The shipped catalogs against the providers' own documents and the reference facts.

Every figure of the seed tables is reproduced from the catalogs, except the known errors, which
are asserted explicitly (the catalog must record the provider's figure in `claimed` or a dispute).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpuadvisor.catalog import lookup_keys
from gpuadvisor.errors import UsageError

SEEDS = Path(__file__).parent / "seeds"
SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "seeds"
CONTRACT_IDS = """t4 l4 a10 rtx-a4000 rtx-a4500 rtx-a5000 rtx-a6000 rtx-2000-ada rtx-4000-ada rtx-6000-ada
rtx-3090 rtx-4090 rtx-5090 a40 l40 l40s a100-40gb a100-80gb-pcie a100-80gb-sxm h100-sxm h200 b200
rtx-pro-6000-server rtx-pro-6000-workstation rtx-pro-6000-max-q""".split()


def md_table(path: Path, first_header: str) -> list[dict[str, str]]:
    return md_rows(path.read_text(), first_header)


def md_rows(text: str, first_header: str) -> list[dict[str, str]]:
    """Rows of every markdown table whose first header cell is `first_header` (bold/links stripped)."""
    lines = text.splitlines()
    rows = []
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.strip().startswith("|") and cells[0] == first_header:
            for row in lines[i + 2:]:
                if not row.strip().startswith("|"):
                    break
                vals = [clean(c) for c in row.strip().strip("|").split("|")]
                rows.append(dict(zip(cells, vals, strict=True)))
    assert rows, f"no table starting with {first_header!r}"
    return rows


def clean(cell: str) -> str:
    cell = re.sub(r"\[\*\*(.+?)\*\*\]\(.*?\)", r"\1", cell.strip())
    return cell.replace("**", "").replace("`", "").strip()


def number(text: str) -> float:
    return float(re.search(r"[\d.,]+", text).group().replace(",", ""))


# ------------------------------------------------------------------ hardware facts


def test_every_contract_id_exists(cat):
    assert set(CONTRACT_IDS) <= set(cat.gpus)


def test_every_gpu_has_sources_and_a_known_arch(cat):
    for g in cat.gpus.values():
        assert g.sources, g.id
        assert all(s.startswith("http") or " " in s for s in g.sources), g.id
        assert g.arch in cat.archs


@pytest.mark.parametrize("gid,vram,bw,enc,dec,av1", [
    ("h100-sxm", 80, 3350, 0, 7, False), ("b200", 180, 8000, 0, 7, False), ("a100-40gb", 40, 1555, 0, 5, False),
    ("a100-80gb-pcie", 80, 1935, 0, 5, False), ("a100-80gb-sxm", 80, 2039, 0, 5, False),
    ("rtx-4090", 24, 1008, 2, 1, True), ("rtx-5090", 32, 1792, 3, 2, True), ("l40", 48, 864, 3, 3, True),
    ("l40s", 48, 864, 3, 3, True), ("rtx-4000-ada", 20, 360, 2, 2, True), ("h200", 141, 4800, 0, 7, False),
])
def test_reference_figures(cat, gid, vram, bw, enc, dec, av1):
    g = cat.gpus[gid]
    assert (g.vram_gb, g.bandwidth_gb_s, g.nvenc, g.nvdec, g.av1_encode) == (vram, bw, enc, dec, av1)


def test_l40_and_l40s_differ_only_in_compute_and_power(cat):
    a, b = cat.gpus["l40"].to_json(), cat.gpus["l40s"].to_json()
    differ = {k for k in a if a[k] != b[k]}
    assert differ == {"id", "name", "fp16_tflops", "fp8_tflops", "tdp_w", "notes", "disputes", "sources", "usable_note"}
    assert b["fp16_tflops"] == 2 * a["fp16_tflops"]


@pytest.mark.parametrize("gid,field,used,other", [
    ("b200", "vram_gb", 180, 192), ("a100-40gb", "bandwidth_gb_s", 1555, 2000),
    ("rtx-4090", "av1_encode", True, False), ("rtx-4090", "nvdec", 1, 2), ("rtx-5090", "nvdec", 2, 3),
    ("rtx-4000-ada", "vram_gb", 20, 16), ("h100-sxm", "bandwidth_gb_s", 3350, 3400),
])
def test_disagreements_are_recorded_with_the_value_used(cat, gid, field, used, other):
    g = cat.gpus[gid]
    d = next(d for d in g.disputes if d.field == field)
    assert (d.used, d.other) == (used, other)
    assert getattr(g, field) == used and d.why and d.other_source


# ------------------------------------------------------------------ names


def test_every_name_resolves_to_its_own_offering(cat):
    gpus_named: dict[str, set[str]] = {}  # a spelling -> the GPUs it names across providers
    exact_named: dict[str, set[str]] = {}  # the same, case kept (fal GPU-H100 vs Replicate gpu-h100)
    for off in cat.offerings:
        for key in lookup_keys(off, cat.providers[off.provider]):
            gpus_named.setdefault(key.lower(), set()).add(off.hw.id if off.hw else "cpu")
            exact_named.setdefault(key, set()).add(off.hw.id if off.hw else "cpu")
    gpu_names = {k.lower() for g in cat.gpus.values() for k in (g.id, *g.aliases)}
    for off in cat.offerings:
        provider = cat.providers[off.provider]
        for key in lookup_keys(off, provider):
            assert cat.lookup(off.provider, key) is off, (off.provider, key)
            assert cat.lookup(off.provider, key.upper()) is off
            if key.lower() in gpu_names:  # a canonical id or GPU alias wins (bare A100, H100)
                assert cat.resolve(key)[1] is None
            elif len(gpus_named[key.lower()]) > 1 and len(exact_named[key]) == 1 and off.hw:
                assert cat.resolve(key)[0] is off.hw, key  # the exact spelling decides
            elif len(gpus_named[key.lower()]) > 1:  # "any": Modal's and RunPod's differ
                with pytest.raises(UsageError, match="ambiguous"):
                    cat.resolve(key)
            elif off.kind != "cpu":
                gpu, _ = cat.resolve(key) if key.lower() not in cat.gpus else (cat.gpus[key.lower()], None)
                assert gpu.id in {g.id for g in cat.gpus.values()}


def test_gpu_aliases_resolve(cat):
    for g in cat.gpus.values():
        for alias in g.aliases:
            assert cat.resolve(alias)[0] is g


@pytest.mark.parametrize("name,gid", [
    ("h100", "h100-sxm"), ("H100", "h100-sxm"), ("GPU-H100", "h100-sxm"), ("NVIDIA_H100_80GB_HBM3", "h100-sxm"),
    ("NVIDIA H100 80GB HBM3", "h100-sxm"), ("GpuType.NVIDIA_H100_80GB_HBM3", "h100-sxm"),
    ("AMPERE_80", "a100-80gb-pcie"), ("GpuGroup.AMPERE_80", "a100-80gb-pcie"), ("A100", "a100-40gb"),
    ("A100-80GB", "a100-80gb-sxm"), ("a10g", "a10g"), ("GPU-L40", "l40"), ("NVIDIA_A100_80GB_PCIe", "a100-80gb-pcie"),
    ("nvidia a100-sxm4-80gb", "a100-80gb-sxm"), ("RTX-PRO-6000", "rtx-pro-6000-server"), ("ADA_80_PRO", "h100-pcie"),
])
def test_contract_aliases(cat, name, gid):
    assert cat.resolve(name)[0].id == gid


# ------------------------------------------------------------------ Modal


def test_modal_gpu_table(cat):
    rows = [r for r in md_table(SEEDS / "modal-gpu.md", "GPU") if "VRAM" in r]
    assert len(rows) == 9
    for row in rows:
        off = cat.lookup("modal", row["GPU"])
        assert off.name == row["GPU"]
        if row["GPU"] == "B200":  # Modal says 192 GB raw; the catalog keeps it as a claim and uses 180
            assert dict(off.claimed)["vram_gb"] == number(row["VRAM"]) == 192
            assert off.vram_gb == 180
        else:
            assert off.vram_gb == number(row["VRAM"])


def test_modal_maximum_configurations(cat):
    """Count × VRAM reproduces Modal's table; its B200 row uses the raw 192 GB (1,536 GB)."""
    rows = [r for r in md_table(SEEDS / "modal-gpu.md", "GPU") if "Max Count" in r]
    assert len(rows) == 9
    for row in rows:
        off = cat.lookup("modal", row["GPU"])
        assert off.max_count == int(row["Max Count"])
        total = off.max_count * off.vram_gb
        if row["GPU"] == "B200":
            assert number(row["Max Total VRAM"]) == 1536 and total == 1440
        else:
            assert total == number(row["Max Total VRAM"]), row


def test_modal_8xh100_is_640_not_1536(cat):
    off = cat.lookup("modal", "H100")
    assert off.max_count * off.vram_gb == 640
    assert any("640 GB" in n and "1,536" in n for n in cat.providers["modal"].notes)


def test_modal_a10_limit_and_suffixes(cat):
    assert cat.lookup("modal", "A10").max_count == 4
    assert cat.lookup("modal", "a10g").name == "A10"  # Modal's legacy name; `a10g` alone is AWS's A10G
    assert "!" in dict(cat.lookup("modal", "H100").suffixes)
    assert cat.lookup("modal", "H100").may_upgrade_to == ("h200",)
    assert "+" in dict(cat.lookup("modal", "B200").suffixes)


# ------------------------------------------------------------------ RunPod


def test_runpod_every_gpu_type(cat):
    rows = md_table(SEEDS / "runpod-flash-gpu-types.md", "GpuType")
    assert len(rows) == 21
    for row in rows:
        member = row["GpuType"].removeprefix("GpuType.")
        off = cat.lookup("runpod", member)
        assert off.name == member
        if member == "ANY":
            assert off.kind == "pool" and len(off.gpus) > 20
            continue
        assert cat.lookup("runpod", row["GpuType"]) is off
        if member == "NVIDIA_RTX_4000_ADA_GENERATION":  # RunPod says 16 GB; the card has 20
            assert dict(off.claimed)["vram_gb"] == number(row["VRAM"]) == 16 and off.vram_gb == 20
        else:
            assert off.vram_gb == number(row["VRAM"]), member


def test_runpod_display_strings(cat):
    # The seed table abbreviates some display strings ("NVIDIA RTX 4000 Ada"); the code's values are full.
    for member, display in [("NVIDIA_A100_SXM4_80GB", "NVIDIA A100-SXM4-80GB"), ("NVIDIA_H100_80GB_HBM3", "NVIDIA H100 80GB HBM3"),
                            ("NVIDIA_RTX_4000_ADA_GENERATION", "NVIDIA RTX 4000 Ada Generation"),
                            ("NVIDIA_A100_80GB_PCIe", "NVIDIA A100 80GB PCIe")]:
        assert cat.lookup("runpod", display).name == member


def test_runpod_every_pool(cat):
    rows = md_table(SEEDS / "runpod-flash-gpu-types.md", "GpuGroup")
    assert len(rows) == 12
    for row in rows:
        name = row["GpuGroup"].removeprefix("GpuGroup.")
        off = cat.lookup("runpod", name)
        assert off.kind == "pool"
        if name == "AMPERE_24":  # docs "20-24GB" count the A4500, which the code puts in AMPERE_16
            assert row["VRAM"] == "20-24GB" and off.vram_gb == 24
        elif name != "ANY":
            assert off.vram_gb == number(row["VRAM"]), name


@pytest.mark.parametrize("pool,members", [
    ("AMPERE_16", {"rtx-a4000", "rtx-a4500", "rtx-4000-ada", "rtx-2000-ada"}),  # code, not docs
    ("AMPERE_24", {"rtx-a5000", "l4", "rtx-3090"}), ("ADA_24", {"rtx-4090"}), ("ADA_32_PRO", {"rtx-5090"}),
    ("AMPERE_48", {"a40", "rtx-a6000"}), ("AMPERE_80", {"a100-80gb-pcie", "a100-80gb-sxm"}),
    ("BLACKWELL_96", {"rtx-pro-6000-server", "rtx-pro-6000-workstation", "rtx-pro-6000-max-q"}),
    ("HOPPER_141", {"h200"}), ("BLACKWELL_180", {"b200"}),
])
def test_runpod_pool_members(cat, pool, members):
    assert set(cat.lookup("runpod", pool).members) == members


# ------------------------------------------------------------------ fal


def test_fal_gpu_table(cat):
    rows = md_table(SEEDS / "fal-machine-types.md", "Machine Type")
    gpu_rows = [r for r in rows if r["Machine Type"].startswith("GPU-")]
    assert len(gpu_rows) == 7
    for row in gpu_rows:
        off = cat.lookup("fal", row["Machine Type"])
        claimed = dict(off.claimed)
        hw = off.hw
        assert off.ram_gb == number(row["RAM"]) and off.vcpus == number(row["CPU"])
        assert claimed.get("vram_gb", off.vram_gb) == number(row["VRAM"])
        stated_bw = number(row["Bandwidth"]) * 1000
        assert abs(claimed.get("bandwidth_gb_s", hw.bandwidth_gb_s) - stated_bw) <= 100, row  # doc rounds to 0.1 TB/s
        enc, dec = [c.strip() for c in row["Video Enc / Dec"].split("(")[0].split("/")]
        assert hw.nvenc == (0 if enc.startswith("-") else int(enc))
        assert claimed.get("nvdec", hw.nvdec) == int(dec)
        assert claimed.get("av1_encode", hw.av1_encode) == ("AV1" in row["Video Enc / Dec"])


def test_fal_cpu_table(cat):
    rows = md_table(SEEDS / "fal-machine-types.md", "Machine Type")
    cpu_rows = [r for r in rows if "CPU Cores" in r]
    assert [r["Machine Type"] for r in cpu_rows] == ["XS", "S", "M", "L", "XL"]
    for row in cpu_rows:
        off = cat.lookup("fal", row["Machine Type"])
        ram = number(row["RAM"]) / (1024 if "MB" in row["RAM"] else 1)
        assert (off.kind, off.ram_gb, off.vcpus) == ("cpu", ram, number(row["CPU Cores"]))


def test_fal_l40_is_flagged_unverified(cat):
    off = cat.lookup("fal", "GPU-L40")
    assert off.gpu == "l40" and any("unverified" in n for n in off.notes)


# ------------------------------------------------------------------ prices and metadata


def test_prices_are_dated_and_sourced(cat):
    priced = [o for o in cat.offerings if o.price]
    assert len(priced) > 20
    for o in priced:
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", o.price.as_of) and o.price.source and o.price.per_hour > 0
        if o.price.per_second:
            assert abs(o.price.per_second * 3600 - o.price.per_hour) < 0.01 * o.price.per_hour + 0.005, o.name


def test_provider_metadata(cat):
    for pid in ("modal", "runpod", "fal"):
        p = cat.providers[pid]
        assert p.docs_url.startswith("https://") and p.as_of and p.syntax.config


def test_seed_copies_match_shared():
    if not SHARED_SEEDS.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    for f in ("fal-machine-types.md", "modal-gpu.md", "runpod-flash-gpu-types.md"):
        assert (SEEDS / f).read_text() == (SHARED_SEEDS / f).read_text(), f


def test_every_gpu_has_a_sourced_usable_memory_figure(cat):
    """audit §1a: fit uses what nvidia-smi reports with ECC in its usual state, never the nominal size."""
    for g in cat.gpus.values():
        assert g.usable_gib is not None and "Source:" in g.usable_note, g.id
        assert g.usable_gib <= g.vram_gb, g.id  # GiB reported never exceeds the GB sold
    expected = {"t4": 15.0, "l4": 22.49, "a10": 22.49, "a40": 44.99, "l40s": 44.99, "h100-sxm": 79.65, "b200": 179.06}
    for gid, gib in expected.items():
        assert cat.gpus[gid].usable_gib == pytest.approx(gib, abs=0.01), gid
