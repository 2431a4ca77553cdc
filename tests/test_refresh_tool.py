"""tools/refresh_prices.py (`make refresh-prices`): rewrites only the price values of the built-in
catalogs (comments, notes and order kept), applies the guard, validates, and reports."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from tests.test_refresh import mirror, text  # noqa: F401  (mirror is a fixture)

ROOT = Path(__file__).resolve().parents[1]


def tool():
    spec = importlib.util.spec_from_file_location("refresh_prices", ROOT / "tools" / "refresh_prices.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rewrites_price_values_in_place_and_keeps_everything_else(tmp_path, mirror, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GPUADVISOR_TODAY", "2026-12-04")
    catalogs = tmp_path / "catalogs"
    shutil.copytree(ROOT / "catalogs", catalogs)
    before = (catalogs / "runpod.toml").read_text()
    url = mirror("/r.mdx", text("runpod").replace("$0.00076", "$0.00080").replace("$0.00240", "$0.00500"))
    summary = tmp_path / "summary.md"
    assert tool().main(["runpod", "--catalogs", str(catalogs), "--source", f"runpod={url}", "--summary", str(summary)]) == 0
    after = (catalogs / "runpod.toml").read_text()
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert changed and all(a.startswith(("price =", "price_low =")) for a, _ in changed)  # comments untouched
    a100 = next(b for a, b in changed if "per_hour = 2.736" in a)
    assert "per_hour = 2.88" in a100 and 'as_of = "2026-12-04"' in a100 and "basis = \"flex" in a100
    assert "tier '80GB'" in a100  # the note is kept
    assert all("per_hour = 8.64" not in b or "2026-06-08" in b for _, b in changed)  # B200 +108%: held back
    report = summary.read_text()
    assert "BLACKWELL_180 price" in report and "held back" in report and "AMPERE_80 price: $2.736/h" in report


def test_an_unreadable_source_is_reported_and_nothing_changes(tmp_path, mirror, monkeypatch):  # noqa: F811
    catalogs = tmp_path / "catalogs"
    shutil.copytree(ROOT / "catalogs", catalogs)
    before = (catalogs / "modal.toml").read_bytes()
    url = mirror("/m.yml", "not: a pricing file\n")
    assert tool().main(["modal", "--catalogs", str(catalogs), "--source", f"modal={url}"]) == 1
    assert (catalogs / "modal.toml").read_bytes() == before
