"""Baseten: prices are published only in the rendered tables of docs.baseten.co and
baseten.co/pricing; no data file, API or public docs repository carries them, and no third-party
transcription was found. `catalog refresh baseten` says so; edit prices by hand (README,
"Adding a provider": an overlay or user catalog with dated `price = {…}`)."""

from __future__ import annotations

from gpuadvisor.catalog.refresh import Source

SOURCE = Source(
    provider="baseten",
    url="",
    publisher="",
    official=False,
    page="https://www.baseten.co/pricing/",
    why_none="no machine-readable source (prices are only in the rendered tables of docs.baseten.co "
             "and baseten.co/pricing); edit by hand: a user catalog with dated `price = {…}` "
             "(see README, \"Adding a provider\")",
)

TARGETS: dict = {}


def parse(text: str):
    return [], None
