"""The JSON cache rebuilds every catalog record exactly: each field the tool reads survives a round trip."""

from __future__ import annotations

import json

from gpuadvisor.catalog.cache import decode, encode


def test_every_record_survives_the_cache(cat):
    back = decode(json.loads(json.dumps(encode(cat))))
    assert [o.to_json() for o in back.offerings] == [o.to_json() for o in cat.offerings]
    def facts(o):
        return (o.price_low.to_json() if o.price_low else None, o.legacy_aliases, o.ambiguous_aliases, o.verified_count,
                o.fixed_count, o.written, o.regions, o.region_prices, o.region_spot)

    assert [facts(o) for o in back.offerings] == [facts(o) for o in cat.offerings]
    assert {k: g.to_json() for k, g in back.gpus.items()} == {k: g.to_json() for k, g in cat.gpus.items()}
    assert {k: w.to_json() for k, w in back.workloads.items()} == {k: w.to_json() for k, w in cat.workloads.items()}
    assert {k: m.to_json() for k, m in back.models.items()} == {k: m.to_json() for k, m in cat.models.items()}
    assert [(p.list_note, p.verified_count, p.lists) for p in back.providers.values()] == \
        [(p.list_note, p.verified_count, p.lists) for p in cat.providers.values()]
    assert any(o.fixed_count for o in back.offerings) and not back.providers["replicate"].lists
    bills = [p.billing.to_json() if p.billing else None for p in back.providers.values()]
    assert bills == [p.billing.to_json() if p.billing else None for p in cat.providers.values()]
    assert back.providers["runpod"].billing.cold_start_s == (0.563, 42.0)
    for field in ("bandwidth_efficiency", "gemm_efficiency", "scaling", "value_tolerance", "multi_gpu_premium"):
        assert getattr(back.perf, field) == getattr(cat.perf, field), field
    assert [(f.id, f.tflop_per_step, f.calibration) for f in back.perf.diffusion] == \
        [(f.id, f.tflop_per_step, f.calibration) for f in cat.perf.diffusion]
    assert back.perf.codec("ada").encode("av1") == cat.perf.codec("ada").encode("av1") > 0


def test_a_cached_run_answers_like_an_uncached_one(run, tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = run("recommend", "--model", "sdxl", "--json", env=env).stdout
    assert list((tmp_path / "gpuadvisor").glob("*.json"))
    assert run("recommend", "--model", "sdxl", "--json", env=env).stdout == first
    assert run("recommend", "--model", "sdxl", "--json", env={**env, "GPUADVISOR_NO_CACHE": "1"}).stdout == first


def test_imported_regions_survive_the_cache(tmp_path, run):
    """An imported catalog's regions and regional prices come back from the JSON cache unchanged."""
    import shutil

    fix = tmp_path / "lambda"
    fix.mkdir()
    shutil.copy(__import__("pathlib").Path(__file__).parent / "fixtures" / "imports" / "skypilot-runpod-vms.csv",
                fix / "vms.csv")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    run("catalog", "import", "skypilot", str(fix / "vms.csv"), "--id", "pods", "--cloud", "runpod", env=env)
    first = run("list", "--region", "US", "--json", env=env).stdout
    assert run("list", "--region", "US", "--json", env=env).stdout == first
    assert run("list", "--region", "US", "--json", env={**env, "GPUADVISOR_NO_CACHE": "1"}).stdout == first


def test_a_cached_catalog_decodes_workloads_models_and_perf_once_when_read_and_copies_share_them(cat):
    import copy

    back = decode(json.loads(json.dumps(encode(cat))))
    assert "workloads" not in back.__dict__ and back._pending.rows.keys() == {"workloads", "models", "perf"}
    twin = copy.copy(back)  # the price overlay copies the catalog before any table is read
    assert twin.workloads is back.workloads and back.perf is twin.perf
    assert set(back.workloads) == set(cat.workloads) and back._pending.rows.keys() == {"models"}
    back.models = {}  # set like any field
    assert back.models == {} and set(twin.models) == set(cat.models)


def test_list_and_translate_start_without_the_performance_model(tmp_path):
    """Start-up (issue 25 part 7): a warm `list` imports neither gpuadvisor.perf nor the profiles
    (their dataclasses are most of the import time), `translate` only the profiles (it prices the
    host of a CPU offering with the general workload); `recommend` needs the model."""
    import os
    import subprocess
    import sys

    probe = ("import sys, runpy; sys.argv = ['gpuadvisor', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('gpuadvisor', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('gpuadvisor.perf', 'gpuadvisor.profiles'))), file=sys.stderr)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    env.pop("GPUADVISOR_NO_CACHE", None)

    def loaded(*args: str) -> str:
        subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True)  # warms the cache
        r = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stderr.strip().splitlines()[-1]

    assert loaded("list", "--json") == "[]"
    assert loaded("translate", "modal", "runpod", "A100:4", "--json") == "['gpuadvisor.profiles']"
    assert "gpuadvisor.perf" in loaded("recommend", "--vram", "70", "--json")
