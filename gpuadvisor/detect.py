"""`gpuadvisor detect`: the local GPUs, mapped onto canonical ids and onto each provider.

Reads `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader` and matches each name
against the catalog: exactly after normalising (case, "NVIDIA"/"GeForce"/"Tesla", punctuation),
else by model tokens and the reported memory.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from typing import Any

from gpuadvisor.catalog import Catalog
from gpuadvisor.errors import NoMatch
from gpuadvisor.models import Gpu, Offering

QUERY = ["--query-gpu=name,memory.total", "--format=csv,noheader"]
_NOISE = ("nvidia", "geforce", "tesla", "generation", "edition")
MAX_OUTPUT = 1024 * 1024  # bytes of nvidia-smi output read (a few hundred are normal); more is refused
# Words of a variant that the catalogs may not list separately: such a name is matched by name
# only, never by model number and memory (the README promises NVL parts are "listed as unknown,
# never guessed": an H200 NVL is not the SXM H200 it resembles).
_NEVER_GUESS = ("nvl",)


@dataclass(frozen=True, eq=False)
class LocalGpu:
    name: str
    memory_mib: int | None
    gpu: Gpu | None
    how: str  # "name", "name and memory", or why it is unknown


def normalise(name: str) -> str:
    text = name.lower()
    for word in _NOISE:
        text = text.replace(word, " ")
    return re.sub(r"[^a-z0-9]", "", text)


def run_nvidia_smi(timeout: float = 15.0) -> str:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        raise NoMatch("nvidia-smi not found: no NVIDIA driver on this machine, so there is nothing to detect "
                      "(use `gpuadvisor show NAME` to look a GPU up instead)")
    if os.name == "nt":  # no select() on pipes and no process groups: the plain way, unbounded
        return _run_windows(exe, timeout)
    try:
        proc = subprocess.Popen([exe, *QUERY], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        raise NoMatch(f"nvidia-smi could not run: {e.strerror or e}") from None
    try:
        stdout, stderr, why = _read_capped(proc, timeout)
    finally:
        _kill_group(proc)
    if why:
        raise NoMatch(why.format(timeout=timeout, cap=MAX_OUTPUT))
    out, err = stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        detail = (err or out).strip().splitlines()
        raise NoMatch(f"nvidia-smi failed (exit {proc.returncode})" + (f": {detail[0][:200]}" if detail else ""))
    return out


def _read_capped(proc: subprocess.Popen, timeout: float) -> tuple[bytes, bytes, str]:
    """stdout and stderr of a running nvidia-smi, each at most MAX_OUTPUT bytes, within `timeout`
    seconds; the third item says why reading stopped early ("" when the process finished)."""
    import selectors
    import time

    deadline = time.monotonic() + timeout
    buffers: dict[Any, bytearray] = {proc.stdout: bytearray(), proc.stderr: bytearray()}  # the two pipes
    with selectors.DefaultSelector() as sel:
        for stream in buffers:
            sel.register(stream, selectors.EVENT_READ)
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return b"", b"", "nvidia-smi did not answer within {timeout:g} s"
            for key, _ in sel.select(left):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                buf = buffers[key.fileobj]
                buf += chunk
                if len(buf) > MAX_OUTPUT:
                    return b"", b"", "nvidia-smi wrote more than {cap:,} bytes; that is not GPU information"
    try:
        proc.wait(max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return b"", b"", "nvidia-smi did not answer within {timeout:g} s"
    return bytes(buffers[proc.stdout]), bytes(buffers[proc.stderr]), ""


def _run_windows(exe: str, timeout: float) -> str:  # pragma: no cover - POSIX CI
    try:
        out = subprocess.run([exe, *QUERY], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise NoMatch(f"nvidia-smi did not answer within {timeout:g} s") from None
    except OSError as e:
        raise NoMatch(f"nvidia-smi could not run: {e.strerror or e}") from None
    text, err = out.stdout[:MAX_OUTPUT].decode("utf-8", "replace"), out.stderr.decode("utf-8", "replace")
    if out.returncode != 0:
        detail = (err or text).strip().splitlines()
        raise NoMatch(f"nvidia-smi failed (exit {out.returncode})" + (f": {detail[0][:200]}" if detail else ""))
    return text


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop nvidia-smi and anything it started (a wrapper script's children too), and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
    for stream in (proc.stdout, proc.stderr):
        assert stream is not None, "both are pipes"
        stream.close()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass


def parse_smi(text: str) -> list[tuple[str, int | None]]:
    """Lines like `NVIDIA GeForce RTX 4090, 24564 MiB`; a missing or odd memory field is None."""
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name, _, mem = line.rpartition(",") if "," in line else (line, "", "")
        m = re.search(r"(\d+)\s*MiB", mem)
        rows.append((name.strip() or line, int(m.group(1)) if m else None))
    return rows


def identify(cat: Catalog, name: str, memory_mib: int | None) -> LocalGpu:
    key = normalise(name)
    exact: dict[str, Gpu] = {}
    for g in cat.gpus.values():
        for n in (g.id, g.name, *g.aliases):
            exact.setdefault(normalise(n), g)
    for o in cat.offerings:
        if o.kind == "gpu":
            for n in (o.name, *o.aliases):
                exact.setdefault(normalise(n), o.gpus[0])
    if key in exact:
        return LocalGpu(name, memory_mib, exact[key], "name")
    if any(word in _NEVER_GUESS for word in re.findall(r"[a-z]+", name.lower())):
        return LocalGpu(name, memory_mib, None, "not in the catalogs (a variant matched by exact name only)")
    # model tokens ("a100", "4090", "h100", "l40s") and memory
    tokens = set(re.findall(r"[a-z]*\d+[a-z]*", name.lower()))
    best = None
    for g in cat.gpus.values():
        gtokens = set(re.findall(r"[a-z]*\d+[a-z]*", f"{g.id} {g.name}".lower()))
        shared = tokens & gtokens - {"80gb", "40gb"}
        if not shared:
            continue
        score: float = len(shared) * 2
        if memory_mib:
            ratio = memory_mib / 1024 / g.vram_gb
            if not 0.85 <= ratio <= 1.1:
                continue
            score += 2 - abs(1 - ratio) * 10
        if "pcie" in name.lower() and "pcie" in g.id:
            score += 1
        if best is None or score > best[0]:
            best = (score, g)
    if best:
        return LocalGpu(name, memory_mib, best[1], "name and memory")
    return LocalGpu(name, memory_mib, None, "not in the catalogs")


def detect(cat: Catalog, smi_output: str | None = None) -> list[LocalGpu]:
    rows = parse_smi(run_nvidia_smi() if smi_output is None else smi_output)
    if not rows:
        raise NoMatch("nvidia-smi lists no GPUs")
    return [identify(cat, name, mem) for name, mem in rows]


def equivalents(cat: Catalog, local: list[LocalGpu], providers: tuple[str, ...] = ()) -> dict[str, list]:
    """For each kind of local GPU (grouped, with its count), the best option on each provider."""
    from gpuadvisor.translate import SourceOption, match_option

    groups: dict[str, tuple[Gpu, int]] = {}
    for lg in local:
        if lg.gpu is not None:
            g, n = groups.get(lg.gpu.id, (lg.gpu, 0))
            groups[lg.gpu.id] = (g, n + 1)
    ids = [cat.provider(p).id for p in providers] if providers else list(cat.providers)
    out: dict[str, list] = {}
    for gid, (g, n) in groups.items():
        pseudo = Offering(provider="local", name=g.name, kind="gpu", gpus=(g,), max_count=max(8, n), hw=g)
        out[gid] = [(pid, match_option(cat, cat.providers[pid], SourceOption(pseudo, n))) for pid in ids]
    return out
