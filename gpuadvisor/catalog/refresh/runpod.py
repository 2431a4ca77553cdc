"""RunPod Serverless: the serverless price table of RunPod's own docs (github.com/runpod/docs,
snippets/serverless-gpu-pricing-table.mdx, rendered on docs.runpod.io/serverless/pricing).
One row per tier, priced per second (flex workers); each row is a GpuGroup pool, and the typed
GPUs that carry their pool's price follow it (plan.py)."""

from __future__ import annotations

from gpuadvisor.catalog.refresh import Source, Target
from gpuadvisor.catalog.refresh.parse import Row, markdown_table, money

SOURCE = Source(
    provider="runpod",
    url="https://raw.githubusercontent.com/runpod/docs/main/snippets/serverless-gpu-pricing-table.mdx",
    publisher="RunPod (its docs repository, github.com/runpod/docs)",
    official=True,
    page="https://docs.runpod.io/serverless/pricing",
)

_FLEX = {"basis": "flex", "note": "flex workers; refreshed from RunPod's serverless price table"}
TARGETS = {
    "a4000, a4500, rtx 4000": (Target(offering="AMPERE_16", **_FLEX),),
    "l4, a5000, 3090": (Target(offering="AMPERE_24", **_FLEX),),
    "4090 pro": (Target(offering="ADA_24", **_FLEX),),
    "a6000, a40": (Target(offering="AMPERE_48", **_FLEX),),
    "l40, l40s, 6000 ada pro": (Target(offering="ADA_48_PRO", **_FLEX),),
    "a100": (Target(offering="AMPERE_80", **_FLEX),),
    "h100 pro": (Target(offering="ADA_80_PRO", **_FLEX),),
    "6000s pro": (Target(offering="BLACKWELL_96", **_FLEX),),
    "h200 pro": (Target(offering="HOPPER_141", **_FLEX),),
    "b200": (Target(offering="BLACKWELL_180", **_FLEX),),
    "5090 pro": (Target(offering="ADA_32_PRO", **_FLEX),),  # not published yet; mapped for when it is
}


def parse(text: str) -> tuple[list[Row], str | None]:
    """Rows of the first Markdown table: GPU types (the label), memory, cost per second."""
    rows = []
    for cells in markdown_table(text):
        if len(cells) < 3:
            continue
        price = money(cells[2], "per second")
        if price is not None:
            rows.append(Row(cells[0], price[0], price[1], f"{cells[0]} | {cells[1]} | {cells[2]}"))
    return rows, None
