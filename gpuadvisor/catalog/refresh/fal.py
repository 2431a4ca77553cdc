"""fal: fal.ai/pricing is a rendered page, and fal's Platform API prices model endpoints, not
GPUs; the machine-readable copy used is API Evangelist's harvest of the page (a third party that
states every figure was found verbatim on it; dated by the file). fal shows a list price and an
"as low as" figure per GPU: the first is `price`, the second `price_low`."""

from __future__ import annotations

from gpuadvisor.catalog.refresh import Source, Target
from gpuadvisor.catalog.refresh.plans_yaml import parse_plans

SOURCE = Source(
    provider="fal",
    url="https://raw.githubusercontent.com/api-evangelist/fal-ai/main/plans/fal-ai-plans-pricing.yml",
    publisher="API Evangelist's harvest of fal.ai/pricing (third party, figures quoted verbatim)",
    official=False,
    page="https://fal.ai/pricing",
)

_LOW = {"field": "price_low", "basis": "as low as", "note": "fal's \"as low as\" figure (terms not published)"}
TARGETS = {
    "a100 gpu (list price)": (Target(gpu="a100-40gb"),),
    "a100 gpu (starting at)": (Target(gpu="a100-40gb", field="price_low", basis="starting at"),),
    "a100 gpu (as low as)": (Target(gpu="a100-40gb", **_LOW),),
    "h100 gpu (list price)": (Target(gpu="h100-sxm"),),
    "h100 gpu (as low as)": (Target(gpu="h100-sxm", **_LOW),),
    "h200 gpu (list price)": (Target(gpu="h200"),),
    "h200 gpu (as low as)": (Target(gpu="h200", **_LOW),),
    "b200 gpu (list price)": (Target(gpu="b200"),),
    "b200 gpu (as low as)": (Target(gpu="b200", **_LOW),),
}


def parse(text: str):
    """Only GPU-hour rows (the file also lists per-image and per-video model prices)."""
    return parse_plans(text, accept=lambda f: "gpu" in f.get("unit", "").lower())
