"""`gpuadvisor check`: every rule on a fixture app per provider (tests/fixtures/check, written for these
tests), the same sites and readings as `translate --file`, noqa and --ignore, exit codes, and SARIF
validated against the OASIS SARIF 2.1.0 schema (tests/fixtures/sarif-schema-2.1.0.json, origin beside it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpuadvisor.apps.check.lint import RULES, SEVERITIES, check_paths, suppressions, to_sarif

FIXTURES = Path(__file__).parents[2] / "fixtures"
CHECK = FIXTURES / "check"
APPS = FIXTURES / "apps"

# (line, code) for every finding expected in each fixture: the rule each line's comment names.
EXPECTED = {
    "modal_lint.py": [(12, "GA101"), (16, "GA102"), (20, "GA103"), (24, "GA104"), (28, "GA105"), (32, "GA106"),
                      (36, "GA107"), (40, "GA108"), (44, "GA109"), (48, "GA110"), (53, "GA111")],
    "runpod_lint.py": [(11, "GA102"), (15, "GA102"), (19, "GA102"), (23, "GA103"), (27, "GA107"), (31, "GA107"),
                       (35, "GA108"), (39, "GA110"), (43, "GA111"), (54, "GA112")],
    "no_provider_lint.py": [(6, "GA113")],
    "fal_lint.py": [(12, "GA103"), (17, "GA104"), (22, "GA105"), (26, "GA107"), (31, "GA108"), (35, "GA109"),
                    (39, "GA110"), (43, "GA111")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_finds_exactly_the_commented_rules(run, name):
    result = run("check", str(CHECK / name), "--json", code=1)
    found = [(f["line"], f["code"]) for f in json.loads(result.stdout)["findings"]]
    assert found == EXPECTED[name]


def test_the_fixture_comments_name_the_rule_on_each_line():
    """The fixtures document themselves: each expected line carries a comment with its code."""
    for name, expected in EXPECTED.items():
        lines = (CHECK / name).read_text().splitlines()
        for line, code in expected:
            window = " ".join(lines[line - 2: line + 1])  # a class's comment sits on its first line
            assert code in window, (name, line, code)


def test_every_rule_is_exercised_and_severities_are_known():
    codes = {c for found in EXPECTED.values() for _, c in found}
    assert codes == set(RULES)
    assert all(sev in SEVERITIES for _, sev, _ in RULES.values())


def test_findings_carry_the_contract_fields_and_rewrites(run):
    data = run.json("check", str(CHECK / "modal_lint.py"), code=1)
    by_code = {f["code"]: f for f in data["findings"]}
    for f in data["findings"]:
        assert set(f) == {"file", "line", "code", "severity", "message", "suggestion"}
        assert f["file"].endswith("modal_lint.py") and f["severity"] == RULES[f["code"]][1]
    assert by_code["GA101"]["suggestion"] == 'gpu="A100-40GB"'
    assert by_code["GA102"]["suggestion"] == 'gpu="H100!:2"'
    assert by_code["GA105"]["suggestion"] == 'gpu="A10"'
    assert by_code["GA106"]["suggestion"] == 'gpu="L4:2"'
    assert by_code["GA108"]["suggestion"] == 'gpu="H100"' and "did you mean 'H100'" in by_code["GA108"]["message"]
    assert "SERVE_GPU" in by_code["GA110"]["message"] and "settings" in by_code["GA109"]["message"]
    assert data["summary"] == {"files": 1, "configs": 13, "error": 4, "warning": 5, "info": 2,
                               "suppressed": 1, "fail_on": "error"}


def test_runpod_suggestions_stay_in_runpod_syntax(run):
    by_line = {f["line"]: f for f in run.json("check", str(CHECK / "runpod_lint.py"), code=1)["findings"]}
    assert by_line[11]["suggestion"] == "gpu=GpuType.NVIDIA_RTX_A4500"  # the pool's best member, typed
    assert "runpod/flash#366" in by_line[15]["message"]
    assert by_line[27]["suggestion"] == 'cpu="cpu3c-1-2"'
    assert by_line[35]["suggestion"] == "gpu=GpuGroup.AMPERE_80"  # AMPERE_8O: letter O for zero


def test_conditional_branches_are_named(run):
    found = run.json("check", str(APPS / "modal_conditional.py"))["findings"]
    assert [f["message"].split(")")[0] for f in found] == ["(when H100:8", "(when H100"]


# ------------------------------------------------------------------ same sites as translate --file


@pytest.mark.parametrize("name", sorted(p.name for p in APPS.glob("*.py")))
def test_check_reads_the_same_sites_as_translate_file(run, name):
    """Issue 16: check reports the sites translate --file reads, with the same readings."""
    sites = run.json("check", str(APPS / name), "--fail-on", "never")["configs"]
    result = run("translate", "--file", str(APPS / name), "fal", "--json", code=None)
    if result.exit_code == 1 and not result.stdout:  # nothing found: check found nothing either
        assert sites == []
        return
    found = json.loads(result.stdout)["findings"]
    keys = ("line", "provider", "kind", "spec", "alternatives", "count", "count_known", "resolved_from")
    assert [{k: s[k] for k in keys} for s in sites] == [{k: f[k] for k in keys} for f in found]
    lines = {s["line"] for s in sites}
    issues = run.json("check", str(APPS / name), "--fail-on", "never")["findings"]
    assert {i["line"] for i in issues} <= lines


# ------------------------------------------------------------------ exit codes and options


def test_clean_file_exits_0(run):
    result = run("check", str(CHECK / "clean.py"), code=0)
    assert "No issues: 2 GPU config(s) in 1 file(s)." in result.stdout


def test_fail_on_decides_the_exit(run):
    target = str(APPS / "modal_legacy_any.py")  # warnings only
    run("check", target, code=0)
    run("check", target, "--fail-on", "warning", code=1)
    run("check", str(CHECK / "modal_lint.py"), "--fail-on", "never", code=0)


def test_noqa_and_ignore(run):
    data = run.json("check", str(CHECK / "modal_lint.py"), "--ignore", "ga110,GA109", "--ignore", "GA111", code=1)
    assert not {"GA109", "GA110", "GA111"} & {f["code"] for f in data["findings"]}
    assert data["summary"]["suppressed"] == 4  # one noqa line + three ignored
    assert not {57, 61} & {f["line"] for f in data["findings"]}
    assert suppressions("x = 1  # noqa\ny = 2  # NOQA: ga102, GA105\nz = 3  # noqa:GA1\n") == {
        1: None, 2: {"GA102", "GA105"}, 3: {"GA1"}}


def test_directory_is_searched_and_summary_counts_files(run):
    data = run.json("check", str(CHECK), "--fail-on", "never")
    assert data["summary"]["files"] == 5
    assert {Path(f["file"]).name for f in data["findings"]} == set(EXPECTED)


@pytest.mark.parametrize("args,fragment", [
    (["check"], "name at least one file"),
    (["check", "missing.py"], "no such file or directory"),
    (["check", str(CHECK / "clean.py"), "--fail-on", "warn"], "did you mean 'warning'"),
    (["check", str(CHECK / "clean.py"), "--ignore", "GA199"], "unknown rule code"),
    (["check", str(CHECK / "clean.py"), "--format", "sarf"], "did you mean 'sarif'"),
    (["check", str(CHECK / "clean.py"), "--source", "modl"], "did you mean 'modal'"),
])
def test_bad_input_exits_2_with_one_line(run, args, fragment):
    result = run(*args, code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]


def test_unreadable_file_under_a_directory_is_skipped_and_named(run, tmp_path):
    (tmp_path / "good.py").write_text('import modal\napp = modal.App()\n@app.function(gpu="A10G")\ndef f(): ...\n')
    (tmp_path / "bad.py").write_text("import modal\ndef (:\n")
    data = run.json("check", str(tmp_path), "--fail-on", "never")
    assert [f["code"] for f in data["findings"]] == ["GA105"]
    assert len(data["skipped"]) == 1 and "bad.py" in data["skipped"][0] and "cannot parse" in data["skipped"][0]
    run("check", str(tmp_path / "bad.py"), code=2)  # named on the command line: bad input


def test_check_never_imports_the_file(run, tmp_path):
    marker = tmp_path / "ran"
    app = tmp_path / "app.py"
    app.write_text(f"import modal\nopen({str(marker)!r}, 'w').write('x')\napp = modal.App()\n"
                   '@app.function(gpu="H100")\ndef f(): ...\n')
    run("check", str(app), code=0)
    assert not marker.exists()


# ------------------------------------------------------------------ SARIF


def _sarif_schema() -> dict:
    return json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())


def test_sarif_validates_against_the_schema(run):
    import jsonschema

    log = json.loads(run("check", str(CHECK), "--format", "sarif", code=1).stdout)
    jsonschema.validate(log, _sarif_schema())
    [sarif_run] = log["runs"]
    results = sarif_run["results"]
    assert len(results) == sum(len(v) for v in EXPECTED.values())
    rules = sarif_run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["GA103"] == "error" and levels["GA102"] == "warning" and levels["GA110"] == "note"


def test_sarif_of_nothing_is_valid_and_a_broken_log_is_not():
    import jsonschema

    empty = to_sarif([], "0")
    jsonschema.validate(empty, _sarif_schema())
    empty["runs"][0]["results"] = [{"ruleId": "GA101", "level": "severe", "message": {"text": "x"}}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(empty, _sarif_schema())


def test_engine_report_is_plain_data(cat):
    report = check_paths(cat, [CHECK / "fal_lint.py"])
    assert report.files == 1 and len(report.sites) == 9
    assert [i.code for i in report.issues][:2] == ["GA103", "GA104"]


# ------------------------------------------------------------------ RunPod's wire format (pool ids)


def test_a_gpu_type_in_a_hub_listing_is_an_error_with_the_pool_as_fix(run):
    # the real case the issue cites: runpod-workers/worker-sdxl#23 (fixtures with their origin)
    result = run("check", str(APPS / "runpod_hub_before"), "--json", code=1)
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["line"], finding["code"], finding["severity"]) == (10, "GA112", "error")
    assert finding["file"].endswith(".runpod/hub.json")
    assert finding["suggestion"] == '"gpuIds": "ADA_24"'  # what PR #23 changed it to
    run("check", str(APPS / "runpod_hub_after"), code=0)


def test_create_endpoint_suggestions_are_in_its_own_syntax(run):
    # a Flash-syntax rewrite (gpu=GpuGroup...) cannot be pasted into create_endpoint(gpu_ids=...)
    findings = json.loads(run("check", str(CHECK / "runpod_lint.py"), "--json", code=1).stdout)["findings"]
    wire = [f for f in findings if f["code"] == "GA112"]
    assert [f["suggestion"] for f in wire] == ['gpu_ids="ADA_24"']


def test_a_wire_format_pool_narrowed_by_exclusions_is_judged_on_what_is_left(tmp_path, run):
    app = tmp_path / "app.py"
    app.write_text('import runpod\nrunpod.create_endpoint(name="x", template_id="t", gpu_ids="AMPERE_24", gpu_count=2)\n')
    [finding] = json.loads(run("check", str(app), "--json", "--fail-on", "never").stdout)["findings"]
    assert finding["code"] == "GA102" and finding["suggestion"] == 'gpu_ids="AMPERE_24,-NVIDIA L4", gpu_count=2'
    app.write_text('import runpod\nrunpod.create_endpoint(name="x", template_id="t", gpu_ids="AMPERE_24,-NVIDIA L4")\n')
    run("check", str(app), code=0)


def test_translate_reads_a_hub_listing(run):
    data = run.json("translate", "--file", str(APPS / "runpod_hub_after" / ".runpod" / "hub.json"), "modal")
    [f] = data["findings"]
    assert f["line"] == 10 and f["translation"]["source"]["options"][0]["name"] == "ADA_24"


def test_count_and_cpu_errors_come_with_a_rewrite(run):
    # review of #11: GA103 and GA107 had no suggestion; the closest allowed config is one
    found = {(f["file"].rsplit("/", 1)[-1], f["line"]): f["suggestion"]
             for f in run.json("check", str(CHECK), code=1)["findings"]}
    assert found[("modal_lint.py", 20)] == 'gpu="A10:4"'  # Modal's A10 goes to 4
    assert found[("runpod_lint.py", 23)] == "gpu=GpuGroup.AMPERE_80, gpu_count=8"
    assert found[("fal_lint.py", 26)] == 'machine_type = "M"'  # num_gpus dropped from a CPU type
