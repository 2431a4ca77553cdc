"""`gpuadvisor catalog import skypilot|gpuhunt CSV`: another tool's catalog CSV → one provider TOML.

skypilot   SkyPilot's `catalogs/<version>/<cloud>/vms.csv` (skypilot-org/skypilot-catalog; columns
           read by name as sky/catalog/common.py does: the order differs per cloud)
gpuhunt    dstack's gpuhunt `<provider>.csv` (dstackai/gpuhunt RawCatalogItem fields; older files
           without the newest columns are accepted, as gpuhunt does)

Rows are grouped by instance (and GPU count): one offering each, with a fixed count, its regions,
the lowest on-demand and spot prices and the per-region prices that differ. Accelerator names map
to canonical GPU ids by a table (names.py); a name the table does not know is counted and listed,
never guessed. The result is validated like any catalog before it is written to the user catalog
directory, and an existing file is replaced only with --force.
"""

from __future__ import annotations

from gpuadvisor.catalog.importers.common import Imported, build_toml, install
from gpuadvisor.catalog.importers.gpuhunt import read_gpuhunt
from gpuadvisor.catalog.importers.skypilot import read_skypilot

FORMATS = {"skypilot": read_skypilot, "gpuhunt": read_gpuhunt}

__all__ = ["FORMATS", "Imported", "build_toml", "import_csv", "install"]


def import_csv(fmt: str, text: str | bytes, *, source: str, provider_id: str, cloud: str, as_of: str) -> Imported:
    """Parse `text` in format `fmt` and build the provider TOML (not written; see install)."""
    from gpuadvisor.errors import UnknownName

    if fmt not in FORMATS:
        raise UnknownName("catalog format", fmt, list(FORMATS))
    rows, skipped = FORMATS[fmt](text)
    return build_toml(fmt, rows, skipped, source=source, provider_id=provider_id, cloud=cloud, as_of=as_of)
