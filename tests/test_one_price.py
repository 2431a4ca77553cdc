"""One price per offering (issue 21 item 6; newcomer audit 2026-12-04 stumble 5): list, show, recommend,
translate, cost and estimate give the same per-GPU figure on the list basis, mark an estimate the same
way, never sort an "as low as" figure as a list price, and sort unpriced rows last both ways."""

from __future__ import annotations

import pytest

H100S = [("fal", "GPU-H100"), ("modal", "H100"), ("runpod", "NVIDIA_H100_80GB_HBM3"), ("cerebrium", "HOPPER_H100"),
         ("baseten", "H100")]


def test_an_as_low_as_figure_never_sorts_as_the_list_price(run):
    rows = run.json("list", "--min-vram", "80", "--sort", "price")
    assert rows[0]["price_per_hour"] is not None  # fal GPU-H100 ($1.89 "as low as") was first with $/h "—"
    fal = next(r for r in rows if (r["provider"], r["name"]) == ("fal", "GPU-H100"))
    assert fal["price_per_hour"] == pytest.approx(4.176) and fal["price_estimated"] is True
    priced = [r["price_per_hour"] for r in rows if r["price_per_hour"] is not None]
    assert priced == sorted(priced)
    text = run("list", "--min-vram", "80", "--sort", "price").stdout
    assert "4.18*" in text and "* estimated" in text


@pytest.mark.parametrize("reverse", [False, True])
def test_unpriced_rows_sort_last_both_ways(run, reverse):
    rows = run.json("list", "--sort", "price", *(["--reverse"] if reverse else []))
    seen_unpriced = False
    for r in rows:
        if r["price_per_hour"] is None:
            seen_unpriced = True
        else:
            assert not seen_unpriced, r["name"]
    assert seen_unpriced
    priced = [r["price_per_hour"] for r in rows if r["price_per_hour"] is not None]
    assert priced == sorted(priced, reverse=reverse)


def test_every_command_gives_an_offering_the_same_price(run):
    listed = {(r["provider"], r["name"]): r for r in run.json("list", "--min-vram", "80")}
    shown = {(r["provider"], r["name"]): r for r in run.json("show", "h100-sxm")["offerings"]}
    recs = {(r["provider"], r["name"]): r for r in run.json("recommend", "--vram", "70", "-w", "llm", "--top", "200")[
        "recommendations"] if r["count"] == 1}
    for key in H100S:
        p, est = listed[key]["price_per_hour"], listed[key]["price_estimated"]
        if key in shown:
            assert (shown[key]["price_per_hour"], shown[key]["price_estimated"]) == (p, est), key
        assert recs[key]["price_per_hour"] == pytest.approx(p, abs=1e-3) and recs[key]["price_estimated"] == est, key
        tr = run.json("translate", key[0], "runpod" if key[0] != "runpod" else "modal", key[1])["cost"]["source_quote"]
        assert tr["per_hour"] - tr["host_per_hour"] == pytest.approx(p, abs=1e-3) and tr["estimated"] == est, key
        cost = run.json("cost", "-r", "1000", "-s", "2", "-p", key[0], "--gpu", "h100-sxm", "--gpu", "h100-pcie")["options"]
        q = next(o["price"] for o in cost if o["name"] == key[1])
        assert q["per_hour"] - q["host_per_hour"] == pytest.approx(p, abs=1e-3) and q["estimated"] == est, key


def test_json_keys_say_their_units(run):
    """Stumble 6: estimate's `gb`/`total_gb` held GiB, recommend's query.vram_gb held --vram GiB."""
    est = run.json("estimate", "--model", "llama-3.1-8b", "--context", "8k")["estimate"]
    assert est["total_gib"] == est["total_gb"] and all(ln["gib"] == ln["gb"] for ln in est["lines"])
    assert run.json("recommend", "--vram", "70", "-w", "llm", "--top", "1")["query"]["vram_gib"] == 70
    facts = run("compare", "h100", "h200").stdout
    assert "80 GB" in facts and "80 GiB" not in facts and "79.65 GiB" in facts
    assert "VRAM GB" in run("list", "-p", "modal").stdout
    notes = run.json("translate", "modal", "baseten", "L40S")["target"]["options"][0]["notes"]
    assert any("48 → 96 GB per GPU" in n and "GiB usable" in n for n in notes)
