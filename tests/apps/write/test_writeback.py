"""Write-back (`translate --file --write`, `check --fix`): every rewrite is valid code, re-reads as the
intended config, keeps what it does not touch, and never overwrites a file silently. Fixtures: the
audit's real files (tests/fixtures/audit-2026-12-04, ORIGIN.md) and the scanner's app fixtures."""

from __future__ import annotations

import ast
import json
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpuadvisor.apps.read.filescan import scan_source
from gpuadvisor.apps.read.scan import scan_file
from gpuadvisor.apps.write.apptranslate import translate_scan
from gpuadvisor.apps.write.rewrite import RewriteFailed, Site, config_pairs
from gpuadvisor.apps.write.writeback import fix_paths, plan_file, rewrite_text, translation_sites
from gpuadvisor.catalog import get_catalog

FIXTURES = Path(__file__).parents[2] / "fixtures"
AUDIT = FIXTURES / "audit-2026-12-04"
APPS = sorted((FIXTURES / "apps").glob("*.py")) + sorted(AUDIT.rglob("*.py"))  # llm-finetuning/src: guarded env defaults
PYTHON_TARGETS = ("modal", "runpod", "fal", "beam")


@pytest.fixture(scope="module")
def cat():
    return get_catalog()


def translated(cat, path: Path, target: str):
    scan = scan_file(path)
    results = translate_scan(cat, scan, target)
    sites, skipped = translation_sites(cat, results, target, False)
    return scan, sites, skipped


@pytest.mark.parametrize("target", PYTHON_TARGETS)
@pytest.mark.parametrize("path", APPS, ids=lambda p: p.name)
def test_every_written_python_file_compiles_and_rereads_as_intended(cat, path, target):
    """100% of written files parse; rewrite_text re-reads every site itself and raises otherwise."""
    scan, sites, _ = translated(cat, path, target)
    if not sites:
        return
    text = path.read_text()
    plan = plan_file(cat, path, text, sites, list(scan.findings), [])
    compile(plan.after, str(path), "exec")
    for s in sites:  # a site another provider's API wraps is marked for a person, in the file itself
        assert bool(s.human) == (s.finding.provider != target)
    assert plan.after.count("# gpuadvisor:") == len({s.finding.anchor.owner[0] for s in plan.human})  # one per line


@pytest.mark.parametrize("path", sorted((FIXTURES / "check").glob("*.py")) + APPS, ids=lambda p: p.name)
def test_check_fix_output_compiles_rescans_to_the_same_sites_and_is_settled(cat, path, tmp_path):
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    plans, _ = fix_paths(cat, [copy])
    for plan in plans:
        compile(plan.after, path.name, "exec")
        before, after = scan_source(plan.before), scan_source(plan.after)
        assert after.total == before.total
        copy.write_text(plan.after)
        again, _ = fix_paths(cat, [copy])  # the fix is settled: a second run has less (usually nothing) to do
        assert sum(len(p.sites) for p in again) < len(plan.sites)


# ---------------------------------------------------------------------------- the audit's shapes


def test_kwargs_dict_site_changes_the_key_in_the_dict_never_a_duplicate(cat):
    """modal-projects/qwen3-haiku eval/serve_haiku_model.py: app.cls(**CLS_KWARGS) at L247, gpu= at L127."""
    path = AUDIT / "qwen3_haiku_serve_haiku_model.py"
    scan, sites, _ = translated(cat, path, "fal")
    plan = plan_file(cat, path, path.read_text(), sites, list(scan.findings), [])
    assert '    machine_type="GPU-RTX4090",\n' in plan.after and 'gpu=f"A10G:{N_GPU}"' not in plan.after
    call = plan.after.splitlines()[246 + 1]  # one comment line is added above the call
    assert call.strip() == "_cls = app.cls(**CLS_KWARGS)(_cls)"  # no gpu= added beside the ** dict
    fixed, _ = fix_paths(cat, [path])
    assert '    gpu="A10",\n' in fixed[0].after and fixed[0].after.count("gpu=") == plan.before.count("gpu=")


def test_live_serverless_keeps_gpus_as_a_list(cat, run):
    """runpod/tetra-examples class_based_example.py: a gpu= there would be dropped and widen to ANY."""
    data = run.json("check", str(AUDIT / "tetra_class_based_example.py"), "--fail-on", "never")
    assert {f["suggestion"] for f in data["findings"] if f["suggestion"]} == {"gpus=[GpuType.NVIDIA_RTX_A4500]"}
    [plan], _ = fix_paths(cat, [AUDIT / "tetra_class_based_example.py"])
    assert "gpus=[GpuType.NVIDIA_RTX_A4500]," in plan.after and "\ngpu=" not in plan.after
    assert "from tetra_rp import GpuType\n" in plan.after  # the SDK the file already uses


def test_hub_json_never_gets_internal_ids_and_keeps_every_pool(cat, run, tmp_path):
    """runpod-workers/worker-vllm .runpod/hub.json: was `"gpuIds": "ADA_80_PRO,-h100-pcie"`."""
    shutil.copytree(AUDIT / "worker-vllm", tmp_path / "w")
    data = run.json("check", str(tmp_path / "w"), "--fail-on", "never")
    for f in data["findings"]:
        assert not f["suggestion"] or ("ADA_80_PRO" in f["suggestion"] and "AMPERE_80" in f["suggestion"]
                                       and "h100-" not in f["suggestion"])
    hub = tmp_path / "w" / ".runpod" / "hub.json"
    [f] = scan_file(hub).findings
    done = rewrite_text(cat, hub, hub.read_text(), [Site(f, "runpod", '"gpuIds": "ADA_80_PRO,AMPERE_80,-NVIDIA H100 80GB HBM3"')], [f])
    assert json.loads(done.text)["config"]["gpuIds"] == "ADA_80_PRO,AMPERE_80,-NVIDIA H100 80GB HBM3"
    assert done.text.replace("ADA_80_PRO,AMPERE_80,-NVIDIA H100 80GB HBM3", "ADA_80_PRO,AMPERE_80") == hub.read_text()


def test_yaml_rewrite_keeps_comments_and_formatting(cat, tmp_path):
    path = tmp_path / "config.yaml"
    shutil.copy(AUDIT / "truss_grpc_config.yaml", path)
    text = path.read_text()
    [f] = scan_file(path).findings
    done = rewrite_text(cat, path, text, [Site(f, "baseten", "accelerator: H100_40GB")], [f])
    assert "  accelerator: H100_40GB  # or your preferred GPU\n" in done.text
    assert done.text.replace("H100_40GB", "A10G", 1) == text  # nothing else moved
    assert yaml.safe_load(done.text)["resources"]["accelerator"] == "H100_40GB"


def test_toml_rewrite_keeps_comments_and_sets_the_count_in_its_table(cat, tmp_path):
    path = tmp_path / "cerebrium.toml"
    shutil.copy(AUDIT / "cerebrium_vllm.toml", path)
    text = path.read_text()
    [f] = scan_file(path).findings
    done = rewrite_text(cat, path, text, [Site(f, "cerebrium", 'compute = "ADA_L40"\ngpu_count = 2')], [f])
    hw = tomllib.loads(done.text)["cerebrium"]["hardware"]
    assert (hw["compute"], hw["gpu_count"]) == ("ADA_L40", 2)
    assert "# Note: Cuda 12 and Py 3.10 are required for VLLM" in done.text
    assert len(done.text.splitlines()) == len(text.splitlines())


def test_env_default_is_rewritten_in_the_default_so_the_override_still_works(cat, tmp_path):
    path = tmp_path / "app.py"
    path.write_text('import os\nimport modal\napp = modal.App()\nGPU = os.environ.get("GPU", "A10G")\n\n'
                    "@app.function(gpu=GPU)\ndef f(): ...\n")
    [plan], _ = fix_paths(cat, [path])
    assert 'GPU = os.environ.get("GPU", "A10")' in plan.after and "@app.function(gpu=GPU)" in plan.after


def test_a_rewrite_that_would_not_reread_as_intended_writes_nothing_and_names_the_site(cat, tmp_path):
    path = tmp_path / "app.py"
    path.write_text('import modal\napp = modal.App()\n\n@app.function(gpu="A10G")\ndef f(): ...\n')
    [f] = scan_file(path).findings
    with pytest.raises(RewriteFailed, match="line 4"):
        rewrite_text(cat, path, path.read_text(), [Site(f, "modal", "gpu=pick_at_run_time()")], [f])


def test_config_pairs_read_every_syntax():
    assert config_pairs("gpu=GpuType.X, gpu_count=2") == [("gpu", "GpuType.X"), ("gpu_count", "2")]
    assert config_pairs('machine_type = "GPU-H100"\nnum_gpus = 2') == [("machine_type", '"GPU-H100"'), ("num_gpus", "2")]
    assert config_pairs("accelerator: H100:2") == [("accelerator", "H100:2")]
    assert config_pairs('"gpuIds": "ADA_24", "gpuCount": 2') == [("gpuIds", '"ADA_24"'), ("gpuCount", "2")]


# ---------------------------------------------------------------------------- the CLI


def test_write_makes_a_new_file_beside_the_source_and_never_overwrites(run, tmp_path):
    app = tmp_path / "app.py"
    shutil.copy(FIXTURES / "apps" / "modal_app.py", app)
    before = app.read_text()
    result = run("translate", "--file", str(app), "runpod", "--write")
    out = tmp_path / "app.runpod.py"
    assert out.exists() and app.read_text() == before
    written = out.read_text()
    compile(written, "app.runpod.py", "exec")
    assert "from runpod_flash import GpuGroup, GpuType\n" in written
    assert "needs a person" in result.stderr and "not written: line 27" in result.stderr
    again = run("translate", "--file", str(app), "runpod", "--write", code=2)
    assert "exists" in again.stderr and out.read_text() == written


def test_in_place_keeps_a_backup_and_diff_writes_nothing(run, tmp_path):
    app = tmp_path / "app.py"
    shutil.copy(FIXTURES / "check" / "modal_lint.py", app)
    before = app.read_text()
    diff = run("check", str(app), "--fix", "--diff")
    assert '+@app.function(gpu="A100-40GB")' in diff.stdout and app.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]
    run("check", str(app), "--fix", "--in-place")
    assert (tmp_path / "app.py.orig").read_text() == before and app.read_text() != before
    left = {f["line"] for f in run.json("check", str(app), "--fail-on", "never")["findings"] if f["suggestion"]}
    assert left == {36, 40}  # the CPU config is left for a person; H10O became H100, which may now be pinned
    assert "exists" in run("check", str(app), "--fix", "--in-place", code=2).stderr


def test_write_json_lists_sites_people_and_imports(run, tmp_path):
    app = tmp_path / "app.py"
    shutil.copy(FIXTURES / "apps" / "modal_app.py", app)
    data = run.json("translate", "--file", str(app), "runpod", "--write", "--output", str(tmp_path / "o.py"))
    [r] = data["rewrites"]
    assert r["written"].endswith("o.py") and [s["line"] for s in r["sites"]] == [7, 12, 17, 22]
    assert [h["line"] for h in r["needs_human"]] == [7, 12, 17, 22]
    assert r["imports_added"] == ["from runpod_flash import GpuGroup, GpuType"]


def test_a_config_file_cannot_be_written_as_another_provider(run, tmp_path):
    shutil.copy(AUDIT / "truss_grpc_config.yaml", tmp_path / "config.yaml")
    err = run("translate", "--file", str(tmp_path / "config.yaml"), "modal", "--write", code=2).stderr
    assert "cannot hold a Modal config" in err and sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


@pytest.mark.parametrize("args", [["translate", "modal", "runpod", "A100", "--write"],
                                  ["check", "x.py", "--diff"]])
def test_write_options_without_their_mode_are_bad_input(run, args):
    assert "go with" in run(*args, code=2).stderr


# ---------------------------------------------------------------------------- property

NAMES = ("A10G", "A100", "H100", "T4", "L4", "A100-80GB", "any", "L40S")
SHAPES = (
    lambda n: f'@app.function(gpu="{n}")\ndef f{{i}}(): ...\n',
    lambda n: f'G{{i}} = "{n}"\n@app.function(gpu=G{{i}}, timeout=5)\ndef f{{i}}(): ...\n',
    lambda n: f'E{{i}} = os.environ.get("E{{i}}", "{n}:2")\n@app.cls(gpu=E{{i}})\nclass C{{i}}: ...\n',
    lambda n: f'K{{i}} = {{{{"gpu": "{n}", "timeout": 5}}}}\n@app.function(**K{{i}})\ndef f{{i}}(): ...\n',
    lambda n: f'img{{i}} = modal.Image.debian_slim().run_function(print, gpu="{n}")\n',
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.integers(0, len(SHAPES) - 1)), min_size=1, max_size=6),
       st.sampled_from(("runpod", "beam", "fal")))
def test_rescanning_a_written_file_finds_the_same_number_of_sites(cat, tmp_path, sites, target):
    body = "import os\nimport modal\napp = modal.App()\n\n" + "\n".join(
        SHAPES[s](n).replace("{i}", str(i)).replace("{{", "{").replace("}}", "}") for i, (n, s) in enumerate(sites))
    path = tmp_path / "gen.py"
    path.write_text(body)
    before = scan_source(body)
    fixes, _ = fix_paths(cat, [path])
    for plan in fixes:
        ast.parse(plan.after)
        assert scan_source(plan.after).total == before.total
    scan, planned, _ = translated(cat, path, target)
    if planned:
        plan = plan_file(cat, path, body, planned, list(scan.findings), [])
        ast.parse(plan.after)
        # the call shapes are still Modal's: read as Modal, the file has as many sites (the key may now be
        # the target's, e.g. fal's machine_type, so they are counted by the target's key as well)
        key = config_pairs(planned[0].config)[0][0]
        found = scan_source(plan.after.replace(f"{key}=", "gpu=").replace(f'"{key}":', '"gpu":'), "modal")
        assert found.total == before.total


def test_unwritable_output_is_one_line_and_in_place_goes_through_a_symlink(run, tmp_path):
    app = tmp_path / "real.py"
    shutil.copy(FIXTURES / "check" / "modal_lint.py", app)
    app.chmod(0o755)
    err = run("translate", "--file", str(app), "fal", "--write", "--output", str(tmp_path / "no" / "x.py"), code=2).stderr
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err
    link = tmp_path / "link.py"
    link.symlink_to(app)
    run("check", str(link), "--fix", "--in-place")
    assert link.is_symlink() and 'gpu="A100-40GB"' in app.read_text() and app.stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "link.py.orig").read_text() == (FIXTURES / "check" / "modal_lint.py").read_text()


def test_an_app_directory_is_written_as_a_new_directory_beside_it(run, tmp_path):
    """modal-labs/llm-finetuning src/: train.py gets `app` from .common; the copy holds every file."""
    app = tmp_path / "llm"
    shutil.copytree(AUDIT / "llm-finetuning", app)
    before = {p.relative_to(app): p.read_text() for p in app.rglob("*.py")}
    result = run("translate", "--file", str(app), "runpod", "--write")
    out = tmp_path / "llm.runpod"
    assert {p.relative_to(out) for p in out.rglob("*.py")} == set(before)
    assert {p.relative_to(app): p.read_text() for p in app.rglob("*.py")} == before  # the source is untouched
    train = (out / "src" / "train.py").read_text()
    compile(train, "train.py", "exec")
    assert "gpu=GpuGroup.AMPERE_80, gpu_count=2," in train and "from runpod_flash import GpuGroup, GpuType" in train
    assert (out / "src" / "common.py").read_text() == before[Path("src/common.py")]
    assert result.stderr.count("needs a person") == 4
    assert "exists" in run("translate", "--file", str(app), "runpod", "--write", code=2).stderr


def test_check_fix_on_a_directory_writes_a_fixed_copy(run, tmp_path):
    app = tmp_path / "apps"
    shutil.copytree(FIXTURES / "check", app)
    before = {p.name: p.read_text() for p in app.iterdir()}
    run("check", str(app), "--fix")
    out = tmp_path / "apps.fixed"
    assert {p.name: p.read_text() for p in app.iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)
    assert 'gpu="A100-40GB"' in (out / "modal_lint.py").read_text()
    assert (out / "clean.py").read_text() == before["clean.py"]
