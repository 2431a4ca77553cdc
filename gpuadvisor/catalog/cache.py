"""The validated catalog kept on disk between runs, so later runs skip TOML parsing."""

from __future__ import annotations

import os
from pathlib import Path

from gpuadvisor.catalog.query import Catalog

CACHE_ENV = "GPUADVISOR_NO_CACHE"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gpuadvisor"


_CACHED_CODE = ("catalog.py", "models.py", "profiles.py")  # modules whose objects the cache pickles
# (catalog.py stands for the catalog package: its newest module)
_PACKAGE_MODULES = ("__init__.py", "build.py", "cache.py", "locate.py", "query.py", "schema.py")


def _fingerprint(files: list[tuple[str, Path]]) -> tuple:
    """What a cached catalog depends on: the package version, the code that builds and defines
    the cached objects (so an edited checkout never unpickles an old shape), and every catalog
    file's path, size and mtime."""
    from gpuadvisor import __version__

    here = Path(__file__).parent
    package = max(_mtime(here / m) for m in _PACKAGE_MODULES)
    parts = [("code", name, -1, package if name == "catalog.py" else _mtime(here.parent / name))
             for name in _CACHED_CODE]
    for origin, p in files:
        try:
            st = p.stat()
            parts.append((origin, str(p), st.st_size, st.st_mtime_ns))
        except OSError:
            parts.append((origin, str(p), -1, -1))
    return (__version__, tuple(parts))


def _mtime(p: Path) -> int:
    try:
        return p.stat().st_mtime_ns
    except OSError:
        return -1


def _cache_path(key: tuple) -> Path:
    import zlib

    return cache_dir() / f"catalog-{zlib.crc32(repr(key).encode()):08x}.pickle"


def _read_disk_cache(key: tuple) -> Catalog | None:
    import pickle

    try:
        with open(_cache_path(key), "rb") as f:
            stored_key, cat = pickle.load(f)
    except Exception:  # missing, unreadable, stale format: rebuild
        return None
    return cat if stored_key == key and isinstance(cat, Catalog) else None


def _write_disk_cache(key: tuple, cat: Catalog) -> None:
    import pickle
    import tempfile

    path = _cache_path(key)
    d = path.parent
    try:
        d.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".catalog-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump((key, cat), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except Exception:  # a read-only home or full disk only costs speed
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:
            pass

