"""Shared fixtures: every test runs with no user or env catalogs unless it adds them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpuadvisor import catalog as catalog_mod
from gpuadvisor.cli import app

ROOT = Path(__file__).resolve().parent.parent

# The minimal provider file of the CLI contract.
ACME = """
[provider]
id = "acme"
name = "Acme Cloud"

[[offering]]
name = "ACME-H100"
gpu = "h100-sxm"
max_count = 8

[[offering]]
name = "ACME-48"
kind = "pool"
members = ["l40s", "rtx-6000-ada"]
max_count = 4
"""


@pytest.fixture(autouse=True)
def isolated_catalogs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for var in ("GPUADVISOR_CATALOG_PATH", "GPUADVISOR_BUILTIN_ONLY", "GPUADVISOR_NO_CACHE", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    # Prices age against a fixed day, and the stale-price line stays off unless a test asks for it
    # (tests/test_refresh.py does): answers must not change as the calendar moves.
    monkeypatch.setenv("GPUADVISOR_TODAY", "2026-12-04")
    monkeypatch.setenv("GPUADVISOR_MAX_PRICE_AGE", "100000")
    catalog_mod.set_builtin_only(False)
    catalog_mod._CACHE.clear()
    yield
    catalog_mod.set_builtin_only(False)
    catalog_mod._CACHE.clear()


@pytest.fixture(scope="session")
def cat():
    return catalog_mod.load_catalog(extra=[], use_cache=False)


@pytest.fixture
def extra_dir(tmp_path, monkeypatch):
    """A directory on GPUADVISOR_CATALOG_PATH; write(name, text) drops a catalog file into it."""
    d = tmp_path / "extra"
    d.mkdir()
    monkeypatch.setenv("GPUADVISOR_CATALOG_PATH", str(d))

    def write(name: str, text: str) -> Path:
        p = d / name
        p.write_text(textwrap.dedent(text).lstrip())
        catalog_mod._CACHE.clear()
        return p

    write.dir = d
    return write


class Run:
    """Invoke the CLI in-process; `.json` parses stdout."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, env: dict | None = None):
        result = self.runner.invoke(app, list(args), env=env)
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code} != {code} for {args}\nstdout: {result.stdout}\nstderr: {result.stderr}")
        return result

    def json(self, *args: str, code: int = 0):
        result = self(*args, "--json", code=code)
        return json.loads(result.stdout)


@pytest.fixture
def run():
    return Run()
