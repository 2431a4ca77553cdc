"""`gpuadvisor catalog refresh`: each provider's current prices from its own published source.

Each provider's fetcher is data: sources/<provider>.toml says where its prices are published
(url, publisher, official or a named third party), which reader reads them (`format`:
markdown-table or plans-yaml, see parse.py and plans_yaml.py) and how the source's labels map to
offerings ([[target]]). A provider without a machine-readable source has url = "" and says why.
plan.py turns a parsed source into a guarded diff against the catalog in use; overlay.py writes
and reads the dated price overlay; run.py drives one refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOURCES = Path(__file__).resolve().parent / "sources"
FORMATS = ("markdown-table", "plans-yaml", "none")


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


@dataclass(frozen=True)
class Fetcher:
    """One provider's price source, its label → target map, and its reader's settings."""

    SOURCE: Source
    TARGETS: dict
    format: str
    settings: dict

    def parse(self, text: str):
        """(rows, the source's own date or None) of a downloaded source."""
        if self.format == "markdown-table":
            from gpuadvisor.catalog.refresh.parse import table_rows

            return table_rows(text, self.settings.get("label_column", 0), self.settings.get("price_column", 1),
                              self.settings.get("unit", "")), None
        if self.format == "plans-yaml":
            from gpuadvisor.catalog.refresh.plans_yaml import parse_plans

            return parse_plans(text, self.settings.get("require", ""))
        return [], None


def providers() -> list[str]:
    """Every provider with a sources/<provider>.toml, sorted."""
    return sorted(p.stem for p in SOURCES.glob("*.toml"))


_LOADED: dict[str, Fetcher] = {}


def fetcher(provider: str) -> Fetcher | None:
    """The fetcher for a provider id, or None when gpuadvisor has none."""
    if provider not in _LOADED:
        path = SOURCES / f"{provider}.toml"
        if not path.is_file():
            return None
        _LOADED[provider] = _load(path)
    return _LOADED[provider]


def _load(path: Path) -> Fetcher:
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if data.get("format") not in FORMATS:
        raise ValueError(f"{path.name}: format must be one of {', '.join(FORMATS)}")
    source = Source(data["provider"], data.get("url", ""), data.get("publisher", ""), bool(data.get("official")),
                    data.get("page", ""), data.get("why_none", ""))
    targets: dict[str, tuple] = {}
    for t in data.get("target", []):
        label = norm(t.pop("label"))
        targets[label] = (*targets.get(label, ()), Target(**t))
    settings = {k: v for k, v in data.items() if k in ("label_column", "price_column", "unit", "require")}
    return Fetcher(source, targets, data["format"], settings)


def refreshable() -> set[str]:
    """Providers whose fetcher has a machine-readable source."""
    return {p for p in providers() if (f := fetcher(p)) is not None and f.SOURCE.url}  # providers() have one


def price_sources(read_overlay: bool = True) -> dict[str, dict]:
    """For `catalog info`: each provider's price source, and its last refresh (from the overlay)."""
    from gpuadvisor.catalog.refresh.overlay import read_all

    overlays = read_all() if read_overlay else {}
    out = {}
    for pid in providers():
        f = fetcher(pid)
        assert f is not None, "providers() lists only those with a sources file"
        s = f.SOURCE
        ov = overlays.get(pid)
        out[pid] = {"url": s.url or None, "publisher": s.publisher or None, "official": s.official,
                    "page": s.page or None, "none_because": s.why_none or None,
                    "last_refresh": ov.refreshed if ov else None, "overlay": ov.path if ov else None}
    return out


def norm(label: str) -> str:
    """A source label compared loosely: case, spaces and ** do not matter."""
    return " ".join(label.replace("*", " ").lower().split())
