"""Audit 2026-12-04 N10: a multi-file catalog install is all or nothing under kill -9, and what a
killed install leaves is removed. 200 installs of a 40-file set (v1 <-> v2) are killed at random
moments (a forked child, SIGKILL after a random delay spanning the whole install); after each,
the catalogs as every command lists them (locate.catalog_files) are all v1 or all v2."""

from __future__ import annotations

import os
import random
import signal
import time
import warnings
from pathlib import Path

import pytest

from gpuadvisor.catalog import catalog_files, transaction

N_FILES = 40
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def version(v: int) -> dict[str, bytes]:
    return {f"acme{i}.toml": f"# v{v}\n".encode() + b"#" * 2000 + b"\n" for i in range(N_FILES)}


def seen(d: Path) -> set[bytes]:
    """The versions a command would read now (listing finishes any committed install first)."""
    files = catalog_files([("user", d)])
    assert len(files) == N_FILES, sorted(p.name for _, p in files)
    return {p.read_bytes()[:5] for _, p in files}


def install_in_child(d: Path, files: dict[str, bytes]) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only writes files
        pid = os.fork()
    if pid == 0:
        try:
            transaction.install_files(d, files)
        finally:
            os._exit(0)
    return pid


def test_kill_9_at_random_moments_never_leaves_a_mix(tmp_path):
    d = tmp_path / "catalogs"
    transaction.install_files(d, version(1))
    start = time.monotonic()
    transaction.install_files(d, version(2))
    span = max(time.monotonic() - start, 0.005) * 1.5  # delays cover the whole install and a little after
    rng = random.Random(20261204)
    outcomes = {b"# v1\n": 0, b"# v2\n": 0}
    current = b"# v2\n"
    for k in range(200):
        target = 1 if current == b"# v2\n" else 2
        pid = install_in_child(d, version(target))
        time.sleep(rng.uniform(0, span))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        versions = seen(d)
        assert len(versions) == 1, f"kill {k}: a mix of {versions}"
        current = versions.pop()
        outcomes[current] += 1
        leftovers = [p.name for p in d.iterdir() if p.name.endswith(".tmp")]
        assert not leftovers
    assert outcomes[b"# v1\n"] and outcomes[b"# v2\n"]  # kills landed both before and after the commit
    transaction.install_files(d, version(1))  # the next install clears what killed ones left
    assert sorted(p.name for p in d.iterdir()) == sorted(version(1))


def test_a_committed_install_is_finished_by_the_next_command(tmp_path):
    d = tmp_path / "catalogs"
    transaction.install_files(d, version(1))
    stage = d / (transaction.STAGE_PREFIX + "x")
    stage.mkdir()
    for name, data in version(2).items():
        (stage / name).write_bytes(data)
    (d / transaction.JOURNAL).write_text(f'{{"stage": "{stage.name}", "files": {sorted(version(2))!r}}}'.replace("'", '"'))
    assert seen(d) == {b"# v2\n"}
    assert sorted(p.name for p in d.iterdir()) == sorted(version(2))


def test_a_hostile_journal_is_never_acted_on(tmp_path):
    d = tmp_path / "catalogs"
    transaction.install_files(d, version(1))
    outside = tmp_path / "precious.toml"
    outside.write_text("keep")
    (d / transaction.JOURNAL).write_text('{"stage": "..", "files": ["precious.toml"]}')
    assert seen(d) == {b"# v1\n"} and outside.read_text() == "keep"


def test_legacy_temporary_files_are_removed_by_the_next_install(tmp_path):
    d = tmp_path / "catalogs"
    d.mkdir()
    (d / ".acme0.toml.1234.update.tmp").write_text("x")
    (d / ".lam.toml.99.tmp").write_text("x")
    (d / "notes.tmp").write_text("mine")  # not a name gpuadvisor ever wrote: kept
    transaction.install_files(d, version(1))
    assert not (d / ".acme0.toml.1234.update.tmp").exists() and not (d / ".lam.toml.99.tmp").exists()
    assert (d / "notes.tmp").exists()
