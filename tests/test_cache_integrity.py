"""Audit 2026-12-04 N8 (a symlinked cache directory let the pruner delete another directory's
files) and N13 (cache content served without an integrity check)."""

from __future__ import annotations

import os
import random
import time

from gpuadvisor import catalog as catalog_mod
from gpuadvisor.catalog import cache as cache_mod
from gpuadvisor.catalog import load_catalog
from tests.conftest import ACME
from tests.test_cache import cache, cache_files, fresh_load  # noqa: F401 (fixture)


def victim_files(d):
    d.mkdir()
    for i in range(1, 7):
        f = d / f"catalog-report{i}.json"
        f.write_text("{}")
        os.utime(f, (time.time() - 86400 * (10 - i),) * 2)
    (d / "catalog-old.pickle").write_text("precious")
    (d / f"catalog-{'a' * 32}.json").write_text('{"not": "a gpuadvisor cache"}')
    return sorted(p.name for p in d.iterdir())


def test_n8_a_symlinked_cache_directory_is_refused_and_its_target_untouched(tmp_path, monkeypatch):
    shared, victim = tmp_path / "shared", tmp_path / "victimdata"
    shared.mkdir()
    before = victim_files(victim)
    (shared / "gpuadvisor").symlink_to(victim)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    cat = fresh_load()
    assert sorted(p.name for p in victim.iterdir()) == before
    assert any("symbolic link" in w for w in cat.warnings)
    assert "h100-sxm" in cat.gpus


def test_n8_pruning_deletes_only_names_it_writes(cache, extra_dir):  # noqa: F811
    fresh_load()
    mine = victim_files_in(cache)
    for i in range(6):  # new keys: each load writes, then prunes
        extra_dir("acme.toml", ACME + f"\n# {i}\n")
        fresh_load()
    left = {p.name for p in cache.iterdir()}
    assert set(mine) <= left
    assert len([n for n in left if n.startswith("catalog-") and n.endswith(".json") and len(n) == 45]) <= 5


def victim_files_in(d):
    names = ["catalog-report1.json", "catalog-old.pickle", f"catalog-{'b' * 32}.json", ".catalog-x.tmp"]
    for n in names:
        (d / n).write_text("{}")
        os.utime(d / n, (time.time() - 86400,) * 2)
    sub = d / "catalog-dir.json"
    sub.mkdir()
    return names + ["catalog-dir.json"]


def test_n13_changed_bytes_are_never_served(cache):  # noqa: F811
    fresh_load()
    [f] = cache_files(cache)
    good = f.read_bytes()
    key = good.split(b'"key":"')[1][:40].decode()
    store = cache_mod.CacheStore()
    assert store.read(key) is not None
    rng = random.Random(1204)
    digits = [i for i, b in enumerate(good) if 48 <= b <= 57]
    try:
        for k in range(200):
            data = bytearray(good)
            i = rng.choice(digits) if k % 2 else rng.randrange(len(data))  # half keep valid JSON (digit -> digit)
            data[i] = (data[i] - 48 + rng.randrange(1, 10)) % 10 + 48 if k % 2 else rng.randrange(256)
            if data == good:
                continue
            f.write_bytes(bytes(data))
            assert store.read(key) is None, f"mutation {k} at byte {i} was decoded"
    finally:
        store.close()


def test_n13_a_tampered_cache_is_rebuilt_with_the_catalogs_values(cache):  # noqa: F811
    built = load_catalog(use_cache=False)
    fresh_load()
    [f] = cache_files(cache)
    text = f.read_text()
    at = text.index('["h100-sxm",')
    row_end = text.index("]", at)
    tampered = text[:at] + text[at:row_end].replace(",80,", ",NaN,", 1).replace(",80.0,", ",1e400,", 1) + text[row_end:]
    assert tampered != text
    f.write_text(tampered)
    catalog_mod._CACHE.clear()
    cat = load_catalog()
    assert cat.gpus["h100-sxm"].to_json() == built.gpus["h100-sxm"].to_json()
