"""`gpuadvisor catalog refresh`: each provider's current prices from its own published source.

One small module per provider (runpod.py, modal.py, …) says where its prices are published
(SOURCE), how the source's labels map to offerings (TARGETS) and how to read it (parse). A
provider without a machine-readable source has a module with SOURCE.url = "" and a reason.
plan.py turns a parsed source into a diff against the catalog in use, guarded; overlay.py
writes and reads the dated price overlay.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

# provider id -> fetcher module (gpuadvisor.catalog.refresh.<module>)
FETCHERS = {"runpod": "runpod", "modal": "modal", "fal": "fal", "replicate": "replicate",
            "beam": "beam", "cerebrium": "cerebrium", "baseten": "baseten"}


@dataclass(frozen=True)
class Source:
    """Where a provider's prices are published, and whose publication it is."""

    provider: str
    url: str  # "" when there is no machine-readable source
    publisher: str  # who publishes it: the provider itself, or a named third party
    official: bool
    page: str = ""  # the human pricing page the source reflects
    why_none: str = ""  # for url == "": why not, and what to do instead


@dataclass(frozen=True)
class Target:
    """Where one published figure goes: an offering by name, or every non-legacy offering of the
    provider for one GPU id; into `field` (price / price_low) × `factor`, with this basis."""

    offering: str = ""
    gpu: str = ""
    field: str = "price"
    basis: str = "list"
    factor: float = 1.0
    note: str = ""


def fetcher(provider: str):
    """The fetcher module for a provider id, or None when gpuadvisor has none."""
    name = FETCHERS.get(provider)
    return None if name is None else importlib.import_module(f"gpuadvisor.catalog.refresh.{name}")


def refreshable() -> set[str]:
    """Providers whose fetcher has a machine-readable source."""
    return {p for p in FETCHERS if fetcher(p).SOURCE.url}


def price_sources(read_overlay: bool = True) -> dict[str, dict]:
    """For `catalog info`: each provider's price source, and its last refresh (from the overlay)."""
    from gpuadvisor.catalog.refresh.overlay import read_all

    overlays = read_all() if read_overlay else {}
    out = {}
    for pid in FETCHERS:
        s = fetcher(pid).SOURCE
        ov = overlays.get(pid)
        out[pid] = {"url": s.url or None, "publisher": s.publisher or None, "official": s.official,
                    "page": s.page or None, "none_because": s.why_none or None,
                    "last_refresh": ov.refreshed if ov else None, "overlay": ov.path if ov else None}
    return out


def norm(label: str) -> str:
    """A source label compared loosely: case, spaces and ** do not matter."""
    return " ".join(label.replace("*", " ").lower().split())
