"""Catalog loading: extra directories, overrides, and one bad file per validation error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gpuadvisor import catalog as catalog_mod
from gpuadvisor.catalog import build_catalog, builtin_dir, load_catalog, validate_paths
from tests.conftest import ACME

BAD = Path(__file__).parent / "fixtures" / "bad"

# file -> (line, key fragment, message fragment)
BAD_CASES = {
    "syntax_error.toml": (5, "", "invalid TOML"),
    "unknown_gpu.toml": (10, "offering[1].gpu", "unknown GPU id 'h1000'; did you mean 'h100-sxm'?"),
    "missing_field.toml": (4, "offering[0]", "missing required key 'name'"),
    "wrong_type.toml": (7, "offering[0].max_count", "must be an integer, not string"),
    "duplicate_name.toml": (9, "offering[1].name", "duplicate offering name 'acme-h100' (first at line 4)"),
    "duplicate_alias.toml": (10, "offering[1].name", "'BIG' of offering 'ACME-H200' duplicates 'ACME-H100'"),
    "negative_vram.toml": (5, "gpu.mystery.vram_gb", "must be greater than 0, not -80"),
    "zero_count.toml": (7, "offering[0].max_count", "must be greater than 0, not 0"),
    "unknown_key.toml": (7, "offering[0].max_cout", "unknown key; did you mean 'max_count'?"),
    "pool_without_members.toml": (7, "offering[0].members", "a pool needs at least one member"),
    "bad_price.toml": (7, "offering[0].price.as_of", "must be a date YYYY-MM-DD"),
    "no_provider.toml": (1, "offering", "need a [provider] table"),
    "bad_template.toml": (5, "provider.syntax.config", "bad template"),
    "unsourced_gpu.toml": (15, "gpu.mystery.sources", "at least one source"),
    "not_utf8.toml": (None, "", "not UTF-8"),
}


def test_every_fixture_has_a_case():
    assert {p.name for p in BAD.glob("*.toml")} == set(BAD_CASES)


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_file_is_reported_with_file_key_and_line(name):
    line, key, fragment = BAD_CASES[name]
    [report] = validate_paths([BAD / name])
    assert report.problems, name
    p = report.problems[0]
    assert p.file.endswith(name)
    assert p.line == line, str(p)
    assert key in p.key, str(p)
    assert fragment in p.message, str(p)
    assert str(p).startswith(f"{p.file}:{line}:" if line else p.file)


def test_builtin_catalogs_are_valid():
    reports = validate_paths([builtin_dir()])
    assert len(reports) >= 4 and all(not r.problems for r in reports)


def test_minimal_provider_file_from_the_contract(extra_dir):
    extra_dir("acme.toml", ACME)
    cat = load_catalog()
    assert "acme" in cat.providers
    pool = cat.lookup("acme", "acme-48")
    assert pool.kind == "pool" and pool.members == ["l40s", "rtx-6000-ada"] and pool.vram_gb == 48
    assert pool.hw.id == "l40s"  # weakest member by bandwidth then compute: same 48 GB, 864 < 960 GB/s
    assert cat.lookup("acme", "ACME-H100").max_count == 8
    assert not cat.warnings


def test_broken_extra_catalog_is_skipped_with_a_warning(extra_dir):
    extra_dir("acme.toml", ACME)
    extra_dir("broken.toml", (BAD / "unknown_gpu.toml").read_text().replace("acme", "broken"))
    cat = load_catalog()
    assert "acme" in cat.providers and "broken" not in cat.providers
    [warning] = cat.warnings
    assert "broken.toml:10" in warning and "h1000" in warning


def test_extending_a_builtin_provider(extra_dir):
    extra_dir("modal-extra.toml", """
        [provider]
        id = "modal"

        [[offering]]
        name = "B300"
        gpu = "b200"
        notes = ["hypothetical"]

        [[offering]]
        name = "A10"
        gpu = "a10"
        max_count = 2
    """)
    cat = load_catalog()
    assert cat.lookup("modal", "B300").gpu == "b200"
    assert cat.lookup("modal", "A10").max_count == 2  # replaced
    assert cat.lookup("modal", "H100").max_count == 8  # kept
    assert cat.providers["modal"].name == "Modal"  # [provider] keys not given are kept


def test_adding_a_gpu_and_its_provider_in_one_file(extra_dir):
    extra_dir("newco.toml", (BAD / "negative_vram.toml").read_text().replace("-80", "288") + """
[provider]
id = "newco"

[[offering]]
name = "NEW-1"
gpu = "mystery"
""")
    cat = load_catalog()
    assert cat.lookup("newco", "new-1").vram_gb == 288
    assert cat.resolve("mystery")[0].vram_gb == 288


def test_user_config_dir_is_read(tmp_path, monkeypatch):
    d = tmp_path / "cfg" / "gpuadvisor" / "catalogs"
    d.mkdir(parents=True)
    (d / "acme.toml").write_text(ACME)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    catalog_mod._CACHE.clear()
    assert "acme" in load_catalog().providers


def test_catalog_path_takes_several_directories(tmp_path, monkeypatch):
    import os

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "acme.toml").write_text(ACME)
    (b / "zeta.toml").write_text(ACME.replace("acme", "zeta").replace("ACME", "ZETA"))
    monkeypatch.setenv("GPUADVISOR_CATALOG_PATH", f"{a}{os.pathsep}{b}")
    catalog_mod._CACHE.clear()
    assert {"acme", "zeta"} <= set(load_catalog().providers)


def test_oversized_file_is_refused(extra_dir, monkeypatch):
    monkeypatch.setattr(catalog_mod, "MAX_FILE_BYTES", 100)
    extra_dir("big.toml", ACME)
    cat = load_catalog()
    assert "acme" not in cat.providers
    assert any("big.toml: file is" in w and "larger than 100 bytes is not read" in w for w in cat.warnings)


def test_deeply_nested_toml_is_an_error_not_a_crash(tmp_path):
    p = tmp_path / "deep.toml"
    p.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    [report] = validate_paths([p])
    assert report.problems and "TOML" in report.problems[0].message


def test_catalog_is_parsed_once_per_process(monkeypatch):
    calls = []
    real = catalog_mod.build_catalog
    monkeypatch.setattr(catalog_mod, "build_catalog", lambda *a, **k: calls.append(1) or real(*a, **k))
    load_catalog(extra=[])
    load_catalog(extra=[])
    assert len(calls) == 1


def test_broken_builtin_is_fatal(tmp_path):
    p = tmp_path / "gpus.toml"
    p.write_text((BAD / "negative_vram.toml").read_text())
    with pytest.raises(catalog_mod.CatalogError, match="vram_gb"):
        build_catalog([("builtin", builtin_dir() / "gpus.toml"), ("builtin", p)])


def test_validate_json_lists_problems(run):
    result = run("catalog", "validate", str(BAD / "unknown_gpu.toml"), "--json", code=2)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("gpuadvisor: error: 1 catalog file(s) have problems; first: ") and "unknown_gpu.toml:10" in line
    data = json.loads(result.stdout)
    assert data["ok"] is False
    [f] = data["files"]
    assert f["problems"][0]["line"] == 10 and f["problems"][0]["key"] == "offering[1].gpu"


def test_validate_ok_exits_zero(run, extra_dir):
    p = extra_dir("acme.toml", ACME)
    result = run("catalog", "validate", str(p))
    assert "ok" in result.stdout


def test_catalog_paths_json(run, extra_dir):
    extra_dir("acme.toml", ACME)
    data = run.json("catalog", "paths")
    assert data["builtin"].endswith("catalogs")
    assert [e["origin"] for e in data["extra"]] == ["env", "user"]
    assert any(f["path"].endswith("acme.toml") and f["ok"] for f in data["files"])
    json.dumps(data)


def test_cache_key_covers_the_code_and_every_file_s_bytes(tmp_path):
    from gpuadvisor.catalog.cache import _CODE, fingerprint, read_sources

    pkg = Path(catalog_mod.__file__).parent.parent
    assert {"catalog/build.py", "catalog/cache.py", "models.py", "profiles.py"} <= set(_CODE)
    assert all((pkg / name).is_file() for name in _CODE)
    f = tmp_path / "x.toml"
    f.write_text(ACME)
    files = [("env", f)]
    before = fingerprint(files, read_sources(files))
    assert fingerprint(files, read_sources(files)) == before
    f.write_text(ACME.replace("max_count = 8", "max_count = 7"))  # same size
    assert fingerprint(files, read_sources(files)) != before


# ------------------------------------------------------------------ [provider.billing]

BILLING = ACME + """
[provider.billing]
as_of = "2026-11-01"
sources = ["acme.example/pricing"]
granularity_s = 60
billed = ["busy", "idle"]
idle_timeout_s = 300
idle_timeout_range_s = [0, 3600]
cold_start_s = [5, 30]
max_workers = 4
settings = { idle_timeout = "scale_down_delay", min_workers = "min_replica" }
"""


def test_a_billing_table_loads(extra_dir, run):
    extra_dir("acme.toml", BILLING)
    b = catalog_mod.get_catalog().providers["acme"].billing
    assert (b.granularity_s, b.billed, b.idle_timeout_s, b.cold_start_s, b.max_workers) == (60, ("busy", "idle"), 300, (5.0, 30.0), 4)
    assert b.setting("idle_timeout") == "scale_down_delay" and b.setting("concurrency") == "concurrency"
    run("catalog", "validate", str(extra_dir.dir / "acme.toml"))


@pytest.mark.parametrize("change,problem", [
    ('billed = ["busy", "idle"]', None),
    ('billed = ["busy", "queued"]', "'queued' is not a phase"),
    ('billed = ["idle"]', 'must include "busy"'),
    ('cold_start_s = [30, 5]', "[low, high] seconds"),
    ('idle_timeout_s = 9000', "outside idle_timeout_range_s"),
    ('sources = []', "at least one source"),
    ('as_of = "soon"', "YYYY-MM-DD"),
    ('settings = { idle = "x" }', "is not a setting"),
    ('granularity = 60', "did you mean 'granularity_s'"),
])
def test_bad_billing_tables_are_named_by_file_line_and_key(extra_dir, run, change, problem):
    key = change.split(" = ")[0]
    lines = [ln for ln in BILLING.splitlines() if not ln.startswith(key + " ")]
    p = extra_dir("acme.toml", "\n".join(lines) + "\n" + change + "\n")
    if problem is None:
        run("catalog", "validate", str(p))
        return
    result = run("catalog", "validate", str(p), code=2)
    assert problem in result.stderr and "acme.toml:" in result.stderr and "provider.billing" in result.stderr


def test_an_extra_file_overrides_one_billing_key_and_says_so(extra_dir, run):
    extra_dir("runpod-idle.toml", """
        [provider]
        id = "runpod"

        [provider.billing]
        as_of = "2026-11-20"
        sources = ["my RunPod console: endpoint idle timeout"]
        idle_timeout_s = 5
        """)
    b = catalog_mod.get_catalog().providers["runpod"].billing
    assert b.idle_timeout_s == 5 and b.max_workers == 1  # the rest is the built-in table
    assert any(o["id"] == "runpod" and o["field"] == "billing.idle_timeout_s" for o in catalog_mod.get_catalog().overrides)


# ------------------------------------------------------------------ an extra file's problems are its own (D2, D3, D8)

RUNPOD_EXTENSIONS = {
    "negative max_count": ("[provider]\nid = \"runpod\"\nmax_count = -1\n", "provider.max_count", "greater than 0"),
    "docs_url a number": ("[provider]\nid = \"runpod\"\ndocs_url = 5\n", "provider.docs_url", "must be a string"),
    "alias of a later built-in": (
        '[provider]\nid = "runpod"\n[[offering]]\nname = "NVIDIA_RTX_2000_ADA_GENERATION"\ngpu = "rtx-2000-ada"\n'
        'aliases = ["NVIDIA_H100_80GB_HBM3"]\n', "offering[0].name", "duplicates 'NVIDIA_H100_80GB_HBM3'"),
}


@pytest.mark.parametrize("case", sorted(RUNPOD_EXTENSIONS))
def test_a_bad_extension_of_a_builtin_provider_fails_itself_only(run, extra_dir, case):
    text, key, fragment = RUNPOD_EXTENSIONS[case]
    p = extra_dir("x.toml", text)
    for args in (["models"], ["show", "h100"], ["catalog", "paths"], ["list", "-p", "runpod"]):
        catalog_mod._CACHE.clear()  # a fresh process: warnings are said once per process
        result = run(*args, "--json")  # exit 0: the built-ins load, the extra file is skipped
        [warning] = result.stderr.strip().splitlines()
        assert warning.startswith(f"gpuadvisor: warning: skipping catalog {p}:") and key in warning and fragment in warning
    assert load_catalog().lookup("runpod", "NVIDIA_H100_80GB_HBM3").gpu == "h100-sxm"
    [report] = validate_paths([p])  # validate sees what the loader sees
    assert report.problems and key in report.problems[0].key and fragment in report.problems[0].message
    result = run("catalog", "validate", str(p), code=2)
    assert f"first: {p}:" in result.stderr


def test_an_extension_that_breaks_a_builtin_indirectly_is_blamed(extra_dir):
    # a code template that writes every offering the same way makes built-in names collide
    p = extra_dir("x.toml", '[provider]\nid = "modal"\n[provider.syntax]\ncode = \'"{name}"\'\ncounted = \'"{name}:{count}"\'\n'
                            'list = "[{items}]"\nconfig = "gpu={value}"\n[[offering]]\nname = "T4"\ngpu = "t4"\naliases = ["L4"]\n')
    cat = load_catalog()
    [warning] = cat.warnings
    assert str(p) in warning and "modal.toml" not in warning.split(":")[0]
    assert cat.lookup("modal", "L4").gpu == "l4"


TEMPLATES = {
    "attribute access": ('code = "{name.nope}"', "{name.nope} is not a placeholder"),
    "index access": ('code = "{name[x]}"', "{name[x]} is not a placeholder"),
    "placeholder the call site lacks": ('config = "gpu={name}"', "{name} is not a placeholder of config"),
    "conversion and spec": ('config_count = "{value!r:>5} {count}"', "without a conversion"),
    "huge width": ('config = "gpu={value:>2000000000}"', "format spec"),
    "unbalanced brace": ('snippet = "x {config"', "bad template"),
    "no value": ('config = "gpu"', "must contain {value}"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATES))
def test_a_bad_syntax_template_is_a_validation_error_with_its_line(run, extra_dir, case):
    line, fragment = TEMPLATES[case]
    p = extra_dir("acme.toml", f'[provider]\nid = "acme"\nname = "Acme"\n[provider.syntax]\n{line}\n'
                               '[[offering]]\nname = "A"\ngpu = "h100-sxm"\n')
    [report] = validate_paths([p])
    [problem] = report.problems
    assert problem.line == 5 and problem.key.startswith("provider.syntax.") and fragment in problem.message
    for args in (["models", "--json"], ["recommend", "--vram", "10", "--json"], ["translate", "modal", "runpod", "H100"]):
        catalog_mod._CACHE.clear()
        result = run(*args)
        assert "acme.toml:5" in result.stderr and "internal error" not in result.stderr
    run("recommend", "--vram", "10", "-p", "acme", code=2)  # acme was skipped: an unknown provider now


def test_good_templates_still_work(run, extra_dir):
    extra_dir("acme.toml", '[provider]\nid = "acme"\nname = "Acme"\n[provider.syntax]\ncode = "Acme.{name}"\n'
                           'config = "gpu={value}"\nconfig_count = "gpu={value}, n={count}"\nlist = "[{items}] {{x}}"\n'
                           'snippet = """\n@acme({config})\ndef f(): ..."""\n[[offering]]\nname = "A"\ngpu = "h100-sxm"\n')
    data = run.json("translate", "modal", "acme", "H100:2")
    assert data["config"] == "gpu=Acme.A, n=2" and data["snippet"].startswith("@acme(gpu=Acme.A, n=2)")


# ------------------------------------------------------------------ overrides are visible (D5)

GPU_H100_8GB = """
[gpu.h100-sxm]
name = "H100 (mine)"
arch = "hopper"
compute_capability = "9.0"
vram_gb = 8
memory_type = "HBM3"
bandwidth_gb_s = 3350
fp16_tflops = 989
nvenc = 0
nvdec = 7
av1_encode = false
nvlink_gb_s = 900
tdp_w = 700
form_factor = "SXM5"
sources = ["me"]
"""


def test_a_replaced_gpu_is_marked_in_show_list_and_paths(run, extra_dir):
    p = extra_dir("mine.toml", GPU_H100_8GB)
    show = run.json("show", "h100-sxm")  # the replacement has no aliases: the canonical id names it
    assert show["gpu"]["vram_gb"] == 8 and show["gpu"]["from"] == str(p)
    assert "not from the built-in catalog" in " ".join(run("show", "h100-sxm").stdout.split())
    rows = {(o["provider"], o["name"]): o for o in run.json("list")}
    assert rows[("modal", "H100")]["from"] == {"gpu": str(p)}
    assert "from" not in rows[("modal", "T4")]  # untouched rows carry no extra key
    paths = run.json("catalog", "paths")
    assert paths["overrides"] == [{"kind": "gpu", "id": "h100-sxm", "field": None, "file": str(p),
                                   "replaces": str(builtin_dir() / "gpus.toml")}]
    assert "Built-in facts replaced by extra catalogs" in run("catalog", "paths").stdout


def test_results_that_rest_on_an_override_say_so_once(run, extra_dir):
    p = extra_dir("x.toml", '[provider]\nid = "modal"\n[[offering]]\nname = "H100"\ngpu = "t4"\n')
    result = run("translate", "modal", "runpod", "H100", "--json")
    [note] = result.stderr.strip().splitlines()
    assert note == f"gpuadvisor: note: modal H100 comes from {p}"
    assert json.loads(result.stdout)["source"]["options"][0]["gpu"] == "t4"
    result = run("recommend", "--vram", "10", "-p", "modal", "--top", "20", "--json")
    assert result.stderr.startswith("gpuadvisor: note: modal H100 comes from")
    assert run("translate", "fal", "runpod", "GPU-A100").stderr == ""  # does not rest on it


@pytest.mark.parametrize("how", ["option", "env"])
def test_builtin_only_reads_no_extra_catalog(run, extra_dir, how):
    extra_dir("mine.toml", GPU_H100_8GB)
    extra_dir("broken.toml", "[nonsense")
    args = ["--builtin-only"] if how == "option" else []
    env = {"GPUADVISOR_BUILTIN_ONLY": "1"} if how == "env" else None
    result = run(*args, "show", "h100-sxm", "--json", env=env)
    assert result.stderr == "" and json.loads(result.stdout)["gpu"]["vram_gb"] == 80
    paths = json.loads(run(*args, "catalog", "paths", "--json", env=env).stdout)
    assert paths["builtin_only"] is True and paths["extra"] == [] and paths["overrides"] == []
    assert all(f["origin"] == "builtin" for f in paths["files"])
    assert run.json("show", "h100-sxm")["gpu"]["vram_gb"] == 8  # the next run without it reads them again


@pytest.mark.parametrize("aliases,owner", [('["h100"]', "GPU h100-sxm"), ('["H200"]', "GPU h200"),
                                           ('["a100"]', "GPU a100-40gb"), ('["fake", "t4"]', "GPU t4")])
def test_a_gpu_alias_may_not_take_another_gpu_s_name(run, extra_dir, aliases, owner):
    text = GPU_H100_8GB.replace("[gpu.h100-sxm]", "[gpu.fake]").replace('sources = ["me"]', f'sources = ["me"]\naliases = {aliases}')
    extra_dir("fake.toml", text)
    cat = load_catalog()
    assert "fake" not in cat.gpus and owner in cat.warnings[0]
    assert run.json("show", "a100")["gpu"]["id"] == "a100-40gb"


def test_an_extra_provider_name_does_not_make_a_builtin_name_ambiguous(run, extra_dir):
    extra_dir("acme.toml", '[provider]\nid = "acme"\n[[offering]]\nname = "H100"\ngpu = "t4"\n')
    assert run.json("show", "h100")["gpu"]["id"] == "h100-sxm"
    assert load_catalog().lookup("acme", "H100").gpu == "t4"


# ------------------------------------------------------------------ locations and reading (D6, D13, D14)

def test_a_missing_or_odd_catalog_location_is_reported_once(tmp_path, monkeypatch):
    missing, d = tmp_path / "nowhere", tmp_path / "cats"
    d.mkdir()
    (d / "folder.toml").mkdir()
    (d / "loop.toml").symlink_to(d / "loop.toml")
    (d / "dangling.toml").symlink_to(tmp_path / "gone.toml")
    os.mkfifo(d / "fifo.toml")
    (d / "acme.toml").write_text(ACME)
    monkeypatch.setenv("GPUADVISOR_CATALOG_PATH", os.pathsep.join([str(missing), str(d)]))
    catalog_mod._CACHE.clear()
    cat = load_catalog()
    assert "acme" in cat.providers
    text = "\n".join(cat.warnings)
    assert f"{missing} in GPUADVISOR_CATALOG_PATH does not exist" in text
    assert "folder.toml: a directory, not a catalog file" in text
    assert "loop.toml: a symlink loop" in text and "dangling.toml: a symlink to nothing" in text
    assert "fifo.toml: not a regular file" in text
    assert len(cat.warnings) == 5


def test_a_special_file_named_on_the_path_is_refused_at_once(tmp_path, monkeypatch):
    fifo = tmp_path / "x.toml"
    os.mkfifo(fifo)
    monkeypatch.setenv("GPUADVISOR_CATALOG_PATH", str(fifo))  # read without blocking: no writer, no hang
    catalog_mod._CACHE.clear()
    [warning] = load_catalog().warnings
    assert "x.toml: file is not a regular file" in warning


def test_relative_xdg_config_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rel" / "gpuadvisor" / "catalogs").mkdir(parents=True)
    (tmp_path / "rel" / "gpuadvisor" / "catalogs" / "acme.toml").write_text(ACME)
    monkeypatch.setenv("XDG_CONFIG_HOME", "rel")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    catalog_mod._CACHE.clear()
    assert "acme" not in load_catalog().providers
    assert catalog_mod.user_dir() == tmp_path / "home" / ".config" / "gpuadvisor" / "catalogs"


def test_a_catalog_with_a_bom_is_read(extra_dir):
    p = extra_dir("acme.toml", "")
    p.write_bytes(b"\xef\xbb\xbf" + ACME.encode())
    cat = load_catalog()
    assert "acme" in cat.providers and not cat.warnings


def test_linux_paths_are_xdg_and_unchanged(tmp_path, monkeypatch):
    from gpuadvisor.catalog.cache import cache_dir

    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert catalog_mod.user_dir() == tmp_path / ".config" / "gpuadvisor" / "catalogs"
    assert cache_dir() == tmp_path / ".cache" / "gpuadvisor"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c" / "gpuadvisor"


def test_macos_gets_its_own_directories_unless_xdg_is_set(tmp_path, monkeypatch):
    pytest.importorskip("platformdirs")
    from gpuadvisor.catalog.cache import cache_dir

    monkeypatch.setattr("sys.platform", "darwin")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert catalog_mod.user_dir() == tmp_path / "Library" / "Application Support" / "gpuadvisor" / "catalogs"
    assert cache_dir() == tmp_path / "Library" / "Caches" / "gpuadvisor"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # set explicitly: honoured everywhere
    assert catalog_mod.user_dir() == tmp_path / "xdg" / "gpuadvisor" / "catalogs"
