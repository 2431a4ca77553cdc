"""Loading, validating and querying the TOML catalogs.

Built-in catalogs ship inside the package (see builtin_dir). Extra catalog
directories come from GPUADVISOR_CATALOG_PATH (os.pathsep-separated) and
$XDG_CONFIG_HOME/gpuadvisor/catalogs (default ~/.config/gpuadvisor/catalogs), in that order
after the built-ins. A file may hold any of these top-level tables:

  [arch.<id>]        GPU architectures           [gpu.<id>]          GPU hardware facts
  [provider] + [[offering]]  one provider        [workload.<id>]     recommend profiles
  [model.<id>]       model architectures (estimate)

One module per concern: locate (where files are), schema (one file's typed tables), build
(validate and merge files into a Catalog), cache (the validated catalog on disk), query (the
Catalog and lookups). This module loads: locate → cache → build, once per process.
"""

from __future__ import annotations

import os
from pathlib import Path

from gpuadvisor.catalog.build import build_catalog, validate_paths
from gpuadvisor.catalog.cache import CACHE_ENV, _fingerprint, _read_disk_cache, _write_disk_cache, cache_dir
from gpuadvisor.catalog.locate import ENV_PATH, builtin_dir, catalog_files, extra_dirs, user_dir
from gpuadvisor.catalog.query import (
    STALE_PRICE_DAYS,
    Catalog,
    FileReport,
    catalog_info,
    find_record,
    lookup_keys,
    record_names,
)
from gpuadvisor.catalog.schema import KINDS, MAX_FILE_BYTES, TOP_LEVEL, id_tables
from gpuadvisor.errors import CatalogError, CatalogProblem

__all__ = [
    "CACHE_ENV", "ENV_PATH", "KINDS", "MAX_FILE_BYTES", "STALE_PRICE_DAYS", "TOP_LEVEL", "Catalog", "CatalogError",
    "CatalogProblem", "FileReport", "build_catalog", "builtin_dir", "cache_dir", "catalog_files", "catalog_info",
    "extra_dirs", "find_record", "get_catalog", "id_tables", "load_catalog", "lookup_keys", "record_names",
    "user_dir", "validate_paths",
]

_CACHE: dict[tuple, Catalog] = {}


def load_catalog(extra: list[tuple[str, Path]] | None = None, *, use_cache: bool = True) -> Catalog:
    """Built-ins plus extra directories (default: environment and user dir).

    Parsed once per process, and the validated result is kept in $XDG_CACHE_HOME/gpuadvisor
    (default ~/.cache/gpuadvisor) keyed on every catalog file's path, size and mtime, so later
    runs skip TOML parsing unless a file changed. GPUADVISOR_NO_CACHE=1 turns the disk cache off."""
    dirs = [("builtin", builtin_dir())] + (extra_dirs() if extra is None else extra)
    files = catalog_files(dirs)
    key = _fingerprint(files)
    if use_cache and key in _CACHE:
        return _CACHE[key]
    disk = use_cache and not os.environ.get(CACHE_ENV)
    cat = _read_disk_cache(key) if disk else None
    if cat is None:
        cat = build_catalog(files)
        if disk:
            _write_disk_cache(key, cat)
    if use_cache:
        _CACHE[key] = cat
    return cat


def get_catalog() -> Catalog:
    return load_catalog()
