"""Translation between providers: parsers, matcher, emitters, --file, and the CLI contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpuadvisor.catalog import lookup_keys
from gpuadvisor.errors import GpuAdvisorError, NoMatch, UsageError
from gpuadvisor.filescan import scan_source
from gpuadvisor.translate import parse_spec, translate

APPS = Path(__file__).parent / "fixtures" / "apps"
PROVIDERS = ("modal", "runpod", "fal")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ------------------------------------------------------------------ the cases


def test_modal_a100_4_to_runpod(cat):
    tr = translate(cat, "modal", "runpod", "A100:4")
    [src] = tr.source
    assert (src.offering.name, src.hw.id, src.count) == ("A100-40GB", "a100-40gb", 4)
    assert any("ambiguous" in n for n in src.notes)
    [dst] = tr.target
    assert dst.count == 4 and dst.match == "upgrade" and dst.offering.vram_gb == 80
    assert "40 GB → 80 GB per GPU" in dst.notes
    assert tr.snippet.startswith("@Endpoint(") and "gpu_count=4" in tr.snippet


def test_modal_fallback_to_fal_keeps_order(cat):
    tr = translate(cat, "modal", "fal", '["H100", "A100-40GB:2"]')
    assert [t.offering.name for t in tr.target] == ["GPU-H100", "GPU-A100"]
    assert tr.config == 'machine_type = ["GPU-H100", "GPU-A100"]\nnum_gpus = 2'
    assert tr.target[1].match == "exact"
    assert any("one GPU count" in n for n in tr.notes)


def test_runpod_pool_to_modal_uses_weakest_member(cat):
    tr = translate(cat, "runpod", "modal", "AMPERE_48")
    assert tr.source[0].hw.id == "a40"
    assert any("weakest member" in n for n in tr.source[0].notes)
    assert tr.target[0].offering.vram_gb >= 48 and tr.match in ("upgrade", "equivalent")


def test_fal_l40_to_modal(cat):
    tr = translate(cat, "fal", "modal", "GPU-L40")
    assert tr.target[0].offering.name == "L40S" and tr.match == "equivalent"
    assert any("unverified" in n for n in tr.source[0].notes)


def test_modal_pinned_h100_to_runpod(cat):
    tr = translate(cat, "modal", "runpod", "H100!")
    assert tr.target[0].offering.name == "NVIDIA_H100_80GB_HBM3" and tr.match == "exact"
    assert any("pins an H100" in n for n in tr.source[0].notes)
    plain = translate(cat, "modal", "runpod", "H100")
    assert any("H200" in n for n in plain.source[0].notes)


def test_modal_a10_8_names_the_limit(cat):
    with pytest.raises(UsageError, match="at most 4"):
        translate(cat, "modal", "runpod", "A10:8")


def test_cpu_machine_types(cat):
    with pytest.raises(NoMatch, match="no CPU-only"):
        translate(cat, "fal", "modal", "XS")
    tr = translate(cat, "fal", "fal", "M")
    assert tr.target[0].offering.name == "M" and tr.match == "exact"
    with pytest.raises(UsageError, match="CPU"):
        translate(cat, "fal", "runpod", '["XS", "GPU-H100"]')


def test_runpod_specs_with_and_without_prefixes(cat):
    for spec in ("AMPERE_80", "GpuGroup.AMPERE_80", "gpugroup.ampere_80", "NVIDIA_A100_80GB_PCIe",
                 "GpuType.NVIDIA_A100_80GB_PCIe", "NVIDIA A100 80GB PCIe"):
        [so] = parse_spec(cat, "runpod", spec, 2)
        assert so.offering.vram_gb == 80 and so.count == 2
    mixed = parse_spec(cat, "runpod", "[GpuType.NVIDIA_A100_80GB_PCIe, GpuGroup.AMPERE_48, GpuGroup.ANY]")
    assert [o.offering.name for o in mixed] == ["NVIDIA_A100_80GB_PCIe", "AMPERE_48", "ANY"]


def test_runpod_one_count_per_list(cat):
    with pytest.raises(UsageError, match="one GPU count"):
        translate(cat, "runpod", "modal", "AMPERE_80:2,AMPERE_48:4")


def test_modal_comma_list_and_per_item_counts(cat):
    tr = translate(cat, "modal", "modal", "h100:2, a100-80gb:2")
    assert tr.config == 'gpu=["H100:2", "A100-80GB:2"]' and [t.match for t in tr.target] == ["exact", "exact"]


def test_duplicates_are_written_once(cat):
    tr = translate(cat, "modal", "runpod", '["H100", "H100!"]')
    assert len(tr.target) == 2
    assert tr.config == "gpu=GpuType.NVIDIA_H100_80GB_HBM3"


def test_count_flag(cat):
    tr = translate(cat, "fal", "modal", "GPU-H100", count=4)
    assert tr.target[0].count == 4 and tr.config == 'gpu="H100:4"'
    with pytest.raises(UsageError, match="--count says"):
        translate(cat, "fal", "modal", "GPU-H100:2", count=4)


def test_downgrade_always_says_what(cat):
    tr = translate(cat, "modal", "fal", "B200:8")
    assert tr.match == "exact"
    tr = translate(cat, "runpod", "modal", "NVIDIA_GEFORCE_RTX_5090")
    for t in tr.target:
        if t.match == "downgrade":
            assert t.notes


# ------------------------------------------------------------------ properties over the catalogs


def all_names(cat, provider):
    p = cat.providers[provider]
    return [(o, k) for o in cat.offerings_of(provider) for k in lookup_keys(o, p)]


@pytest.mark.parametrize("source", PROVIDERS)
def test_every_name_translates_to_both_other_providers(cat, source):
    for off, name in all_names(cat, source):
        for target in PROVIDERS:
            if target == source:
                continue
            try:
                tr = translate(cat, source, target, name)
            except NoMatch:
                assert off.kind == "cpu", (source, name, target)
                continue
            [t] = tr.target
            assert t.match in ("exact", "equivalent", "upgrade", "downgrade")
            if t.match == "downgrade":
                assert t.notes, (source, name, target)
            if t.match != "downgrade" and off.kind != "cpu":
                assert t.offering.vram_gb * t.count >= off.vram_gb * tr.source[0].count, (source, name, target)
            assert t.count <= t.offering.max_count or off.kind == "cpu"


@pytest.mark.parametrize("a", PROVIDERS)
@pytest.mark.parametrize("b", PROVIDERS)
def test_round_trips_return_the_same_gpu(cat, a, b):
    if a == b:
        return
    b_gpus = {o.gpu for o in cat.offerings_of(b) if o.kind == "gpu" and not o.legacy}
    for off in cat.offerings_of(a):
        if off.kind != "gpu" or off.legacy or off.gpu not in b_gpus:
            continue
        there = translate(cat, a, b, off.name, 2)
        assert there.target[0].offering.hw.id == off.gpu, (a, off.name, b)
        back = translate(cat, b, a, there.target[0].offering.name, 2)
        assert back.target[0].offering.hw.id == off.gpu and back.match == "exact", (a, off.name, b)


@pytest.mark.parametrize("count", [1, 2, 4, 8])
def test_counts_respect_target_limits(cat, count):
    tr = translate(cat, "runpod", "modal", "NVIDIA_GEFORCE_RTX_3090", count)
    t = tr.target[0]
    assert t.count <= t.offering.max_count
    if t.match != "downgrade":
        assert t.offering.vram_gb * t.count >= 24 * count


# ------------------------------------------------------------------ fuzzing the parsers


@FUZZ
@given(provider=st.sampled_from(PROVIDERS), spec=st.text(max_size=80))
def test_random_text_only_raises_the_tools_error(cat, provider, spec):
    try:
        translate(cat, provider, "modal" if provider != "modal" else "runpod", spec)
    except GpuAdvisorError:
        pass


names_and_noise = st.one_of(
    st.sampled_from(["H100", "a100", "GPU-H100", "AMPERE_80", "GpuType.NVIDIA_L4", "XS", "H100!", "B200+", "A10"]),
    st.text(alphabet="[]()\"',:!+-_ .0123456789HAGPUabc", max_size=30),
)


@FUZZ
@given(provider=st.sampled_from(PROVIDERS), parts=st.lists(names_and_noise, max_size=5),
       sep=st.sampled_from([",", ", ", ":", "][", '", "']), wrap=st.booleans(),
       count=st.one_of(st.none(), st.integers(-3, 20)))
def test_structured_noise_only_raises_the_tools_error(cat, provider, parts, sep, wrap, count):
    spec = sep.join(parts)
    if wrap:
        spec = "[" + spec + "]"
    try:
        parse_spec(cat, provider, spec, count)
    except GpuAdvisorError:
        pass


@FUZZ
@given(source=st.text(max_size=200))
def test_file_scanner_on_random_text(source):
    try:
        scan_source(source)
    except GpuAdvisorError:
        pass


@pytest.mark.parametrize("spec", ["", " ", "H100:0", "H100:-1", "H100:99", "H100:", ":2", "H100:1.5", "H100:２",
                                  "[", "]", "[1, 2]", "[H100", "['H100',]]", "__import__('os')", "(", "H100,,A10",
                                  "x" * 5000, "[" * 500, "modal.gpu.H100()", "-NVIDIA A40", "H100:99999999999"])
def test_bad_specs_are_usage_errors(cat, spec):
    with pytest.raises(UsageError):
        parse_spec(cat, "modal", spec)


# ------------------------------------------------------------------ --file


def test_scan_modal_app():
    found = scan_source((APPS / "modal_app.py").read_text())
    assert [(f.line, f.provider, f.spec) for f in found] == [
        (7, "modal", "A100:4"), (12, "modal", "['H100', 'A100-40GB:2']"), (17, "modal", "h100!"),
        (22, "modal", None), (27, "modal", "A10:8")]
    assert "GPU_KIND" in found[3].problem


def test_scan_runpod_app():
    found = scan_source((APPS / "runpod_app.py").read_text())
    assert [(f.provider, f.spec, f.count) for f in found] == [
        ("runpod", "GpuGroup.AMPERE_80", 2),
        ("runpod", "['GpuType.NVIDIA_A100_80GB_PCIe', 'GpuGroup.AMPERE_48']", None),
        ("runpod", "GpuType.NVIDIA_H100_80GB_HBM3", None)]


def test_scan_fal_app():
    found = scan_source((APPS / "fal_app.py").read_text())
    assert [(f.provider, f.spec, f.count) for f in found] == [
        ("fal", "GPU-RTX4090", None), ("fal", "['GPU-H100', 'GPU-A100']", 2), ("fal", "S", None), ("fal", "GPU-L40", None)]


def test_cli_file_modal_to_fal(run):
    result = run("translate", "--file", str(APPS / "modal_app.py"), "fal", "--json", code=2)
    data = json.loads(result.stdout)
    by_line = {f["line"]: f for f in data["findings"]}
    assert by_line[7]["translation"]["target"]["options"][0]["name"] == "GPU-A100"
    assert by_line[22]["unresolved"] and by_line[22]["translation"] is None
    assert "at most 4" in by_line[27]["error"]
    assert "line 27" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("app,target", [("runpod_app.py", "modal"), ("fal_app.py", "runpod")])
def test_cli_file_other_providers(run, app, target):
    result = run("translate", "--file", str(APPS / app), target, "--json", code=None)
    data = json.loads(result.stdout)
    assert data["findings"] and data["target"] == target
    ok = [f for f in data["findings"] if f["translation"]]
    assert ok and all(f["translation"]["target"]["provider"] == target for f in ok)
    if app == "fal_app.py":  # the CPU machine type has no RunPod equivalent: reported, exit 1 is not used
        assert any(f["error"] and "CPU" in f["error"] for f in data["findings"])


def test_cli_file_errors(run, tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("print('no gpu here')\n")
    assert "no GPU configuration" in run("translate", "--file", str(empty), "fal", code=1).stderr
    assert "no such file" in run("translate", "--file", str(tmp_path / "nope.py"), "fal", code=2).stderr
    bad = tmp_path / "bad.py"
    bad.write_text("def (:\n")
    assert "cannot parse" in run("translate", "--file", str(bad), "fal", code=2).stderr


# ------------------------------------------------------------------ CLI contract


def test_cli_json_contract(run):
    data = run.json("translate", "modal", "runpod", "A100:4")
    assert data["source"] == {"provider": "modal", "spec": "A100:4", "options": data["source"]["options"]}
    [s] = data["source"]["options"]
    assert (s["name"], s["gpu"], s["count"]) == ("A100-40GB", "a100-40gb", 4)
    [t] = data["target"]["options"]
    assert {"name", "gpu", "count", "match", "notes"} <= set(t) and t["count"] == 4
    assert data["target"]["provider"] == "runpod" and data["match"] == t["match"] == "upgrade"
    assert "gpu_count=4" in data["snippet"]


def test_cli_fallback_order_json(run):
    data = run.json("translate", "modal", "fal", '["H100", "A100-40GB:2"]')
    assert [o["name"] for o in data["source"]["options"]] == ["H100", "A100-40GB"]
    assert [o["name"] for o in data["target"]["options"]] == ["GPU-H100", "GPU-A100"]


@pytest.mark.parametrize("args,code,fragment", [
    (["modal", "runpod", "A10:8"], 2, "at most 4"),
    (["modal", "runpd", "H100"], 2, "did you mean 'runpod'"),
    (["modal", "runpod", "H10O"], 2, "did you mean"),
    (["modal", "runpod"], 2, "SOURCE TARGET SPEC"),
    (["modal", "runpod", "H100:0"], 2, "1 or more"),
    (["fal", "modal", "XL"], 1, "CPU-only"),
    (["runpod", "fal", "GPU-H100"], 2, "fal's name"),
])
def test_cli_errors(run, args, code, fragment):
    result = run("translate", *args, code=code)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in result.stderr


def test_cli_table_output(run):
    out = run("translate", "runpod", "modal", "AMPERE_48").stdout
    assert "snippet" in out and "@app.function(gpu=" in out and "weakest member" in out


@pytest.mark.parametrize("spec", ["[" + "-" * 1000 + "1]", "[" + "+".join(["1"] * 900) + "]",
                                  "[GpuType." + ".".join(["A"] * 1000) + "]", "[" + "not " * 500 + "1]"])
def test_deep_expressions_in_a_spec_list_are_bad_input(run, spec):
    # D7: the error message called ast.unparse, which recursed too deep: exit 3
    result = run("translate", "modal", "runpod", spec, code=2)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("gpuadvisor: error:") and len(line) < 300


def test_a_count_with_several_signs_is_bad_input(run):
    # found by make fuzz: int("---1") raised ValueError (exit 3)
    result = run("translate", "fal", "modal", "GPU-H100:---1", code=2)
    assert "invalid GPU count '---1'" in result.stderr
