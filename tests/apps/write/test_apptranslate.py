"""`translate --file`: what each config becomes, the exit code of the file, and what the user reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gpuadvisor.apps.read import filescan
from gpuadvisor.apps.read.filescan import scan_source
from gpuadvisor.apps.read.scan import scan_file
from gpuadvisor.apps.write.apptranslate import outcome, translate_finding, translate_scan, weakest_match

APPS = Path(__file__).parents[2] / "fixtures" / "apps"


def by_line(result) -> dict:
    return {f["line"]: f for f in json.loads(result.stdout)["findings"]}


# ------------------------------------------------------------------ exit codes

def test_all_translated_exits_0_without_a_summary(run):
    result = run("translate", "--file", str(APPS / "modal_fstring.py"), "runpod", code=0)
    assert result.stderr == ""


def test_partial_result_exits_0_with_a_summary(run):
    result = run("translate", "--file", str(APPS / "modal_env_default.py"), "fal", "--json", code=0)
    assert result.stderr.strip() == "gpuadvisor: note: translated 3 of 5; 2 unresolved (see notes)"
    assert [f["status"] for f in json.loads(result.stdout)["findings"]] == [
        "translated", "translated", "translated", "unresolved", "unresolved"]


def test_nothing_resolved_exits_1(run):
    result = run("translate", "--file", str(APPS / "modal_runtime.py"), "fal", code=1)
    assert "nothing translated: translated 0 of 5; 5 unresolved" in result.stderr
    assert "gpu_name() is a function call" in result.stdout


def test_nothing_found_exits_1_and_says_how_to_read_a_snippet(run):
    result = run("translate", "--file", str(APPS / "modal_snippet_no_import.py"), "fal", code=1)
    assert "no GPU configuration found" in result.stderr and "modal fal" in result.stderr
    assert result.stdout == ""
    data = run.json("translate", "--file", str(APPS / "modal_snippet_no_import.py"), "modal", "fal")
    assert data["findings"][0]["translation"]["target"]["options"][0]["name"] == "GPU-A100"


def test_an_invalid_config_exits_2_with_one_line(run):
    result = run("translate", "--file", str(APPS / "modal_app.py"), "fal", "--json", code=2)
    found = by_line(result)
    assert found[7]["translation"]["target"]["options"][0]["name"] == "GPU-A100"
    assert found[27]["status"] == "invalid" and "at most 4" in found[27]["error"]
    assert "line 27" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_no_gpu_only_file_exits_1(run):
    result = run("translate", "--file", str(APPS / "modal_no_gpu.py"), "fal", code=1)
    assert "nothing to translate: 2 config(s) ask for no GPU" in result.stderr


def test_outcome_rules():
    scan = scan_file(APPS / "fal_count_unknown.py")
    assert outcome([]).code == 1
    assert outcome([translate_finding(None, scan.findings[0], "modal")]).code == 1


# ------------------------------------------------------------------ counts are never silently dropped

@pytest.mark.parametrize("name", ["runpod_count_unknown.py", "fal_count_unknown.py", "modal_count_unknown.py"])
def test_count_unknown_is_never_translated_as_one(run, name):
    """The audit's silent-count probe: a count that cannot be read."""
    result = run("translate", "--file", str(APPS / name), "modal" if not name.startswith("modal") else "fal",
                 "--json", code=1)
    for f in json.loads(result.stdout)["findings"]:
        assert f["status"] == "unresolved" and f["translation"] is None and f["count_known"] is False
        assert "count unknown" in f["unresolved"] and "--count" in f["unresolved"]


def test_count_unknown_takes_the_count_from_the_command_line(run):
    data = run.json("translate", "--file", str(APPS / "runpod_count_unknown.py"), "modal", "--count", "2")
    [f] = data["findings"]
    assert f["status"] == "translated" and f["translation"]["source"]["options"][0]["count"] == 2
    assert any("from --count" in n for n in f["notes"])


def test_a_constant_count_is_evaluated(run):
    [f] = run.json("translate", "--file", str(APPS / "runpod_count_constant.py"), "modal")["findings"]
    assert f["count"] == 2 and f["translation"]["target"]["options"][0]["count"] == 2


# ------------------------------------------------------------------ legacy vocabulary and CPU

def test_modal_any_is_read_with_a_note(run):
    found = by_line(run("translate", "--file", str(APPS / "modal_legacy_any.py"), "runpod", "--json"))
    assert found[6]["status"] == "translated"
    assert found[6]["translation"]["source"]["options"][0]["members"] == ["t4", "l4", "a10"]
    assert any("any of L4, A10, or T4" in n for n in found[6]["notes"])
    assert found[10]["status"] == "translated" and len(found[10]["translations"][0]["target"]["options"]) == 3


def test_fal_gpu_is_one_a100_40gb(run):
    [f] = run.json("translate", "--file", str(APPS / "fal_legacy_gpu.py"), "modal")["findings"]
    assert f["translation"]["source"]["options"][0]["gpu"] == "a100-40gb"
    assert f["translation"]["target"]["options"][0]["name"] == "A100-40GB"
    assert any("1× A100 40 GB" in n for n in f["notes"])
    [f] = run.json("translate", "--file", str(APPS / "fal_isolated.py"), "runpod")["findings"]
    assert f["kind"] == "isolated" and f["status"] == "translated"


def test_fal_cpu_app_translates_to_cpu_workers(run):
    """Audit T50: fal's CPU machine types become CPU workers, never a GPU or an error."""
    found = run.json("translate", "--file", str(APPS / "fal_cpu.py"), "runpod")["findings"]
    assert [f["status"] for f in found] == ["translated", "translated"]
    assert [f["translation"]["config"] for f in found] == ['cpu="cpu3c-2-4"', 'cpu="cpu3g-4-16"']
    found = run.json("translate", "--file", str(APPS / "fal_cpu.py"), "modal")["findings"]
    assert [f["translation"]["config"] for f in found] == ["cpu=1, memory=2048", "cpu=2, memory=15360"]
    assert all(o["kind"] == "cpu" for f in found for o in f["translation"]["target"]["options"])


# ------------------------------------------------------------------ what the user reads

def test_conditional_shows_both_branches(run):
    result = run("translate", "--file", str(APPS / "modal_conditional.py"), "fal", "--json")
    f = by_line(result)[8]
    assert f["alternatives"] == ["L40S", None] and f["translations"][1] is None
    assert f["translations"][0]["target"]["options"][0]["name"] == "GPU-L40"
    assert any("one of 'L40S' or no GPU" in n for n in f["notes"])
    text = run("translate", "--file", str(APPS / "modal_conditional.py"), "fal", "--explain").stdout
    assert "otherwise: no GPU" in text and "branch 'H100:8'" in text


def test_resolved_from_and_env_marking_in_text_and_json(run):
    text = run("translate", "--file", str(APPS / "modal_config_object.py"), "fal", "--explain").stdout
    assert "read as 'L40S' from attribute gpu of CONF = AppConfig(…) (line 8); default; overridable by $GPU" in text
    f = by_line(run("translate", "--file", str(APPS / "modal_config_object.py"), "fal", "--json"))[17]
    assert f["resolved_from"].endswith("default; overridable by $GPU") and f["overridable_by"] == ["GPU"]


def test_headline_shows_the_weakest_match(run, tmp_path):
    app = tmp_path / "app.py"
    app.write_text('import modal\napp = modal.App()\n@app.function(gpu=["H200", "RTX-PRO-6000"])\ndef f(): ...\n')
    f = run.json("translate", "--file", str(app), "fal")["findings"][0]
    assert f["translation"]["match"] == "exact" and f["match"] == "downgrade"
    assert "→ downgrade" in run("translate", "--file", str(app), "fal", "--explain").stdout
    assert weakest_match(["exact", "upgrade", "equivalent"]) == "upgrade" and weakest_match([]) is None


def test_image_build_and_sandbox_kinds_are_shown(run):
    text = run("translate", "--file", str(APPS / "modal_image_build.py"), "runpod", "--explain").stdout
    assert "line 11 (modal image-build)" in text and "line 18 (modal function)" in text
    found = by_line(run("translate", "--file", str(APPS / "modal_sandbox.py"), "runpod", "--json"))
    assert found[4]["kind"] == "sandbox" and found[5]["status"] == "no-gpu"


def test_library_and_cli_agree(cat):
    """`check` will reuse translate_scan: its readings are those the CLI prints."""
    scan = scan_file(APPS / "modal_gpu_object.py")
    results = translate_scan(cat, scan, "runpod")
    assert [r.status for r in results] == ["translated"] * 4
    assert [r.translations[0].source[0].offering.name for r in results] == ["A100-80GB", "A100-40GB", "A10", "any"]


# ------------------------------------------------------------------ hostile input, as real processes

def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "gpuadvisor", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("expr", ["+".join(["a"] * 1000), "-" * 1000 + "1", "GpuType" + ".B" * 1000])
def test_deep_expressions_exit_2_never_3(tmp_path, expr):
    app = tmp_path / "deep.py"
    app.write_text(f"import modal\n@app.function(gpu={expr})\ndef f(): pass\n")
    p = _cli("translate", "--file", str(app), "fal")
    assert p.returncode == 2 and "Traceback" not in p.stderr and "internal error" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_special_files_exit_2_at_once(tmp_path):
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    for path, words in ((fifo, "not a regular file"), ("/dev/zero", "not a regular file"), (tmp_path, "directory")):
        p = _cli("translate", "--file", str(path), "fal")
        assert p.returncode == 2 and words in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_non_utf8_file_name_is_printed_safely(tmp_path):
    name = os.fsdecode(b"\xff.py")
    (tmp_path / name).write_text('import modal\n@app.function(gpu="T4")\ndef f(): ...\n')
    p = _cli("translate", "--file", str(tmp_path / name), "fal", env={"PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 0 and "\\xff.py" in p.stdout
    p = _cli("translate", "--file", str(tmp_path / name), "fal", "--json", env={"PYTHONIOENCODING": "utf-8"})
    assert json.loads(p.stdout)["file"].endswith("\\xff.py")


def test_the_config_cap_is_stated(run, tmp_path, monkeypatch):
    monkeypatch.setattr(filescan, "MAX_FINDINGS", 2)
    app = tmp_path / "many.py"
    app.write_text("import modal\n" + "".join(f'@app.function(gpu="T4")\ndef f{i}(): ...\n' for i in range(4)))
    result = run("translate", "--file", str(app), "fal", "--json")
    data = json.loads(result.stdout)
    assert (len(data["findings"]), data["total"], data["truncated"]) == (2, 4, True)
    assert "has 4 GPU configurations; only the first 2 are read" in result.stderr


def test_scan_of_unparsable_file_names_the_file(run, tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import modal\ndef (:\n")
    result = run("translate", "--file", str(bad), "fal", code=2)
    assert "bad.py: cannot parse the file as Python" in result.stderr and "(line 2)" in result.stderr


def test_scan_source_of_a_fixture_matches_scan_file():
    text = (APPS / "modal_fstring.py").read_text()
    assert scan_source(text).findings == scan_file(APPS / "modal_fstring.py").findings


def test_t55_a_pinned_spec_read_from_a_file_keeps_its_pin(run):
    """Audit T55: translate --file app.py modal on gpu="H100!:2" writes the pin back, exact."""
    found = {f["line"]: f for f in run.json("translate", "--file", str(APPS / "modal_fstring.py"), "modal")["findings"]}
    assert found[20]["spec"] == "H100!:2"
    assert found[20]["translation"]["config"] == 'gpu="H100!:2"' and found[20]["match"] == "exact"


# ------------------------------------------------------------------ host size (issue 21 item 11)

MODAL_HOSTED = '''import modal
app = modal.App()

@app.function(gpu=["L40S", "A100-80GB"], cpu=4, memory=16384)
def run():
    pass
'''


@pytest.mark.parametrize("target,written", [
    ("cerebrium", ["cpu = 8", "memory = 16"]),            # Cerebrium: vCPUs and GB
    ("beam", ['cpu=8, memory="16Gi"']),                  # Beam: cores and a quantity
    ("baseten", ['  cpu: "8"', "  memory: 16Gi"]),        # Truss resources
])
def test_the_hosts_cpu_and_memory_are_carried(run, tmp_path, target, written):
    """Audit 2026-12-04 §6 / F9: `cpu=4, memory=16384` (Modal: 4 physical cores = 8 vCPUs, 16 GiB) was dropped."""
    app = tmp_path / "modal_app.py"
    app.write_text(MODAL_HOSTED)
    out = run("translate", "--file", str(app), target, "--explain").stdout
    for text in written:
        assert text in out, out
    assert "host kept: 8 vCPUs and 16 GB of memory" in out


def test_a_truss_host_goes_to_modal_in_cores_and_mib(run, tmp_path):
    d = tmp_path / "truss"
    d.mkdir()
    (d / "config.yaml").write_text('resources:\n  accelerator: A10G:2\n  cpu: "8"\n  memory: 32Gi\n')
    out = run("translate", "--file", str(d / "config.yaml"), "modal", "--explain").stdout
    assert 'gpu="A10:2", cpu=4, memory=32768' in out


def test_a_provider_without_host_keywords_says_the_host_is_not_written(run, tmp_path):
    app = tmp_path / "modal_app.py"
    app.write_text(MODAL_HOSTED)
    out = run("translate", "--file", str(app), "runpod", "--explain").stdout
    assert "the source's 8 vCPUs and 16 GB of memory are not written" in " ".join(out.split())  # notes wrap at 100
