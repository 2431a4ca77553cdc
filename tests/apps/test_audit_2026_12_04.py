"""Every missed shape and false positive of the real-apps audit of 2026-12-04, on the real files it
cites (tests/fixtures/audit-2026-12-04, origin in ORIGIN.md beside them)."""

from __future__ import annotations

import shutil
from pathlib import Path

from gpuadvisor.apps.read.scan import scan_file

AUDIT = Path(__file__).parents[1] / "fixtures" / "audit-2026-12-04"
SRC = AUDIT / "llm-finetuning" / "src"


def readings(path: Path, source: str | None = None) -> list[tuple[int, str, str | None, int | None]]:
    return [(f.line, f.status, f.spec, f.count) for f in scan_file(path, source).findings]


def test_pattern_1_a_file_that_gets_its_app_from_a_sibling_module_is_read():
    """train.py never imports modal: `from .common import app` (common.py does)."""
    assert readings(SRC / "train.py") == [(23, "ok", "a100:2", 2), (47, "ok", "a10g:1", 1), (61, "ok", "a10g:1", 1)]


def test_pattern_3_env_default_then_guarded_reassignment_reads_the_default_naming_the_condition():
    [f] = scan_file(SRC / "inference.py").findings
    assert (f.line, f.status, f.spec, f.count) == (32, "ok", "a10g:2", 2)
    assert f.overridable_by == ("INFERENCE_GPU_CONFIG",)
    assert any('only if len(INFERENCE_GPU_CONFIG.split(":")) <= 1: false' in n for n in f.notes)


def test_pattern_1_without_the_sibling_module_the_file_says_so(tmp_path, run):
    shutil.copy(SRC / "train.py", tmp_path / "train.py")
    scan = scan_file(tmp_path / "train.py")
    assert scan.findings == () and scan.unattributed == (23, 47, 61)
    result = run("check", str(tmp_path / "train.py"), "--json", code=1)
    assert {(f["line"], f["code"]) for f in __import__("json").loads(result.stdout)["findings"]} == {
        (23, "GA113"), (47, "GA113"), (61, "GA113")}


def test_check_a_directory_follows_the_apps_own_imports(run):
    data = run.json("check", str(SRC), "--fail-on", "never")
    assert sorted((Path(s["file"]).name, s["line"]) for s in data["configs"]) == [
        ("inference.py", 32), ("train.py", 23), ("train.py", 47), ("train.py", 61)]


def test_pattern_2_beam_vllm_integration_sites_are_read():
    assert readings(AUDIT / "beam_vllm_models.py") == [
        (13, "ok", "A10G", 1), (33, "ok", "A100-40", None), (47, "ok", "A100-40", None), (62, "ok", "A10G", 2)]


def test_pattern_4_baseten_h100_40gb_is_a_known_mig_slice(tmp_path, run):
    shutil.copy(AUDIT / "truss_h100_40gb_config.yaml", tmp_path / "config.yaml")
    assert readings(tmp_path / "config.yaml") == [(13, "ok", "H100_40GB", None)]
    data = run.json("check", str(tmp_path / "config.yaml"))
    assert data["findings"] == []  # no GA108, no rewrite to four H100s
    tr = run.json("translate", "--file", str(tmp_path / "config.yaml"), "modal")
    [src] = tr["findings"][0]["translation"]["source"]["options"]
    assert src["name"] == "H100_40GB" and src["gpu"] == "h100-mig-40gb"


def test_pattern_5_the_fal_sdk_forwarding_its_own_machine_type_is_not_a_finding():
    scan = scan_file(AUDIT / "fal_sdk_app.py")
    assert not [f for f in scan.findings if f.line == 187]


def test_local_imports_resolve_as_python_would_from_the_project_root(tmp_path):
    """The shapes of modal-labs/audio-transcription-benchmarking src/app.py (`from src.common import`,
    src/ without __init__.py) and fal-ai/stable-diffusion-benchmarks benchmarks/__main__.py (`from
    benchmarks import benchmark_comfy`, a submodule that imports fal)."""
    src = tmp_path / "repo" / "src"
    src.mkdir(parents=True)
    (src / "common.py").write_text('import modal\napp = modal.App()\nGPU = "L4:2"\n')
    (src / "app.py").write_text("from src.common import app, GPU\n\n@app.function(gpu=GPU)\ndef f(): ...\n")
    assert readings(src / "app.py") == [(3, "ok", "L4:2", 2)]
    pkg = tmp_path / "bench" / "benchmarks"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "comfy.py").write_text("import fal\n")
    (pkg / "__main__.py").write_text('from benchmarks import comfy\n\ncomfy.fn.on(machine_type="GPU-H100")\n')
    assert readings(pkg / "__main__.py") == [(3, "ok", "GPU-H100", None)]


def test_import_cycles_and_missing_modules_are_not_followed_forever(tmp_path):
    (tmp_path / "a.py").write_text("import modal\nfrom b import X\nY = X\n")
    (tmp_path / "b.py").write_text("from a import Y\nX = Y\n")
    (tmp_path / "app.py").write_text("from a import Y\nfrom gone import Z\nimport modal\n\n"
                                     "@modal.App().function(gpu=Y)\ndef f(): ...\n@modal.App().function(gpu=Z)\ndef g(): ...\n")
    [f, g] = scan_file(tmp_path / "app.py").findings
    assert f.status == g.status == "unresolved" and "outside this project" in g.problem
