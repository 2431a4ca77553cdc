"""The app-file scanner: every call shape and value pattern, one fixture file per shape
(tests/fixtures/apps, written for these tests), and the hostile inputs of the reliability audit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gpuadvisor.apps.read import filescan
from gpuadvisor.apps.read.filescan import scan_source
from gpuadvisor.apps.read.scan import scan_file
from gpuadvisor.errors import GpuAdvisorError, UsageError

APPS = Path(__file__).parents[2] / "fixtures" / "apps"

# Every site in every fixture, with the reading expected. A reading is the spec as the provider writes it;
# "A | -" is a conditional (- = no GPU); " ×N" a count written apart from the spec; " ×?" a count that
# cannot be read; "-" nothing read (the status says why).
# (line, provider, kind, status, reading, words expected in resolved_from or in the problem)
SITES = {
    "modal_app.py": [
        (7, "modal", "function", "ok", "A100:4", "literal"),
        (12, "modal", "function", "ok", "['H100', 'A100-40GB:2']", "literal"),
        (17, "modal", "cls", "ok", "h100!", "literal"),
        (22, "modal", "function", "ok", "H100", "constant GPU_KIND (line 4)"),
        (27, "modal", "function", "ok", "A10:8", "literal"),
    ],
    "modal_constant.py": [
        (8, "modal", "function", "ok", "H100", "constant GPU (line 4)"),
        (12, "modal", "cls", "ok", "L4", "constant gpu (line 5)"),
    ],
    "modal_fstring.py": [
        (12, "modal", "cls", "ok", "H200:2", "f-string"),
        (16, "modal", "function", "ok", "B200:1", "constant N_GPU (line 6)"),
        (20, "modal", "function", "ok", "H100!:2", "constant GPU (line 8)"),
        (24, "modal", "function", "ok", "A10G:4", "string concatenation"),
    ],
    "modal_gpu_object.py": [
        (9, "modal", "cls", "ok", "A100-80GB:2", "removed in Modal 1.4"),
        (13, "modal", "cls", "ok", "A100-40GB", "modal.gpu.A100"),
        (17, "modal", "function", "ok", "A10G:4", "constant N_INFERENCE_GPUS (line 6)"),
        (21, "modal", "function", "ok", "any", "modal.gpu.Any"),
    ],
    "modal_config_object.py": [
        (17, "modal", "function", "ok", "L40S", "default; overridable by $GPU"),
        (21, "modal", "function", "ok", "A10G", "overridable by $OCR_GPU"),
        (25, "modal", "function", "ok", "T4", "class attribute Settings.gpu"),
        (29, "modal", "function", "unresolved", "-", "sets no gpu="),
    ],
    "modal_env_default.py": [
        (12, "modal", "function", "ok", "H100", "overridable by $GPU"),
        (16, "modal", "function", "ok", "a10g:2", "overridable by $SECOND_GPU"),
        (20, "modal", "function", "ok", "L40S:4", "overridable by $N_GPUS"),
        (24, "modal", "function", "unresolved", "-", "$REQUIRED_GPU is read from the environment with no default"),
        (28, "modal", "function", "unresolved", "-", "$UNSET_GPU"),
    ],
    "modal_kwargs_dict.py": [
        (13, "modal", "cls", "ok", "A10G:1", "kwargs dict CLS_KWARGS"),
        (16, "modal", "function", "ok", "A100", "kwargs dict function_params"),
    ],
    "modal_conditional.py": [
        (8, "modal", "function", "ok", "L40S | -", "conditional"),
        (12, "modal", "function", "ok", "H100:8 | H100", "conditional"),
    ],
    "modal_server.py": [(7, "modal", "server", "ok", "H200:1", "f-string")],
    "modal_sandbox.py": [
        (4, "modal", "sandbox", "ok", "T4", "literal"),
        (5, "modal", "sandbox", "no-gpu", "-", "no GPU"),
    ],
    "modal_image_build.py": [
        (11, "modal", "image-build", "ok", "A10G", "literal"),
        (12, "modal", "image-build", "ok", "H100!:1", "constant GPU"),
        (13, "modal", "image-build", "ok", "any", "literal"),
        (18, "modal", "function", "ok", "H100!:1", "constant GPU"),
    ],
    "modal_legacy_any.py": [
        (6, "modal", "function", "ok", "any", "literal"),
        (10, "modal", "function", "ok", "['h100', 'a100', 'any']", "literal"),
    ],
    "modal_no_gpu.py": [
        (6, "modal", "function", "no-gpu", "-", "no GPU"),
        (10, "modal", "function", "no-gpu", "-", "no GPU"),
    ],
    "modal_with_options.py": [(11, "modal", "with_options", "ok", "T4", "literal")],
    "modal_runtime.py": [
        (9, "modal", "function", "unresolved", "-", "imported from .settings"),
        (13, "modal", "function", "unresolved", "-", "gpu_name() is a function call"),
        (18, "modal", "function", "unresolved", "-", "parameter of make()"),
        (23, "modal", "with_options", "unresolved", "-", "loop variable"),
        (28, "modal", "with_options", "unresolved", "-", "attribute of self"),
    ],
    "modal_count_unknown.py": [
        (7, "modal", "cls", "unresolved", "H100 ×?", "n is a parameter of deploy()"),
        (13, "modal", "function", "unresolved", "A10G ×?", "input() is a function call"),
    ],
    "modal_not_config.py": [],
    "modal_snippet_no_import.py": [],
    "runpod_app.py": [
        (4, "runpod", "endpoint", "ok", "GpuGroup.AMPERE_80 ×2", "literal"),
        (11, "runpod", "endpoint", "ok", "['GpuType.NVIDIA_A100_80GB_PCIe', 'GpuGroup.AMPERE_48']", "literal"),
        (20, "runpod", "endpoint", "ok", "GpuType.NVIDIA_H100_80GB_HBM3", "literal"),
    ],
    "runpod_count_constant.py": [(6, "runpod", "endpoint", "ok", "GpuGroup.AMPERE_80 ×2", "count: constant N_GPUS (line 3)")],
    "runpod_count_unknown.py": [(6, "runpod", "endpoint", "unresolved", "GpuGroup.AMPERE_80 ×?", "count unknown")],
    "runpod_live_serverless.py": [(3, "runpod", "live-serverless", "ok", "['GpuGroup.ADA_24'] ×2", "literal")],
    "runpod_cpu.py": [
        (5, "runpod", "cpu-endpoint", "ok", "CpuInstanceType.CPU3C_2_4", "literal"),
        (10, "runpod", "cpu-endpoint", "ok", "cpu3g-4-16", "literal"),
        (15, "runpod", "endpoint", "ok", "cpu3c-1-2", "literal"),
    ],
    "runpod_create_endpoint.py": [(3, "runpod", "create-endpoint", "ok", "AMPERE_16", "literal")],
    "runpod_plain_call.py": [
        (4, "runpod", "endpoint", "ok", "['GpuType.NVIDIA_A40', 'GpuType.NVIDIA_RTX_A6000', 'GpuGroup.ADA_48_PRO']", "literal"),
        (10, "runpod", "endpoint", "ok", "GpuType.ANY", "literal"),
    ],
    "runpod_runtime.py": [
        (6, "runpod", "endpoint", "unresolved", "-", "local variable of ensure()"),
        (10, "runpod", "endpoint", "unresolved", "-", "GpuGroup[name]"),
    ],
    "fal_app.py": [
        (5, "fal", "fal-app", "ok", "GPU-RTX4090", "literal"),
        (9, "fal", "fal-app", "ok", "['GPU-H100', 'GPU-A100'] ×2", "literal"),
        (14, "fal", "fal-app", "ok", "S", "literal"),
        (17, "fal", "fal-function", "ok", "GPU-L40", "literal"),
    ],
    "fal_constants.py": [(8, "fal", "fal-app", "ok", "GPU-H100 ×2", "count: constant NUM_GPUS (line 4)")],
    "fal_class_keywords.py": [
        (4, "fal", "fal-app", "ok", "GPU-A100 ×4", "literal"),
        (13, "fal", "fal-app", "ok", "['GPU-H200', 'GPU-H100']", "literal"),
    ],
    "fal_legacy_gpu.py": [(4, "fal", "fal-function", "ok", "GPU", "literal")],
    "fal_isolated.py": [(8, "fal", "isolated", "ok", "GPU", "literal")],
    "fal_on.py": [(4, "fal", "fal-function", "ok", "GPU-A100", "literal"), (8, "fal", "on", "ok", "GPU-H100", "literal")],
    "fal_cpu.py": [(5, "fal", "fal-app", "ok", "M", "literal"), (9, "fal", "fal-app", "ok", "L", "literal")],
    "fal_count_unknown.py": [(7, "fal", "fal-app", "unresolved", "GPU-H100 ×?", "imported from .settings")],
    "fp_vertex_ai.py": [],
    "fp_beam.py": [(4, "beam", "app", "ok", "GpuType.T4", "literal")],
    "beam_app.py": [
        (5, "beam", "endpoint", "ok", "A10G ×2", "literal"),
        (10, "beam", "task-queue", "ok", "['T4', 'A10G', 'H100']", "literal"),
        (15, "beam", "pod", "ok", "GpuType.H100", "literal"),
    ],
    "replicate_deploy.py": [
        (8, "replicate", "deployment", "ok", "gpu-2x-l40s", "literal"),
        (12, "replicate", "deployment", "ok", "gpu-h100", "literal"),
    ],
    "mixed_providers.py": [
        (7, "modal", "function", "ok", "A100-80GB:2", "literal"),
        (11, "fal", "fal-function", "ok", "GPU-H100 ×2", "literal"),
    ],
}


def reading(f) -> str:
    if f.alternatives:
        return " | ".join(a or "-" for a in f.alternatives)
    if f.spec is None:
        return "-"
    if not f.count_known:
        return f"{f.spec} ×?"
    return f.spec + (f" ×{f.count}" if f.count is not None and f.provider != "modal" else "")


def test_every_fixture_is_listed():
    assert sorted(p.name for p in APPS.glob("*.py")) == sorted(SITES)


@pytest.mark.parametrize("name", sorted(SITES))
def test_fixture_sites_and_readings(name):
    """Recall and precision on the fixtures: exactly the listed sites, each read as listed."""
    scan = scan_file(APPS / name)
    got = [(f.line, f.provider, f.kind, f.status, reading(f)) for f in scan.findings]
    assert got == [s[:5] for s in SITES[name]]
    for f, site in zip(scan.findings, SITES[name], strict=True):
        said = f.resolved_from + " " + f.problem + " " + " ".join(f.notes)
        assert site[5] in said, (f.line, said)
        assert "not a literal" not in said


def test_finding_json_carries_what_check_needs():
    [f] = scan_file(APPS / "modal_server.py").findings
    data = f.to_json()
    assert {"line", "provider", "kind", "code", "spec", "alternatives", "count", "count_known", "resolved_from",
            "notes", "status", "reason", "problem", "overridable_by"} <= set(data)
    assert (data["kind"], data["spec"], data["count"], data["count_known"]) == ("server", "H200:1", 1, True)


def test_unresolved_findings_name_a_reason_category():
    for name in ("modal_runtime.py", "modal_env_default.py", "modal_count_unknown.py", "runpod_runtime.py"):
        for f in scan_file(APPS / name).findings:
            if f.status == "unresolved":
                assert f.reason in filescan.REASONS and f.problem


def test_env_defaults_name_the_variable():
    f = scan_file(APPS / "modal_config_object.py").findings[1]
    assert f.overridable_by == ("OCR_GPU", "GPU")
    assert any("overridable by $OCR_GPU" in n for n in f.notes)


def test_a_count_from_the_environment_is_marked_overridable():
    [f] = scan_source("import os\nfrom runpod_flash import Endpoint, GpuGroup\n"
                      "@Endpoint(name='x', gpu=GpuGroup.ADA_24, gpu_count=int(os.environ.get('N_GPUS', 2)))\n"
                      "async def f(d): ...\n").findings
    assert (f.count, f.count_known, f.overridable_by) == (2, True, ("N_GPUS",))
    assert f.resolved_from == "default; overridable by $N_GPUS"


def test_a_count_that_is_not_a_number_is_invalid():
    [f] = scan_source("from runpod_flash import Endpoint, GpuGroup\nEndpoint(gpu=GpuGroup.ADA_24, gpu_count='2')\n").findings
    assert f.status == "invalid" and "not a whole number" in f.problem


def test_gpu_objects_say_they_were_removed():
    f = scan_file(APPS / "modal_gpu_object.py").findings[0]
    assert any("removed from the client in Modal 1.4.0" in n and 'gpu="A100-80GB:2"' in n for n in f.notes)


# ------------------------------------------------------------------ provider by import

def test_a_snippet_needs_the_source_named():
    assert scan_file(APPS / "modal_snippet_no_import.py").findings == ()
    [f] = scan_file(APPS / "modal_snippet_no_import.py", "modal").findings
    assert (f.provider, f.spec) == ("modal", "A100:2")


def test_other_platforms_keywords_are_not_findings():
    """The audit's false-positive probe: Vertex AI's machine_type= is no provider's config."""
    scan = scan_file(APPS / "fp_vertex_ai.py")
    assert scan.findings == () and scan.providers == ()


def test_a_beam_gputype_is_beams_never_another_providers():
    """The audit's second probe (Beam's GpuType once read as RunPod's): Beam is now a provider, so its
    GpuType.T4 is a Beam config, and still never a RunPod or fal one."""
    scan = scan_file(APPS / "fp_beam.py")
    assert scan.providers == ("beam",) and {f.provider for f in scan.findings} == {"beam"}
    assert scan_file(APPS / "fp_beam.py", "runpod").findings == () and scan_file(APPS / "fp_beam.py", "fal").findings == ()


def test_named_source_reads_only_that_provider():
    scan = scan_file(APPS / "mixed_providers.py", "fal")
    assert [f.provider for f in scan.findings] == ["fal"]


def test_unreadable_kwargs_splat_is_noted_not_guessed():
    scan = scan_source("import modal\napp = modal.App()\n\ndef f(**kw):\n    return app.function(**kw)\n")
    assert scan.findings == () and "could not be read" in scan.notes[0]


# ------------------------------------------------------------------ hostile input (reliability audit D6, D7, D14)

@pytest.mark.parametrize("expr", ["+".join(["a"] * 1000), "-" * 1000 + "1", "GpuType" + ".B" * 1000])
def test_deep_expressions_are_invalid_configs_not_crashes(expr):
    try:
        scan = scan_source(f"import modal\nimport runpod_flash\n@app.function(gpu={expr})\ndef f(): pass\n")
    except UsageError as e:  # a Python that refuses to parse it: still one clear error
        assert "cannot parse" in str(e)
        return
    [f] = scan.findings
    assert f.status == "invalid" and f.reason == "too-deep" and len(f.code) <= 80


def test_nul_byte_names_its_line():
    with pytest.raises(UsageError, match=r"NUL byte \(line 3\)"):
        scan_source("import modal\nx = 1\n\0\n")


def test_syntax_error_names_its_line():
    with pytest.raises(UsageError, match=r"cannot parse the file as Python: .* \(line 2\)"):
        scan_source("import modal\ndef (:\n")


def test_configs_are_capped(monkeypatch):
    monkeypatch.setattr(filescan, "MAX_FINDINGS", 3)
    text = "import modal\n" + "".join(f'@app.function(gpu="T4:{i}")\ndef f{i}(): ...\n' for i in range(1, 6))
    scan = scan_source(text)
    assert scan.total == 5 and scan.truncated and [f.spec for f in scan.findings] == ["T4:1", "T4:2", "T4:3"]


def test_special_files_are_refused(tmp_path):
    import os

    fifo = tmp_path / "app.py"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        scan_file(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        scan_file(Path("/dev/zero"))
    with pytest.raises(UsageError, match="is a directory"):
        scan_file(tmp_path)
    with pytest.raises(UsageError, match="no such"):
        scan_file(tmp_path / "missing.py")


def test_large_files_are_refused(tmp_path):
    big = tmp_path / "big.py"
    big.write_text("#" * (filescan.MAX_FILE_BYTES + 1))
    with pytest.raises(UsageError, match="larger than 512 KB"):
        scan_file(big)


def test_bom_and_non_utf8(tmp_path):
    bom = tmp_path / "bom.py"
    bom.write_bytes(b'\xef\xbb\xbfimport modal\n@app.function(gpu="T4")\ndef f(): ...\n')
    assert [f.spec for f in scan_file(bom).findings] == ["T4"]
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# caf\xe9\nimport modal\n")
    with pytest.raises(UsageError, match="not UTF-8"):
        scan_file(latin)


@settings(max_examples=150, deadline=None)
@given(source=st.text(max_size=200))
def test_random_text_never_crashes(source):
    try:
        scan_source(source, "modal")
    except GpuAdvisorError:
        pass


_VALUES = st.sampled_from(["'H100'", "GPU", "None", "False", "True", "1", "[]", "['T4', X]", "X if Y else None",
                           "f'{GPU}:{N}'", "os.environ.get('G', 'A10G')", "modal.gpu.A100(count=N)", "CONF.gpu",
                           "pick()", "**KW", "GpuGroup.ADA_24", "[GpuGroup.X, GpuType.Y]", "'M'"])


@settings(max_examples=200, deadline=None)
@given(value=_VALUES, key=st.sampled_from(["gpu", "machine_type", "gpus", "gpu_ids"]),
       call=st.sampled_from(["app.function", "app.cls", "Endpoint", "fal.function", "LiveServerless",
                             "image.run_function", "create_endpoint"]),
       count=st.sampled_from(["", ", gpu_count=N", ", num_gpus=2", ", gpuCount='2'", ", num_gpus=M"]))
def test_random_call_shapes_are_read_or_explained(value, key, call, count):
    arg = value if value.startswith("**") else f"{key}={value}"
    src = ("import os, modal, fal\nfrom runpod_flash import Endpoint, GpuGroup, GpuType, LiveServerless\n"
           "GPU = 'L4'\nN = 2\nKW = {'gpu': 'T4'}\nCONF = Cfg(gpu='T4')\n"
           f"x = {call}({arg}{count})\n")
    for f in scan_source(src).findings:
        assert f.status in ("ok", "no-gpu", "unresolved", "invalid")
        assert f.status == "ok" or f.problem
        assert f.status != "ok" or f.spec or f.alternatives


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 parses PEP 695 syntax")
def test_newer_python_syntax_is_named_as_such(tmp_path):
    # review of #16: a real corpus file (y1zhou/biomodals) with a `type` alias exited 2 with "invalid syntax"
    app = tmp_path / "app.py"
    app.write_text('import modal\ntype Gpu = str\n@app.function(gpu="T4")\ndef f(): pass\n')
    with pytest.raises(UsageError, match=r"line 2\); that line is Python 3.12 syntax \(PEP 695\)"):
        scan_file(app)
    app.write_text('import modal\nx = = 1\n')
    with pytest.raises(UsageError) as e:
        scan_file(app)
    assert "PEP 695" not in str(e.value)
