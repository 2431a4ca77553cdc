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

from gpuadvisor.catalog.cache import CACHE_ENV, CacheStore, cache_dir, fingerprint, read_sources
from gpuadvisor.catalog.locate import (
    BUILTIN_ONLY_ENV,
    ENV_PATH,
    builtin_dir,
    builtin_only,
    catalog_files,
    extra_dirs,
    set_builtin_only,
    user_dir,
)
from gpuadvisor.catalog.query import (
    STALE_PRICE_DAYS,
    Catalog,
    FileReport,
    catalog_info,
    find_record,
    in_region,
    lookup_keys,
    override_notes,
    record_names,
)
from gpuadvisor.catalog.schema import KINDS, MAX_FILE_BYTES, TOP_LEVEL, id_tables
from gpuadvisor.errors import CatalogError, CatalogProblem

__all__ = [
    "BUILTIN_ONLY_ENV", "CACHE_ENV", "ENV_PATH", "KINDS", "MAX_FILE_BYTES", "STALE_PRICE_DAYS", "TOP_LEVEL", "Catalog",
    "CatalogError", "CatalogProblem", "FileReport", "build_catalog", "builtin_dir", "builtin_only", "cache_dir",
    "catalog_files", "catalog_info", "extra_dirs", "find_record", "get_catalog", "id_tables", "in_region", "load_catalog",
    "lookup_keys", "override_notes", "record_names", "set_builtin_only", "user_dir", "validate_paths",
]

_CACHE: dict[str, Catalog] = {}
_LAZY = ("build_catalog", "validate_paths")  # from catalog.build: a warm start never needs them


def __getattr__(name: str):
    if name in _LAZY:
        from gpuadvisor.catalog import build

        globals()[name] = value = getattr(build, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_catalog(extra: list[tuple[str, Path]] | None = None, *, use_cache: bool = True) -> Catalog:
    """Built-ins plus extra directories (default: environment and user dir, none with
    --builtin-only).

    Parsed once per process, and the validated result is kept in $XDG_CACHE_HOME/gpuadvisor
    (default ~/.cache/gpuadvisor) keyed on the bytes of every catalog file, so later runs skip
    TOML parsing unless a file changed. GPUADVISOR_NO_CACHE=1 turns the disk cache off.
    `warnings` starts with what was found about the locations and the cache this run."""
    notes: list[str] = []
    dirs = [("builtin", builtin_dir())] + (extra_dirs() if extra is None else extra)
    files = catalog_files(dirs, notes)
    contents = read_sources(files)  # read once: hashed for the key and parsed on a miss
    key = fingerprint(files, contents)
    if use_cache and key in _CACHE:
        return _CACHE[key]
    store = CacheStore() if use_cache and not os.environ.get(CACHE_ENV) else None
    try:
        cat = store.read(key) if store else None
        if cat is None:
            build = globals().get("build_catalog") or __getattr__("build_catalog")  # (tests replace it)
            cat = build(files, contents=contents)
            if store:
                store.write(key, cat)
    finally:
        if store:
            store.close()
    cat.warnings = [*notes, *(store.warnings if store else []), *cat.warnings]
    if use_cache:
        _CACHE[key] = cat
    return cat


def get_catalog() -> Catalog:
    """The catalogs in use: built-ins and extra directories, with the price overlay that
    `catalog refresh` writes on top (none with --builtin-only)."""
    cat = load_catalog()
    if builtin_only():
        return cat
    base = user_dir()
    if base is None or not os.path.isdir(base / "prices"):  # no refresh yet: the refresh package is
        return cat  # not imported (its records cost start-up); the same test as overlay.fingerprint()
    from gpuadvisor.catalog.refresh import overlay

    key = ("overlay", id(cat), str(overlay.directory()), overlay.fingerprint())
    if not key[3]:
        return cat
    if key not in _OVERLAID:
        notes: list[str] = []
        out = overlay.apply(cat, overlay.read_all(warnings=notes))
        if notes:
            out = out if out is not cat else __import__("copy").copy(cat)
            out.warnings = [*cat.warnings, *notes]
        _OVERLAID.clear()
        _OVERLAID[key] = out
    return _OVERLAID[key]


_OVERLAID: dict = {}
