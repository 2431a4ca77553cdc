"""All-or-nothing installs of several catalog files into one directory (audit 2026-12-04 N10).

A kill -9 must never leave a mix of old and new files, and must leave nothing that piles up:

1. stage: every new file is written into a fresh directory `.gpuadvisor-stage-XXXX` beside the
   catalogs (invisible to the loader: it reads only `*.toml` entries of the directory itself);
2. commit: a journal naming the stage and its files is renamed to `.gpuadvisor-install.json` in
   one step. Before this rename nothing changed; after it, the new set is the truth;
3. roll forward: each staged file is renamed over its target, then the journal and the stage
   are removed.

Whoever finds a journal (the next install, or any command as it lists the catalogs:
locate.catalog_files calls `recover`) finishes step 3 first, so every command sees either the
old set or the whole new one. Stages that were never committed are removed by the next install.
Installs hold an flock on the directory, so two never interleave. Nothing here follows a
symlink out of the directory, and nothing is deleted but the stage directories and journal this
module names.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

JOURNAL = ".gpuadvisor-install.json"
STAGE_PREFIX = ".gpuadvisor-stage-"
# temporary files of versions before the journal (`.acme.toml.123.update.tmp`, `.acme.toml.123.tmp`)
_LEGACY_TMP = re.compile(r"^\.[^/]+\.toml\.\d+(\.update)?\.tmp$")


def install_files(directory: Path, files: dict[str, bytes]) -> None:
    """Install `files` (name -> bytes; plain *.toml names) into `directory`, all or none.
    OSError when the directory cannot be written; nothing changed then."""
    directory.mkdir(parents=True, exist_ok=True)
    with _Lock(directory):
        recover(directory)
        _remove_stale(directory)
        stage = Path(_mkdtemp(directory))
        try:
            for name, data in files.items():
                _write(stage / name, data)
            journal = {"stage": stage.name, "files": sorted(files)}
            _write(stage / JOURNAL, json.dumps(journal).encode())
            _fsync_dir(stage)
            os.replace(stage / JOURNAL, directory / JOURNAL)  # the commit point
        except BaseException:
            _remove_stage(stage)
            raise
        _fsync_dir(directory)
        recover(directory)


def recover(directory: Path) -> bool:
    """Finish a committed install found in `directory` (rename its staged files over their
    targets, then drop the journal and stage). True if there was one. Safe to run from several
    processes at once: every step is a rename or removal that may already have happened."""
    journal_path = directory / JOURNAL
    try:
        journal = json.loads(journal_path.read_bytes())
        stage = directory / _plain(journal["stage"], STAGE_PREFIX)
        names = [_plain(n) for n in journal["files"]]
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):  # not ours, or damaged: never acted on
        return False
    for name in names:
        try:
            os.replace(stage / name, directory / name)
        except FileNotFoundError:  # moved already (by another process, or before a kill)
            pass
    _fsync_dir(directory)
    try:
        os.unlink(journal_path)
    except FileNotFoundError:
        pass
    _remove_stage(stage)
    return True


def _plain(name: object, prefix: str = "") -> str:
    """A journal entry that is a plain file name in the directory (never a path out of it)."""
    if (not isinstance(name, str) or not name.startswith(prefix) or "/" in name or "\\" in name or "\0" in name
            or name in ("", ".", "..")):
        raise ValueError(f"not a plain name: {name!r}")
    return name


def _remove_stage(stage: Path) -> None:
    """Remove a stage directory: only regular files directly in it, then the directory; never
    follows a symlink (a stage that is not a real directory is left alone)."""
    import stat

    try:
        if not stat.S_ISDIR(os.lstat(stage).st_mode):
            return
        with os.scandir(stage) as it:
            for entry in it:
                if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                    os.unlink(entry.path)
        os.rmdir(stage)
    except OSError:
        pass


def _remove_stale(directory: Path) -> None:
    """Stages no journal names (an install killed before its commit) and the temporary files of
    older versions; called under the lock, after recover."""
    try:
        with os.scandir(directory) as it:
            entries = list(it)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(STAGE_PREFIX):
            _remove_stage(Path(entry.path))
        elif _LEGACY_TMP.match(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _mkdtemp(directory: Path) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=directory)


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Lock:
    """An exclusive flock on the directory itself (no lock file left behind)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.fd = -1

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock (installs still commit atomically)
            return self
        self.fd = os.open(self.directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fd >= 0:
            os.close(self.fd)
        return False
