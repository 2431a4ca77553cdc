"""Replicate: replicate.com/pricing is a rendered page (its HTTP API lists hardware SKUs without
prices); the machine-readable copy used is API Evangelist's transcription (a third party, dated
by the file). One price per GPU; every n-GPU SKU costs n × the 1-GPU SKU, so the per-GPU figure
applies to each SKU of that GPU."""

from __future__ import annotations

from gpuadvisor.catalog.refresh import Source, Target
from gpuadvisor.catalog.refresh.plans_yaml import parse_plans

SOURCE = Source(
    provider="replicate",
    url="https://raw.githubusercontent.com/api-evangelist/replicate/main/plans/replicate-plans-pricing.yml",
    publisher="API Evangelist's transcription of replicate.com/pricing (third party; Replicate's API has no prices)",
    official=False,
    page="https://replicate.com/pricing",
)

TARGETS = {
    "nvidia t4 gpu": (Target(gpu="t4"),),
    "nvidia l40s gpu": (Target(gpu="l40s"),),
    "nvidia a100 (80gb) gpu": (Target(gpu="a100-80gb-pcie"),),
    "nvidia h100 gpu": (Target(gpu="h100-pcie"),),
    "nvidia a40 gpu": (Target(offering="gpu-a40-small"),),
    "nvidia a40 (large) gpu": (Target(gpu="a40"),),
}


def parse(text: str):
    return parse_plans(text)
