"""The CLI as a user sees it: exit codes, JSON per the contract, one-line errors, plain output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

OFFERING_KEYS = {"provider", "name", "kind", "gpu", "members", "vram_gb", "max_count", "ram_gb", "vcpus",
                 "bandwidth_gb_s", "nvenc", "nvdec", "av1_encode", "arch", "price_per_hour"}
RUNPOD_TYPES = """ANY NVIDIA_RTX_A4000 NVIDIA_RTX_A4500 NVIDIA_RTX_4000_ADA_GENERATION NVIDIA_RTX_2000_ADA_GENERATION
NVIDIA_RTX_A5000 NVIDIA_L4 NVIDIA_GEFORCE_RTX_3090 NVIDIA_GEFORCE_RTX_4090 NVIDIA_GEFORCE_RTX_5090 NVIDIA_A40
NVIDIA_RTX_A6000 NVIDIA_RTX_6000_ADA_GENERATION NVIDIA_A100_80GB_PCIe NVIDIA_A100_SXM4_80GB NVIDIA_H100_80GB_HBM3
NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION NVIDIA_RTX_PRO_6000_BLACKWELL_WORKSTATION_EDITION
NVIDIA_RTX_PRO_6000_BLACKWELL_MAX_Q_WORKSTATION_EDITION NVIDIA_H200 NVIDIA_B200""".split()
RUNPOD_POOLS = """ANY AMPERE_16 AMPERE_24 ADA_24 ADA_32_PRO AMPERE_48 ADA_48_PRO AMPERE_80 ADA_80_PRO BLACKWELL_96
HOPPER_141 BLACKWELL_180""".split()


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# ------------------------------------------------------------------ list


def test_list_json_offerings_follow_the_contract(run):
    data = run.json("list")
    assert len(data) > 50
    for o in data:
        assert OFFERING_KEYS <= set(o), o["name"]
        assert o["kind"] in ("gpu", "pool", "cpu")
        if o["kind"] == "gpu":
            assert o["gpu"] and o["members"] is None and o["vram_gb"] > 0
        if o["kind"] == "pool":
            assert o["gpu"] is None and o["members"]
        if o["kind"] == "cpu":
            assert o["gpu"] is None and o["vram_gb"] == 0


def test_list_runpod_has_every_type_and_pool(run):
    data = run.json("list", "--provider", "runpod")
    assert {o["provider"] for o in data} == {"runpod"}
    names = {o["name"] for o in data}
    assert set(RUNPOD_TYPES) <= names and set(RUNPOD_POOLS) <= names
    assert {o["name"] for o in data if o["kind"] == "pool"} == set(RUNPOD_POOLS)


def test_list_fal_cpu(run):
    data = run.json("list", "--provider", "FAL", "--kind", "cpu")
    assert [o["name"] for o in data] == ["XS", "S", "M", "L", "XL"] or sorted(o["name"] for o in data) == sorted(
        ["XS", "S", "M", "L", "XL"])
    assert all(o["kind"] == "cpu" and o["ram_gb"] and o["vcpus"] for o in data)


@pytest.mark.parametrize("vram", [80, 80.5, 141])
def test_list_min_vram_boundary(run, vram):
    data = run.json("list", "--min-vram", str(vram))
    assert data and all(o["vram_gb"] >= vram for o in data)
    below = run.json("list", "--kind", "gpu")
    assert any(o["vram_gb"] < vram for o in below)


def test_list_filters_combine(run):
    data = run.json("list", "-p", "modal", "-p", "fal", "--arch", "hopper", "--kind", "gpu")
    assert {(o["provider"], o["gpu"]) for o in data} == {
        ("modal", "h100-sxm"), ("modal", "h200"), ("fal", "h100-sxm"), ("fal", "h200")}


def test_list_gpu_filter_includes_pools(run):
    data = run.json("list", "--gpu", "a100-80gb-sxm")
    names = {(o["provider"], o["name"]) for o in data}
    assert ("runpod", "AMPERE_80") in names and ("modal", "A100-80GB") in names


def test_list_sort_by_price(run):
    data = run.json("list", "--sort", "price", "--kind", "gpu")
    prices = [o["price_per_hour"] for o in data if o["price_per_hour"] is not None]
    assert prices == sorted(prices)
    assert data[-1]["price_per_hour"] is None  # unknown prices last


def test_list_max_price(run):
    data = run.json("list", "--max-price", "1")
    assert data and all(o["price_per_hour"] <= 1 for o in data)


def test_list_plain_text_when_piped(run):
    out = run("list", "-p", "modal").stdout
    assert "\x1b[" not in out
    assert "A100-80GB" in out and "provider" in out.splitlines()[0]


@pytest.mark.parametrize("args,fragment", [
    (["list", "--provider", "modall"], "did you mean 'modal'"),
    (["list", "--kind", "gpus"], "did you mean 'gpu'"),
    (["list", "--arch", "hoper"], "did you mean 'hopper'"),
    (["list", "--sort", "vrm"], "did you mean 'vram'"),
    (["list", "--min-vram", "-5"], "--min-vram must be 0 or more"),
    (["list", "--min-vram", "abc"], "--min-vram"),
    (["list", "--bogus"], "no such option --bogus"),
    (["show", "Z999"], "unknown GPU 'Z999'"),
    (["show", "h10"], "did you mean"),
    (["show", "XL"], "CPU machine type"),
    (["compare", "h100"], "at least two"),
    (["compare", "h100", "nope9"], "unknown GPU 'nope9'"),
])
def test_bad_input_exits_2_with_one_line(run, args, fragment):
    result = run(*args, code=2)
    line = one_error_line(result)
    assert line.startswith("gpuadvisor: error:") and fragment in line
    assert result.stdout == ""


# ------------------------------------------------------------------ show / compare


@pytest.mark.parametrize("name,gid", [("h100", "h100-sxm"), ("AMPERE_80", "a100-80gb-pcie"), ("GPU-H100", "h100-sxm"),
                                      ("gpugroup.ampere_80", "a100-80gb-pcie"), ("b200", "b200")])
def test_show_json(run, name, gid):
    data = run.json("show", name)
    g = data["gpu"]
    assert g["id"] == gid and g["sources"]
    assert {"vram_gb", "bandwidth_gb_s", "nvenc", "nvdec", "av1_encode", "arch", "fp16_tflops", "nvlink_gb_s",
            "tdp_w", "form_factor"} <= set(g)
    assert data["offerings"] and all(gid == o["gpu"] or gid in (o["members"] or []) for o in data["offerings"])


def test_show_pool_says_what_it_may_give(run):
    data = run.json("show", "AMPERE_80")
    assert data["matched"]["kind"] == "pool"
    assert data["matched"]["members"] == ["a100-80gb-pcie", "a100-80gb-sxm"]
    text = run("show", "AMPERE_80").stdout
    assert "weakest member" in text


def test_show_displays_the_disagreement_note(run):
    text = run("show", "b200").stdout
    assert "Sources disagree" in text and "192" in text and "180" in text
    data = run.json("show", "b200")
    assert data["gpu"]["disputes"][0]["used"] == 180
    offerings = {o["provider"]: o for o in data["offerings"] if o["kind"] == "gpu"}
    assert offerings["fal"]["claimed"] == {"vram_gb": 192}


def test_show_provider_note_for_fal_l40(run):
    text = run("show", "GPU-L40").stdout
    assert "L40 or L40S (unverified)" in text


def test_show_offerings_of_h100(run):
    data = run.json("show", "h100")
    names = {(o["provider"], o["name"]) for o in data["offerings"]}
    assert {("modal", "H100"), ("fal", "GPU-H100"), ("runpod", "NVIDIA_H100_80GB_HBM3"), ("runpod", "ADA_80_PRO")} <= names


def test_compare_keeps_order_and_names_differences(run):
    data = run.json("compare", "rtx-4090", "rtx-5090", "l40s")
    assert [g["id"] for g in data["gpus"]] == ["rtx-4090", "rtx-5090", "l40s"]
    assert "vram_gb" in data["differs"] and "av1_encode" not in data["differs"]
    text = run("compare", "rtx-4090", "rtx-5090", "l40s").stdout
    assert "*" in text and "differ" in text


def test_compare_aliases(run):
    data = run.json("compare", "GPU-H100", "NVIDIA_A100_80GB_PCIe", "A10")
    assert [g["id"] for g in data["gpus"]] == ["h100-sxm", "a100-80gb-pcie", "a10"]


# ------------------------------------------------------------------ catalogs from users


def test_dropped_provider_shows_up_in_list(run, extra_dir):
    from tests.conftest import ACME

    extra_dir("acme.toml", ACME)
    data = run.json("list", "--provider", "acme")
    assert [o["name"] for o in data] == ["ACME-H100", "ACME-48"]
    assert run.json("show", "ACME-H100")["gpu"]["id"] == "h100-sxm"


def test_malformed_extra_catalog_warns_and_list_still_works(run, extra_dir):
    extra_dir("broken.toml", "[provider]\nid = \"broken\"\n\n[[offering]]\nname = 'X\n")
    result = run("list", "--json")
    warning = one_error_line(result)
    assert "broken.toml:5" in warning and "invalid TOML" in warning
    assert len(json.loads(result.stdout)) > 50


# ------------------------------------------------------------------ everywhere


def test_version_and_help(run):
    from gpuadvisor import __version__

    assert run("--version").stdout.strip() == f"gpuadvisor {__version__}"
    for cmd in (["--help"], ["list", "--help"], ["show", "--help"], ["compare", "--help"],
                ["catalog", "validate", "--help"], ["catalog", "paths", "--help"]):
        out = run(*cmd).stdout
        assert "Usage" in out
        if cmd != ["--help"]:
            assert "Example" in out, cmd


def test_json_is_the_only_thing_on_stdout(run):
    for args in (["list"], ["show", "h100"], ["compare", "h100", "h200"], ["catalog", "paths"]):
        json.loads(run(*args, "--json").stdout)


def _installed_script() -> str | None:
    beside = Path(sys.executable).parent / "gpuadvisor"
    return str(beside) if beside.exists() else shutil.which("gpuadvisor")


def test_installed_console_script_runs_from_another_directory(tmp_path):
    script = _installed_script()
    if script is None:
        pytest.skip("gpuadvisor is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k != "GPUADVISOR_CATALOG_PATH"}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    out = subprocess.run([script, "list", "--provider", "runpod", "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert {o["name"] for o in json.loads(out.stdout)} >= set(RUNPOD_POOLS)
    bad = subprocess.run([script, "show", "Z999"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_python_dash_m(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("GPUADVISOR_CATALOG_PATH", None)
    out = subprocess.run([sys.executable, "-m", "gpuadvisor", "show", "h100", "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["gpu"]["id"] == "h100-sxm"


def _modules_after(tmp_path, *args: str) -> set[str]:
    """Every module a real run of `gpuadvisor ARGS` has imported by its end."""
    code = (f"import sys, runpy; sys.argv=['gpuadvisor', *{list(args)!r}];\n"
            "try:\n    runpy.run_module('gpuadvisor', run_name='__main__')\nexcept SystemExit: pass\n"
            "sys.stderr.write('\\nmodules: ' + ' '.join(sys.modules))")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "\nmodules: " in out.stderr, out.stderr
    return set(out.stderr.rpartition("\nmodules: ")[2].split())


def test_json_path_does_not_import_rich(tmp_path):
    loaded = _modules_after(tmp_path, "list", "--json")
    assert "gpuadvisor.render" in loaded and not any(m == "rich" or m.startswith("rich.") for m in loaded)


# ------------------------------------------------------------------ comfort: formats, completion, info, help


def test_csv_format(run):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(run("list", "-p", "modal", "--format", "csv").stdout)))
    assert rows[0][:4] == ["provider", "name", "kind", "gpu"] and len(rows) == 1 + len(run.json("list", "-p", "modal"))
    h100 = next(r for r in rows if r[1] == "H100")
    assert dict(zip(rows[0], h100, strict=True))["vram_gb"] == "80"
    rec = list(csv.reader(io.StringIO(run("recommend", "--vram", "70", "-w", "llm", "--format", "csv").stdout)))
    assert rec[0][0] == "rank" and len(rec) == 6 and "config" in rec[0]
    cmp_rows = list(csv.reader(io.StringIO(run("compare", "h100", "h200", "--format", "CSV").stdout)))
    assert cmp_rows[0] == ["field", "h100-sxm", "h200"]
    assert ["vram_gb", "80", "141"] in cmp_rows


def test_format_json_equals_json_flag(run):
    assert run("list", "--format", "json").stdout == run("list", "--json").stdout


def test_catalog_info(run):
    from datetime import date

    from gpuadvisor.catalog import catalog_info, load_catalog

    info = catalog_info(load_catalog(extra=[]), date(2026, 11, 23), stale_after=180)
    by_id = {p["id"]: p for p in info["providers"]}
    assert by_id["modal"]["stale_prices"] == 9 and by_id["runpod"]["stale_prices"] == 0
    default = {p["id"]: p for p in catalog_info(load_catalog(extra=[]), date(2026, 11, 23))["providers"]}
    assert default["runpod"]["stale_prices"] == 29  # 168 days: stale at the default 120-day limit
    assert by_id["modal"]["oldest_price"] == "2026-05-07" and by_id["modal"]["docs_url"].startswith("https://")
    later = {p["id"]: p for p in catalog_info(load_catalog(extra=[]), date(2026, 6, 1))["providers"]}
    assert later["modal"]["stale_prices"] == 0
    result = run("catalog", "info", "--json")
    assert {p["id"] for p in __import__("json").loads(result.stdout)["providers"]} == {
        "modal", "runpod", "fal", "replicate", "beam", "baseten", "cerebrium"}


def test_every_command_has_help_with_an_example(run):
    from gpuadvisor.cli import app, catalog_app

    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"list", "show", "compare", "recommend", "translate", "estimate", "models", "detect"} <= set(names)
    for name in names:
        out = run(name, "--help").stdout
        assert "Example" in out, name
    for c in catalog_app.registered_commands:
        assert "Example" in run("catalog", c.name, "--help").stdout, c.name


def test_each_command_is_where_main_looks_for_it_in_help_order():
    """A run imports only the invoked command's room (gpuadvisor.cli.COMMANDS): a command missing
    from the map, or mapped to the wrong room, would be 'No such command'."""
    import gpuadvisor.cli as cli

    assert [(c.name, c.callback.__module__) for c in cli.app.registered_commands] == [
        (name, f"gpuadvisor.cli.{room}") for name, room in cli.COMMANDS.items()]
    assert [(g.name, {c.callback.__module__ for c in g.typer_instance.registered_commands})
            for g in cli.app.registered_groups] == [(name, {f"gpuadvisor.cli.{room}"}) for name, room in cli.GROUPS.items()]


def test_list_imports_neither_other_rooms_nor_translate_recommend_cost(tmp_path):
    loaded = _modules_after(tmp_path, "list", "--json")
    assert {"gpuadvisor.cli.browse", "gpuadvisor.views.browse"} <= loaded
    assert not loaded & {"gpuadvisor.cli.advise", "gpuadvisor.cli.translate", "gpuadvisor.cli.catalog",
                         "gpuadvisor.translate", "gpuadvisor.engine", "gpuadvisor.cost", "gpuadvisor.billing",
                         "gpuadvisor.views.recommend", "gpuadvisor.views.cost", "gpuadvisor.views.translate"}


def _complete(words: str, cword: int, tmp_path) -> list[str]:
    env = {**os.environ, "_GPUADVISOR_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword),
           "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-m", "gpuadvisor"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    return out.stdout.split()


@pytest.mark.parametrize("words,cword,expected", [
    ("gpuadvisor show h10", 2, {"h100-sxm", "h100-pcie"}),
    ("gpuadvisor list --provider ru", 3, {"runpod"}),
    ("gpuadvisor recommend --workload vi", 3, {"video"}),
    ("gpuadvisor estimate --model llama-3.1-4", 3, {"llama-3.1-405b"}),
    ("gpuadvisor compare GPU-H", 2, {"GPU-H100", "GPU-H200"}),
])
def test_shell_completion(tmp_path, words, cword, expected):
    assert expected <= set(_complete(words, cword, tmp_path))


def test_install_completion(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-m", "gpuadvisor", "--install-completion", "bash"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    script = (tmp_path / ".bash_completions" / "gpuadvisor.sh").read_text()
    assert "_GPUADVISOR_COMPLETE=complete_bash" in script


# ------------------------------------------------------------------ the output layer


class _Tty:
    """A stream that says it is a terminal."""

    def __init__(self):
        import io

        self.buf = io.StringIO()

    def isatty(self):
        return True

    def write(self, s):
        return self.buf.write(s)

    def flush(self):
        pass


def test_rich_on_a_terminal_plain_with_no_color(monkeypatch):
    from gpuadvisor import render

    tty = _Tty()
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert render.use_rich(tty)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not render.use_rich(tty)


def test_rich_table_renders(monkeypatch, capsys):
    from gpuadvisor import render
    from gpuadvisor.browse import compare_gpus
    from gpuadvisor.catalog import load_catalog
    from gpuadvisor.views.browse import compare_view

    monkeypatch.setattr(render, "use_rich", lambda stream=None: True)
    gpus, differs = compare_gpus(load_catalog(extra=[]), ["h100", "h200"])
    render.emit(compare_view(gpus, differs), as_json=False)
    out = capsys.readouterr().out
    assert "h100-sxm" in out and "h200" in out and "─" in out and "\x1b[" in out  # colour and a drawn rule (issue 25)


def test_json_is_indented_on_a_terminal_and_compact_when_piped():
    from gpuadvisor.render import to_json_text

    assert to_json_text({"a": [1]}, pretty=True) == '{\n  "a": [\n    1\n  ]\n}'
    assert to_json_text({"a": [1]}, pretty=False) == '{"a": [1]}'


# ------------------------------------------------------------------ the first hour (issue 13)


@pytest.mark.parametrize("args", [[], ["catalog"]])
def test_bare_commands_print_help_and_exit_0(args):
    result = subprocess.run([sys.executable, "-m", "gpuadvisor", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Usage:" in result.stdout and result.stderr == ""


@pytest.mark.parametrize("command,usage", [
    ("show", " show [OPTIONS] NAME"), ("compare", " compare [OPTIONS] NAME..."),
    ("translate", " translate [OPTIONS] [SOURCE TARGET SPEC]"), ("check", " check [OPTIONS] [PATH...]"),
])
def test_usage_lines_name_the_arguments(run, command, usage):
    out = run(command, "--help", env={"COLUMNS": "100"}).stdout
    assert usage in out and "{" not in out.split("\n\n")[0]


COMMANDS = ["list", "show", "compare", "estimate", "models", "recommend", "speed", "translate", "check", "detect",
            "catalog info", "catalog validate", "catalog paths"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_examples_as_a_list(run, command):
    out = run(*command.split(), "--help", env={"COLUMNS": "80"}).stdout
    examples = [line for line in out.splitlines() if line.strip().startswith("• gpuadvisor ")]
    assert 2 <= len(examples) <= 4, out
    assert " · " not in out and "\n ·" not in out  # no run-on example lines, no lone separators


def test_top_level_help_shows_recommend_and_translate_examples(run):
    out = run("--help", env={"COLUMNS": "80"}).stdout
    assert "• gpuadvisor recommend" in out and "• gpuadvisor translate" in out


def test_command_summaries_are_not_broken_mid_sentence(run):
    out = run("--help", env={"COLUMNS": "120"}).stdout
    for name in ("estimate", "recommend", "check"):
        [line] = [ln for ln in out.splitlines() if f"│ {name} " in ln]
        assert line.rstrip(" │").endswith((".", ")")), line


def test_completion_of_translate_arguments_and_list_options():
    def complete(words: str) -> list[str]:
        env = {**os.environ, "_GPUADVISOR_COMPLETE": "complete_bash", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
        out = subprocess.run([sys.executable, "-m", "gpuadvisor"], env=env, capture_output=True, text=True, timeout=60)
        return out.stdout.split()

    assert complete("gpuadvisor translate mo") == ["modal"]
    assert "runpod" in complete("gpuadvisor translate modal ")
    assert {"A100", "A100-40GB", "A100-80GB"} <= set(complete("gpuadvisor translate modal runpod A1"))
    assert "AMPERE_80" in complete("gpuadvisor translate runpod modal AMP")
    assert complete("gpuadvisor list --sort ba") == ["bandwidth"]
    assert complete("gpuadvisor list --kind p") == ["pool"]


@pytest.mark.parametrize("args,fragment", [
    (["translate", "modal", "runpod", "H100?"], "'?' is not a suffix Modal accepts (its suffixes: ! (H100!"),
    (["translate", "modal", "runpod", "A100!"], "only H100! takes the '!' suffix; write 'A100-40GB'"),
    (["translate", "--file", "", "fal"], "--file is empty"),
    (["check", ""], "PATH is empty"),
    (["catalog", "validate", " "], "PATH is empty"),
    (["show", "h1000"], "did you mean 'H100' or 'H100_40GB' or 'h100-"),
])
def test_error_lines_name_what_was_typed(run, args, fragment):
    result = run(*args, code=2)
    [line] = result.stderr.strip().splitlines()
    assert fragment in line


def test_did_you_mean_never_repeats_a_gpu(run):
    line = run("show", "h1000", code=2).stderr
    hits = line.split("did you mean ")[1]
    assert hits.lower().count("h100") == 3  # H100, Baseten's H100_40GB slice and h100-nvl: three GPUs, each named once


@pytest.mark.parametrize("params,heading", [("100000B", "100,000B model"), ("0.5B", "0.5B model"), ("405.9B", "405.9B model")])
def test_params_are_written_as_people_write_them(run, params, heading):
    assert run("estimate", "--params", params).stdout.startswith(heading)


def test_fal_cpu_sizes_sort_by_size(run):
    names = [o["name"] for o in run.json("list", "-p", "fal", "--kind", "cpu")]
    assert names == ["XS", "S", "M", "L", "XL"]


def test_pools_note_only_when_pools_are_listed(run):
    assert "Pools show" not in run("list", "-p", "fal").stdout
    assert "Pools show" in run("list", "-p", "runpod").stdout


def test_csv_config_cells_have_no_newlines(run):
    import csv
    import io

    out = run("recommend", "--vram", "150", "-w", "llm", "-p", "fal", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    multi = [r for r in rows if int(r["count"]) > 1]
    assert multi and all("\n" not in r["config"] for r in rows)
    assert multi[0]["config"] == f'machine_type = "{multi[0]["name"]}"; num_gpus = {multi[0]["count"]}'
