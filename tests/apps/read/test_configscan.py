"""Provider config files read by name: Baseten's config.yaml (PyYAML safe_load), Cerebrium's
cerebrium.toml (tomllib) and Replicate's cog.yaml (no hardware in it). Fixtures under
tests/fixtures/apps/{baseten,cerebrium,cog} were written for these tests in the shapes the providers
document (each file says which source)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gpuadvisor.apps.check.lint import check_paths
from gpuadvisor.apps.read.configscan import scan_config_text
from gpuadvisor.apps.read.scan import scan_file
from gpuadvisor.errors import UsageError

APPS = Path(__file__).parents[2] / "fixtures" / "apps"
ROOT = Path(__file__).resolve().parents[3]


def test_truss_accelerator_with_its_line():
    [f] = scan_file(APPS / "baseten" / "config.yaml").findings
    assert (f.line, f.provider, f.kind, f.spec, f.status) == (7, "baseten", "accelerator", "H100:2", "ok")


def test_truss_instance_type_wins_over_accelerator():
    text = "resources:\n  accelerator: T4\n  instance_type: \"A100:2x24x288\"\n"
    [f] = scan_config_text("config.yaml", text).findings
    assert (f.kind, f.spec, f.line) == ("instance-type", "A100:2x24x288", 3)


def test_truss_use_gpu_without_accelerator_is_unresolved_not_guessed():
    [f] = scan_config_text("config.yml", "resources:\n  use_gpu: true\n").findings
    assert f.status == "unresolved" and "names no accelerator" in f.problem


def test_a_config_yaml_of_another_tool_has_nothing():
    scan = scan_config_text("config.yaml", "jobs:\n  build: {runs-on: ubuntu-latest}\n")
    assert scan.findings == () and scan.providers == ()


def test_cerebrium_preference_list_and_count():
    [f] = scan_file(APPS / "cerebrium" / "cerebrium.toml").findings
    assert (f.line, f.provider, f.spec, f.count, f.status) == (7, "cerebrium", "['ADA_L40', 'AMPERE_A100_80GB']", 2, "ok")


@pytest.mark.parametrize("compute,status,words", [
    ('"CPU"', "no-gpu", "CPU-only"), ('"INF2"', "unresolved", "Inferentia2"), ("3", "invalid", "name or a list"),
])
def test_cerebrium_values_that_are_not_gpus(compute, status, words):
    [f] = scan_config_text("cerebrium.toml", f"[cerebrium.hardware]\ncompute = {compute}\n").findings
    assert f.status == status and words in f.problem


def test_cog_yaml_says_where_the_hardware_is_chosen(run):
    scan = scan_file(APPS / "cog" / "cog.yaml")
    assert scan.findings == () and "hardware SKU is chosen" in scan.notes[0]
    result = run("translate", "--file", str(APPS / "cog" / "cog.yaml"), "modal", code=1)
    assert "CUDA base image" in result.stderr


@pytest.mark.parametrize("name,text,words", [
    ("config.yaml", "resources: [unclosed\n", "cannot parse the file as YAML"),
    ("config.yaml", "a: !!python/object/apply:os.system ['true']\n", "cannot parse the file as YAML"),
    ("cerebrium.toml", "[cerebrium.hardware\n", "cannot parse the file as TOML"),
])
def test_malformed_config_is_one_clear_error(name, text, words, tmp_path, run):
    with pytest.raises(UsageError, match=words):
        scan_config_text(name, text)
    path = tmp_path / name
    path.write_text(text)
    result = run("translate", "--file", str(path), "modal", code=2)
    assert result.stderr.count("\n") == 1 and words in result.stderr and "Traceback" not in result.stderr


def test_translate_file_reads_config_files(run):
    data = run.json("translate", "--file", str(APPS / "baseten" / "config.yaml"), "modal")
    assert data["imports"] == ["baseten"]
    tr = data["findings"][0]["translation"]
    assert tr["config"] == 'gpu="H100:2", cpu=2, memory=16384' and tr["match"] == "exact"  # cpu: "4" = 2 cores
    data = run.json("translate", "--file", str(APPS / "cerebrium" / "cerebrium.toml"), "baseten")
    tr = data["findings"][0]["translation"]
    # Baseten takes one option: the first, L40S ×2, is nearest; the file's host (cpu 4, memory 32) is kept
    assert tr["config"] == 'accelerator: RTX_PRO_6000:2\ncpu: "4"\nmemory: 32Gi'


def test_a_wrong_count_in_an_accelerator_is_an_error(tmp_path, run):
    path = tmp_path / "config.yaml"
    path.write_text("resources:\n  accelerator: H100:3\n")
    result = run("translate", "--file", str(path), "modal", code=2)
    assert "H100:4" in result.stderr and "H100:2" in result.stderr


def test_check_walks_into_config_files(cat, tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "cerebrium.toml").write_text('[cerebrium.hardware]\ncompute = "TURING_T4"\ngpu_count = 8\n')
    (tmp_path / "config.yaml").write_text("resources:\n  accelerator: A10G:4  # noqa: GA104\n")
    report = check_paths(cat, [tmp_path])
    assert report.files == 2
    assert [(Path(i.file).name, i.code) for i in report.issues] == [("cerebrium.toml", "GA104")]


def test_yaml_is_imported_only_for_yaml_files():
    code = ("import sys, runpy; sys.argv = ['gpuadvisor', 'list', '--json']\n"
            "from gpuadvisor.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'yaml' not in sys.modules, 'yaml imported'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
