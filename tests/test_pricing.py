"""Prices on one basis: on-demand list prices ranked, discounts kept aside, unknown prices estimated."""

from __future__ import annotations

import dataclasses

import pytest

from gpuadvisor.pricing import lowest, on_demand, quote


def off(cat, provider, name):
    return cat.lookup(provider, name)


def test_on_demand_and_discounted_prices_are_apart(cat):
    h200 = off(cat, "fal", "GPU-H200")
    assert on_demand(h200).per_hour == 4.50 and lowest(h200).per_hour == 2.10
    h100 = off(cat, "fal", "GPU-H100")
    assert on_demand(h100) is None and lowest(h100).basis == "as low as"


def test_list_basis_estimates_a_missing_on_demand_price(cat):
    q = quote(off(cat, "fal", "GPU-H100"), cat.offerings, "list")
    # the median on-demand price of h100-sxm elsewhere: Modal H100 3.9492, RunPod NVIDIA_H100_80GB_HBM3 4.176,
    # Baseten H100 6.4998 (its H100:2/4/8 SKUs are the same price per GPU and count once)
    assert q.estimated and q.per_hour == pytest.approx(4.176)
    assert "baseten H100 $6.50" in q.how and "H100:2" not in q.how
    assert "median" in q.how and "its own as low as price is $1.89/h" in q.how


def test_lowest_basis_uses_the_offerings_own_discount(cat):
    q = quote(off(cat, "runpod", "AMPERE_80"), cat.offerings, "lowest")
    assert not q.estimated and q.per_hour == 2.16 and q.basis == "active"


def test_a_gpu_priced_nowhere_stays_unpriced(cat):
    assert quote(off(cat, "fal", "GPU-RTX5090"), cat.offerings, "list") is None


def test_a_discount_written_as_price_in_an_old_user_catalog_is_not_on_demand(cat):
    t4 = off(cat, "modal", "T4")
    old = dataclasses.replace(t4, price=dataclasses.replace(t4.price, basis="as low as"))
    assert on_demand(old) is None and quote(old, cat.offerings, "list").estimated


def test_catalog_rejects_a_discount_above_the_list_price(run, extra_dir):
    extra_dir("odd.toml", """
        [provider]
        id = "acme"
        name = "Acme"
        [[offering]]
        name = "A"
        gpu = "t4"
        price = { per_hour = 1.0, as_of = "2026-11-01", source = "x" }
        price_low = { per_hour = 2.0, as_of = "2026-11-01", source = "x" }
    """)
    result = run("list", "--json")
    assert "price_low" in result.stderr and "above the on-demand price" in result.stderr


@pytest.mark.parametrize("values", [[1.0], [3.0, 1.0], [2.5, 0.5, 9.0], [4.0, 1.0, 3.0, 2.0], [1.12, 0.69, 1.12]])
def test_median_matches_the_standard_library(values):
    import statistics

    from gpuadvisor.pricing import _median

    assert _median(values) == statistics.median(values)
