"""Where catalogs come from: the built-ins shipped in the package, then GPUADVISOR_CATALOG_PATH, then
$XDG_CONFIG_HOME/gpuadvisor/catalogs (the platform's own config directory on macOS and Windows:
app_dir), in that order."""

from __future__ import annotations

import os
import sys
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


def home() -> str | None:
    """The user's home directory, or None when there is none: with HOME unset and no passwd
    entry, expanduser("~") returns "~" itself, and a relative "~" would make gpuadvisor read and
    write ./~ wherever it runs."""
    h = os.path.expanduser("~")
    return h if os.path.isabs(h) else None


APP = "gpuadvisor"
NATIVE_PLATFORMS = ("darwin", "win32")  # their own conventions, from platformdirs; elsewhere XDG
_XDG = {"config": ("XDG_CONFIG_HOME", ".config"), "cache": ("XDG_CACHE_HOME", ".cache")}


def xdg_base(var: str, default: str) -> str | None:
    """$XDG_CONFIG_HOME / $XDG_CACHE_HOME when absolute (the XDG spec says to ignore relative
    values), else ~/<default>; None without a home."""
    value = os.environ.get(var, "")
    if os.path.isabs(value):
        return value
    h = home()
    return os.path.join(h, default) if h else None


def app_dir(kind: str) -> Path | None:
    """gpuadvisor's "config" or "cache" directory. An absolute $XDG_CONFIG_HOME / $XDG_CACHE_HOME
    wins on every platform (scripts and tests choose it that way); otherwise macOS and Windows
    get their own (platformdirs: ~/Library/Application Support/gpuadvisor and
    ~/Library/Caches/gpuadvisor; %LOCALAPPDATA%\\gpuadvisor), and Linux and other systems
    ~/.config/gpuadvisor and ~/.cache/gpuadvisor as before. None without a home.

    platformdirs is imported only on macOS and Windows: on Linux the XDG rule is these few lines,
    and importing platformdirs would add ~5 ms to every start (bench/README.md)."""
    var, default = _XDG[kind]
    if sys.platform in NATIVE_PLATFORMS and not os.path.isabs(os.environ.get(var, "")):
        native = _native(kind)
        return Path(native) if native and os.path.isabs(native) else None
    base = xdg_base(var, default)
    return Path(base) / APP if base else None


def _native(kind: str) -> str:
    if sys.platform == "darwin":
        from platformdirs.macos import MacOS as Dirs
    else:
        from platformdirs.windows import Windows as Dirs
    dirs = Dirs(APP, appauthor=False)
    return dirs.user_config_dir if kind == "config" else dirs.user_cache_dir


def user_dir() -> Path | None:
    """Extra catalogs: <config dir>/catalogs ($XDG_CONFIG_HOME/gpuadvisor/catalogs, default
    ~/.config/gpuadvisor/catalogs on Linux; see app_dir); None without a home."""
    base = app_dir("config")
    return base / "catalogs" if base else None


BUILTIN_ONLY_ENV = "GPUADVISOR_BUILTIN_ONLY"
_builtin_only = False


def set_builtin_only(flag: bool) -> None:
    """--builtin-only: read no extra catalog at all (set by the CLI on every invocation)."""
    global _builtin_only
    _builtin_only = flag


def builtin_only() -> bool:
    return _builtin_only or os.environ.get(BUILTIN_ONLY_ENV, "") not in ("", "0")


def extra_dirs() -> list[tuple[str, Path]]:
    """(origin, directory) for every extra catalog location, in load order; none with
    --builtin-only or GPUADVISOR_BUILTIN_ONLY=1."""
    if builtin_only():
        return []
    out = [("env", Path(p)) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
    user = user_dir()
    if user is not None:
        out.append(("user", user))
    return out


def catalog_files(dirs: list[tuple[str, Path]], warnings: list[str] | None = None) -> list[tuple[str, Path]]:
    """The *.toml files of each directory (sorted by name), in directory order. os.scandir, not
    Path.glob: this runs on every start and glob costs several milliseconds.

    What cannot be a catalog is left out, and said in `warnings` (if given): a directory named
    in GPUADVISOR_CATALOG_PATH that is missing or unreadable, and *.toml entries that are
    directories, symlink loops, dangling links or special files. A missing user directory is
    normal and not reported."""
    found = []
    say = warnings.append if warnings is not None else (lambda _msg: None)
    for origin, d in dirs:
        try:
            with os.scandir(d) as it:
                listed = list(it)
            if origin != "builtin" and any(e.name == _JOURNAL for e in listed) and _finish_install(d):
                with os.scandir(d) as it:  # an install was killed after its commit: finished, listed again
                    listed = list(it)
            entries = sorted((e for e in listed if e.name.endswith(".toml")), key=lambda e: e.name)
        except NotADirectoryError:
            if str(d).endswith(".toml"):
                found.append((origin, d))  # a file named on the path; read (and checked) like any other
            elif origin == "env":
                say(f"warning: {_shown(d)} in {ENV_PATH} is not a directory; ignored")
            continue
        except FileNotFoundError:
            if origin == "env":
                say(f"warning: catalog directory {_shown(d)} in {ENV_PATH} does not exist")
            continue
        except OSError as e:  # unreadable, symlink loop, ...
            if origin != "builtin":
                say(f"warning: cannot read catalog directory {_shown(d)}: {e.strerror or e}")
            continue
        for entry in entries:
            if _regular(entry):
                found.append((origin, d / entry.name))
            elif origin != "builtin":
                say(f"warning: skipping {_shown(d / entry.name)}: {_not_a_file(entry)}")
    return found


_JOURNAL = ".gpuadvisor-install.json"  # catalog/transaction.py's commit record


def _finish_install(d: Path) -> bool:
    """Complete a committed multi-file install (catalog/transaction.py), so this run sees the whole
    new set, never a mix; False if it cannot be completed here (then the files are read as they are)."""
    from gpuadvisor.catalog.transaction import JOURNAL, recover

    assert JOURNAL == _JOURNAL
    try:
        return recover(d)
    except OSError:
        return False


def _regular(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _not_a_file(entry: os.DirEntry) -> str:
    try:
        if entry.is_dir():
            return "a directory, not a catalog file"
        os.stat(entry.path)
    except OSError as e:
        import errno

        if e.errno == errno.ELOOP:
            return "a symlink loop"
        if e.errno == errno.ENOENT:
            return "a symlink to nothing"
        return e.strerror or str(e)
    return "not a regular file (a FIFO, socket or device)"


def _shown(path: Path) -> str:
    from gpuadvisor.fsread import display_path

    return display_path(path)
