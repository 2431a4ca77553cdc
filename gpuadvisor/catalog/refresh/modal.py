"""Modal: modal.com/pricing is a rendered web page with no published data file or API; the
machine-readable copy used is API Evangelist's transcription of it (a third party, dated by the
file). Its date, not the download date, becomes the prices' as_of, so a stale transcription
still reads as stale. Prices per GPU-second, on-demand ("list")."""

from __future__ import annotations

from gpuadvisor.catalog.refresh import Source, Target
from gpuadvisor.catalog.refresh.plans_yaml import parse_plans

SOURCE = Source(
    provider="modal",
    url="https://raw.githubusercontent.com/api-evangelist/modal/main/plans/modal-plans-pricing.yml",
    publisher="API Evangelist's transcription of modal.com/pricing (third party; Modal publishes no data file)",
    official=False,
    page="https://modal.com/pricing",
)

TARGETS = {
    "nvidia t4": (Target(gpu="t4"),),
    "nvidia l4": (Target(gpu="l4"),),
    "nvidia a10": (Target(gpu="a10"),),
    "nvidia a100 (40gb)": (Target(gpu="a100-40gb"),),
    "nvidia a100 (80gb)": (Target(gpu="a100-80gb-sxm"),),
    "nvidia l40s": (Target(gpu="l40s"),),
    "nvidia h100": (Target(gpu="h100-sxm"),),
    "nvidia h200": (Target(gpu="h200"),),
    "nvidia b200": (Target(gpu="b200"),),
    "nvidia b300": (Target(gpu="b300"),),
    "nvidia rtx pro 6000": (Target(gpu="rtx-pro-6000-server"),),
}


def parse(text: str):
    return parse_plans(text, accept=lambda f: "gpu" in (f.get("metric", "") + f.get("name", "")).lower())
