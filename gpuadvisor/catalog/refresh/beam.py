"""Beam: docs.beam.cloud's pricing page is rendered; the machine-readable copy used is API
Evangelist's transcription of beam.cloud/pricing (a third party, dated by the file). Only its
serverless rows map to offerings; "from $…/hr" rows are dedicated containers, a different
product, and are listed as unmapped."""

from __future__ import annotations

from gpuadvisor.catalog.refresh import Source, Target
from gpuadvisor.catalog.refresh.plans_yaml import parse_plans

SOURCE = Source(
    provider="beam",
    url="https://raw.githubusercontent.com/api-evangelist/beam-cloud/main/plans/beam-cloud-plans-pricing.yml",
    publisher="API Evangelist's transcription of beam.cloud/pricing (third party)",
    official=False,
    page="https://www.beam.cloud/pricing",
)

_GPU_ONLY = "GPU only: CPU cores and RAM are billed on top"
TARGETS = {
    "a10g (serverless)": (Target(offering="A10G", note=_GPU_ONLY),),
    "rtx 4090 (serverless)": (Target(offering="RTX4090", note=_GPU_ONLY),),
    "h100 (serverless)": (Target(offering="H100", note=_GPU_ONLY),),
}


def parse(text: str):
    return parse_plans(text)
