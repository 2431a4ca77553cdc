"""Where catalogs come from: the built-ins shipped in the package, then GPUADVISOR_CATALOG_PATH, then
$XDG_CONFIG_HOME/gpuadvisor/catalogs, in that order."""

from __future__ import annotations

import os
from pathlib import Path

ENV_PATH = "GPUADVISOR_CATALOG_PATH"


def builtin_dir() -> Path:
    """The catalogs shipped in the wheel (gpuadvisor/catalogs); in a source checkout, the
    repository's catalogs/. For an installed package on a file system this is the same directory
    importlib.resources.files("gpuadvisor") / "catalogs" names; importlib.resources (3 ms to
    import) is only asked when the package is not a plain directory (a zip, say)."""
    here = Path(__file__).resolve().parent.parent  # the gpuadvisor package
    if (here / "catalogs").is_dir():
        return here / "catalogs"
    from importlib.resources import as_file, files

    packaged = files("gpuadvisor").joinpath("catalogs")
    if packaged.is_dir():
        with as_file(packaged) as real:
            return Path(real)
    return here.parent / "catalogs"


def user_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gpuadvisor" / "catalogs"


def extra_dirs() -> list[tuple[str, Path]]:
    """(origin, directory) for every extra catalog location, in load order."""
    out = [("env", Path(p)) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
    out.append(("user", user_dir()))
    return out


def catalog_files(dirs: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """The *.toml files of each directory (sorted by name), in directory order. os.scandir, not
    Path.glob: this runs on every start and glob costs several milliseconds."""
    found = []
    for origin, d in dirs:
        try:
            with os.scandir(d) as it:
                names = sorted(e.name for e in it if e.name.endswith(".toml") and e.is_file())
        except NotADirectoryError:
            if str(d).endswith(".toml"):
                found.append((origin, d))
            continue
        except OSError:  # missing or unreadable directory: nothing to load
            continue
        found.extend((origin, d / n) for n in names)
    return found
