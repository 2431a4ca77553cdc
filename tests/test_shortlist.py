"""The large-catalog ranking (gpuadvisor.shortlist, engine.rank_large) gives what ranking every
offering gives (engine.rank_each): the same candidates in the same order with the same scores and
labels, the same exclusions, and the same best ranks. The catalog is bench/synth.py's generator
(mixed: fixed-count SKUs, tied prices, discounted figures, unpriced offerings) plus the built-ins."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from gpuadvisor import catalog as catalog_mod
from gpuadvisor import shortlist
from gpuadvisor.engine import LargeRanking, Requirement, rank, rank_each, rank_large, resolve_workload
from gpuadvisor.errors import NoMatch

SYNTH = Path(__file__).resolve().parent.parent / "bench" / "synth.py"


def _synth():
    spec = importlib.util.spec_from_file_location("synth", SYNTH)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    _synth().write_synthetic(d, 1200, seed=11, mixed=True)
    return d


@pytest.fixture(scope="module")
def big(synth_dir):
    return catalog_mod.load_catalog([("extra", synth_dir)], use_cache=False)


def _seen(r) -> tuple:
    low = r.lowest_value_cost()
    return ([(c.offering.provider, c.offering.name, c.count, round(c.score, 12), c.labels,
              None if c.quote is None else round(c.quote.per_hour, 9)) for c in r.candidates],
            r.excluded, r.floor, r.ceiling, r.best(), None if low is None else (low[0], low[1].offering.name))


CASES = [
    ("llm", 70, "value", "list", {}), ("llm", 70, "cost", "lowest", {}), ("llm", 300, "speed", "list", {}),
    ("llm", 16, "value", "lowest", {"budget_per_hour": 3.0}), ("llm", 70, "value", "list", {"max_gpus": 2}),
    ("diffusion", 20, "value", "list", {}), ("diffusion", 20, "cost", "list", {"budget_per_hour": 1.0}),
    ("training", 150, "value", "lowest", {}), ("general", 40, "speed", "lowest", {"budget_per_hour": 12.0}),
    ("llm", 40, "value", "list", {"providers": ("synth0001", "synth0004", "modal", "runpod")}),
    ("transcode", 8, "value", "list", {"min_nvenc": 2}),
]


@pytest.mark.parametrize("workload,vram,objective,basis,extra", CASES)
def test_rank_large_is_rank_each(big, workload, vram, objective, basis, extra):
    req = Requirement(vram, resolve_workload(big, workload), optimize=objective, price_basis=basis, **extra)
    each, large = rank_each(big, req), rank_large(big, req)
    assert isinstance(large, LargeRanking)
    assert len(large.candidates) == len(each.candidates) > 0
    assert _seen(large) == _seen(each)


def test_large_candidates_read_like_a_list(big):
    req = Requirement(70, resolve_workload(big, "llm"))
    each, large = rank_each(big, req).candidates, rank_large(big, req).candidates
    assert [c.offering.name for c in large[:5]] == [c.offering.name for c in each[:5]]
    assert large[-1].offering is each[-1].offering
    assert large[3].offering is each[3].offering
    with pytest.raises(IndexError):
        large[len(each)]


def test_nothing_fits_says_the_same(big):
    req = Requirement(5000, resolve_workload(big, "llm"), max_gpus=1)
    with pytest.raises(NoMatch) as a:
        rank_each(big, req)
    with pytest.raises(NoMatch) as b:
        rank_large(big, req)
    assert str(a.value) == str(b.value)


def test_rank_switches_at_the_threshold(big, monkeypatch):
    req = Requirement(70, resolve_workload(big, "llm"))
    monkeypatch.setattr(shortlist, "LARGE_CATALOG", len(big.offerings))
    assert isinstance(rank(big, req), LargeRanking)
    monkeypatch.setattr(shortlist, "LARGE_CATALOG", len(big.offerings) + 1)
    assert not isinstance(rank(big, req), LargeRanking)


def test_recommend_json_is_the_same_either_way(run, synth_dir, monkeypatch):
    """What the user sees: `recommend --json` and the table over a large catalog, both ways."""
    monkeypatch.setenv("GPUADVISOR_CATALOG_PATH", str(synth_dir))
    args = ("recommend", "--vram", "70", "-w", "llm", "--top", "8")
    monkeypatch.setattr(shortlist, "LARGE_CATALOG", 1)
    fast, fast_text = run.json(*args), run(*args, "--explain").stdout
    monkeypatch.setattr(shortlist, "LARGE_CATALOG", 10**9)
    slow, slow_text = run.json(*args), run(*args, "--explain").stdout
    assert fast == slow
    assert fast_text == slow_text
    assert fast["considered"] > 500 and len(fast["recommendations"]) == 8
    assert json.dumps(fast["best"]) == json.dumps(slow["best"])


def test_the_rows_cache_answers_as_the_catalog_does(run, synth_dir, monkeypatch):
    """A large catalog's cache keeps its offerings as rows and the ranking's index beside them
    (catalog.rows); a run that reads it answers `recommend` (with a budget and --provider, which read
    the index's other lines) and `list` exactly as the freshly built catalog does."""
    monkeypatch.setenv("GPUADVISOR_CATALOG_PATH", str(synth_dir))
    monkeypatch.setattr(shortlist, "LARGE_CATALOG", 100)
    asks = [("recommend", "--vram", "70", "-w", "llm", "--top", "6"),
            ("recommend", "--vram", "24", "-w", "diffusion", "--budget", "2.5", "--price-basis", "lowest"),
            ("recommend", "--vram", "40", "--provider", "synth0002", "--provider", "runpod", "--optimize", "cost"),
            ("list", "--gpu", "h100-sxm")]
    monkeypatch.setenv("GPUADVISOR_NO_CACHE", "1")
    built = []
    for args in asks:
        catalog_mod._CACHE.clear()
        built.append(run.json(*args))  # each built from the TOML files
    monkeypatch.delenv("GPUADVISOR_NO_CACHE")
    catalog_mod._CACHE.clear()
    catalog_mod.load_catalog()  # builds once more and writes the cache
    cache = next(Path(p) for p in (Path(__import__("os").environ["XDG_CACHE_HOME"]) / "gpuadvisor").glob("catalog-*.json")
                  if Path(p).stat().st_size > 200_000)
    assert cache.read_bytes().count(b"\n") > 1000  # one line per offering
    for args, want in zip(asks, built, strict=True):
        catalog_mod._CACHE.clear()
        cat = catalog_mod.load_catalog()
        assert type(cat.offerings).__name__ == "OfferingRows"
        catalog_mod._CACHE.clear()
        assert run.json(*args) == want
