"""Cerebrium: its docs repository (CerebriumAI/documentation) quotes one GPU rate as an example
only; the machine-readable copy used is API Evangelist's transcription of cerebrium.ai/pricing
(a third party, dated by the file). The page lists the `interruptible` tier (price_low); the
on-demand `protected` tier is billed at 2× (calculating-cost.mdx), which is `price`."""

from __future__ import annotations

from gpuadvisor.catalog.refresh import Source, Target
from gpuadvisor.catalog.refresh.plans_yaml import parse_plans

SOURCE = Source(
    provider="cerebrium",
    url="https://raw.githubusercontent.com/api-evangelist/cerebrium/main/plans/cerebrium-plans-pricing.yml",
    publisher="API Evangelist's transcription of cerebrium.ai/pricing (third party)",
    official=False,
    page="https://www.cerebrium.ai/pricing",
)


def _both(offering: str) -> tuple[Target, Target]:
    return (Target(offering=offering, field="price_low", basis="interruptible",
                   note="interruptible tier, Cerebrium's default: workers may be interrupted"),
            Target(offering=offering, field="price", basis="list", factor=2.0,
                   note="protected (on-demand) tier: 2 × the listed interruptible rate (calculating-cost.mdx)"))


TARGETS = {
    "t4 gpu": _both("TURING_T4"), "l4 gpu": _both("ADA_L4"), "a10 gpu": _both("AMPERE_A10"),
    "l40s gpu": _both("ADA_L40"), "a100 40gb gpu": _both("AMPERE_A100_40GB"),
    "a100 80gb gpu": _both("AMPERE_A100_80GB"), "rtx pro 6000 gpu": _both("BLACKWELL_RTX6000"),
    "h100 gpu": _both("HOPPER_H100"), "h200 gpu": _both("HOPPER_H200"), "b200 gpu": _both("BLACKWELL_B200"),
}


def parse(text: str):
    return parse_plans(text)
