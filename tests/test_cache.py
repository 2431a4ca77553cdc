"""The catalog cache on disk (gpuadvisor/catalog/cache.py): data only, trusted only when it is the
user's own private regular file, keyed on content, pruned, and never left half-written.

Each test reproduces a finding of the reliability audit of 2026-11-23 (D1, D9, D10, D13, D14) and
fails on the pickle cache it replaced. They run in-process, except where the old behaviour was a
hang (a FIFO at the cache path), which needs a subprocess and a timeout.
"""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gpuadvisor import catalog as catalog_mod
from gpuadvisor.catalog import load_catalog
from gpuadvisor.catalog.cache import FORMAT
from tests.conftest import ACME

ROOT = Path(__file__).resolve().parent.parent


def cache_files(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if p.name.startswith("catalog-")) if d.exists() else []


@pytest.fixture
def cache(monkeypatch, tmp_path) -> Path:
    """A fresh cache base; returns the gpuadvisor cache directory inside it."""
    base = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    catalog_mod._CACHE.clear()
    return base / "gpuadvisor"


def fresh_load(**kw):
    catalog_mod._CACHE.clear()
    return load_catalog(**kw)


class _Planted:
    """Unpickling this creates the canary file: proof that loading ran planted code."""

    def __init__(self, canary: Path):
        self.canary = canary

    def __reduce__(self):
        return (open, (str(self.canary), "w"))


# ------------------------------------------------------------------ D1: data only, trust checks

def test_a_planted_pickle_never_runs(cache, tmp_path):
    fresh_load()
    canary = tmp_path / "pwned"
    payload = pickle.dumps(_Planted(canary))
    for f in cache_files(cache):  # the audit's attack: overwrite whatever cache file is there
        f.write_bytes(payload)
    cat = fresh_load()
    assert not canary.exists()
    assert "h100-sxm" in cat.gpus and not [w for w in cat.warnings if "cache" in w]


def test_the_cache_is_plain_json_data(cache):
    fresh_load()
    [f] = cache_files(cache)
    assert f.suffix == ".json"
    doc = json.loads(f.read_text())
    assert doc["format"] == FORMAT and len(doc["key"]) == 40 and len(doc["digest"]) == 40
    assert {"gpus", "offerings", "providers", "files"} <= set(doc["payload"])


def test_the_cache_rebuilds_the_same_catalog(cache):
    built = load_catalog(use_cache=False)
    fresh_load()  # writes
    cached = fresh_load()  # reads
    assert [o.to_json() for o in cached.offerings] == [o.to_json() for o in built.offerings]
    assert [g.to_json() for g in cached.gpus.values()] == [g.to_json() for g in built.gpus.values()]
    assert {k: w.to_json() for k, w in cached.workloads.items()} == {k: w.to_json() for k, w in built.workloads.items()}
    assert {k: m.to_json() for k, m in cached.models.items()} == {k: m.to_json() for k, m in built.models.items()}
    assert cached.providers["runpod"].syntax.code == built.providers["runpod"].syntax.code
    off = cached.lookup("runpod", "AMPERE_80")
    assert all(g is cached.gpus[g.id] for g in off.gpus) and off.hw is cached.gpus[off.hw.id]


def test_a_directory_of_another_user_is_refused_with_one_warning(cache, monkeypatch):
    fresh_load()
    monkeypatch.setattr(os, "getuid", lambda: os.stat(cache).st_uid + 1)
    before = {f: f.stat().st_mtime_ns for f in cache_files(cache)}
    cat = fresh_load()
    [warning] = [w for w in cat.warnings if "cache" in w]
    assert "not using the catalog cache" in warning and "belongs to uid" in warning
    assert "h100-sxm" in cat.gpus  # ran uncached
    assert {f: f.stat().st_mtime_ns for f in cache_files(cache)} == before  # and wrote nothing


@pytest.mark.parametrize("target", ["directory", "file"])
def test_a_cache_others_can_write_is_refused(cache, target):
    fresh_load()
    [f] = cache_files(cache)
    (cache if target == "directory" else f).chmod(0o777 if target == "directory" else 0o666)
    cat = fresh_load()
    [warning] = [w for w in cat.warnings if "cache" in w]
    assert "writable by group or others" in warning and "chmod go-w" in warning
    assert "h100-sxm" in cat.gpus


def test_a_symlink_at_the_cache_path_is_not_followed(cache, tmp_path):
    fresh_load()
    [f] = cache_files(cache)
    elsewhere = tmp_path / "elsewhere.json"
    f.rename(elsewhere)
    f.symlink_to(elsewhere)
    cat = fresh_load()
    assert any("symbolic link" in w for w in cat.warnings)
    assert f.is_symlink()  # refused, not replaced


def test_a_fifo_at_the_cache_path_neither_hangs_nor_is_read(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("GPUADVISOR_CATALOG_PATH", "GPUADVISOR_NO_CACHE")}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    cmd = [sys.executable, "-m", "gpuadvisor", "list", "--json"]
    subprocess.run(cmd, env=env, capture_output=True, timeout=120, check=True)
    [f] = cache_files(tmp_path / "cache" / "gpuadvisor")
    f.unlink()
    os.mkfifo(f)
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)  # the pickle cache hung here
    assert result.returncode == 0 and json.loads(result.stdout)
    assert "not a regular file" in result.stderr and "Traceback" not in result.stderr


def test_the_cache_directory_is_created_private_whatever_the_umask(cache):
    old = os.umask(0)
    try:
        fresh_load()
    finally:
        os.umask(old)
    for d in (cache, cache.parent):  # $XDG_CACHE_HOME did not exist either: created 0700 too
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    [f] = cache_files(cache)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600


# ------------------------------------------------------------------ D9, D10: key and size

def test_an_edit_that_keeps_size_and_mtime_is_seen(cache, extra_dir):
    price = '\n[[offering]]\nname = "ACME-A10"\ngpu = "a10"\nprice = { per_hour = 2.50, as_of = "2026-11-01", source = "x" }\n'
    p = extra_dir("acme.toml", ACME + price)
    assert fresh_load().lookup("acme", "ACME-A10").price.per_hour == 2.5
    st = p.stat()
    p.write_text(p.read_text().replace("2.50", "9.50"))  # same size, as `cp -p` or an archive would leave it
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert fresh_load().lookup("acme", "ACME-A10").price.per_hour == 9.5


def test_a_file_with_thousands_of_problems_costs_little_in_the_cache(cache, extra_dir):
    extra_dir("bad.toml", "".join(f"[gpu.g{i}]\nname = 1\n" for i in range(5000)))
    cat = fresh_load()
    [report] = [r for r in cat.files if r.path.endswith("bad.toml")]
    assert 1 < len(report.problems) <= 51
    assert "more problems not checked" in report.problems[-1].message
    [f] = cache_files(cache)
    assert f.stat().st_size < 200_000


# ------------------------------------------------------------------ D14: housekeeping

def test_old_cache_files_and_leftovers_are_pruned(cache, extra_dir):
    fresh_load()
    hour_ago = time.time() - 3600
    for i in range(10):
        old = cache / f"catalog-{i:032x}.json"
        old.write_text('{"format":6,"key":"x"}')  # an older cache
        os.utime(old, (hour_ago + i, hour_ago + i))
    (cache / "catalog-0badc0de.pickle").write_bytes(b"old format")
    stale, fresh = cache / ".catalog-1-0000beef.tmp", cache / ".catalog-2-0000cafe.tmp"
    stale.write_bytes(b"x")
    os.utime(stale, (hour_ago, hour_ago))
    fresh.write_bytes(b"x")
    extra_dir("acme.toml", ACME)  # a new key: the next load writes, then prunes
    fresh_load()
    names = [f.name for f in cache_files(cache)]
    assert len(names) == 4 and all(n.endswith(".json") for n in names)
    assert f"catalog-{9:032x}.json" in names and f"catalog-{0:032x}.json" not in names  # the newest kept
    assert not stale.exists() and fresh.exists()


def test_ctrl_c_while_writing_leaves_no_temporary_file(cache, monkeypatch):
    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fresh_load()
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


def test_no_cache_switch(cache, monkeypatch):
    monkeypatch.setenv("GPUADVISOR_NO_CACHE", "1")
    fresh_load()
    assert not cache.exists()


# ------------------------------------------------------------------ D13: where it writes

def test_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    fresh_load()
    assert not (tmp_path / "relative-cache").exists()
    assert cache_files(tmp_path / "home" / ".cache" / "gpuadvisor")


def test_no_home_means_no_cache_and_no_tilde_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    real = os.path.expanduser
    monkeypatch.setattr(os.path, "expanduser", lambda p: p if p.startswith("~") else real(p))  # a uid with no passwd entry
    cat = fresh_load()
    assert "h100-sxm" in cat.gpus
    assert not (tmp_path / "~").exists()
    assert [o for o, _ in catalog_mod.extra_dirs()] == []
