"""`detect` with a fake nvidia-smi on PATH."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gpuadvisor.detect import equivalents, identify, parse_smi

SMI_OUTPUT = """NVIDIA GeForce RTX 4090, 24564 MiB
NVIDIA GeForce RTX 4090, 24564 MiB
NVIDIA A100-PCIE-40GB, 40960 MiB
NVIDIA GeForce GTX 1080, 8192 MiB
"""


def fake_smi(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / "nvidia-smi"
    exe.write_text("#!/bin/sh\n" + body)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return directory


def run_detect(tmp_path: Path, smi_dir: Path | None, *args: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join([str(smi_dir)] if smi_dir else []) or str(tmp_path / "empty")
    env = {k: v for k, v in os.environ.items() if k != "GPUADVISOR_CATALOG_PATH"}
    env.update(PATH=path, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-m", "gpuadvisor", "detect", *args], env=env, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)


def test_parse_smi():
    assert parse_smi(SMI_OUTPUT)[0] == ("NVIDIA GeForce RTX 4090", 24564)
    assert parse_smi("weird line without memory\n\n") == [("weird line without memory", None)]


@pytest.mark.parametrize("name,mib,gid", [
    ("NVIDIA GeForce RTX 4090", 24564, "rtx-4090"), ("NVIDIA A100-SXM4-80GB", 81920, "a100-80gb-sxm"),
    ("NVIDIA A100-PCIE-40GB", 40960, "a100-40gb"), ("NVIDIA H100 80GB HBM3", 81559, "h100-sxm"),
    ("NVIDIA H100 PCIe", 81559, "h100-pcie"), ("Tesla T4", 15360, "t4"), ("NVIDIA A10G", 23028, "a10g"),
    ("NVIDIA RTX 6000 Ada Generation", 49140, "rtx-6000-ada"), ("NVIDIA L40S", 46068, "l40s"),
    ("NVIDIA B200", 183359, "b200"), ("NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition", 97887, "rtx-pro-6000-max-q"),
    ("NVIDIA H100 NVL", 95830, "h100-nvl"), ("NVIDIA GeForce GTX 1080", 8192, None),
    ("NVIDIA H200 NVL", 143771, None),  # D14: was taken for the SXM h200 "by name and memory"
])
def test_identify(cat, name, mib, gid):
    found = identify(cat, name, mib)
    assert (found.gpu.id if found.gpu else None) == gid


def test_equivalents_group_identical_gpus(cat):
    local = [identify(cat, n, m) for n, m in parse_smi(SMI_OUTPUT)]
    eq = equivalents(cat, local)
    assert set(eq) == {"rtx-4090", "a100-40gb"}  # the GTX 1080 is in no catalog
    by_provider = dict(eq["rtx-4090"])
    assert by_provider["runpod"].offering.name == "NVIDIA_GEFORCE_RTX_4090" and by_provider["runpod"].count == 2
    assert by_provider["fal"].match == "exact"
    assert dict(eq["a100-40gb"])["modal"].offering.name == "A100-40GB"


def test_cli_detect_with_fake_nvidia_smi(tmp_path):
    body = "".join(f"echo '{line}'\n" for line in SMI_OUTPUT.splitlines())  # shell builtins only: PATH is just this dir
    smi = fake_smi(tmp_path / "bin", body)
    result = run_detect(tmp_path, smi, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [g["gpu"] for g in data["gpus"]] == ["rtx-4090", "rtx-4090", "a100-40gb", None]
    assert data["equivalents"]["rtx-4090"]["modal"]["match"] in ("upgrade", "equivalent", "downgrade")
    assert data["equivalents"]["rtx-4090"]["runpod"]["config"] == "gpu=GpuType.NVIDIA_GEFORCE_RTX_4090, gpu_count=2"
    text = run_detect(tmp_path, smi).stdout
    assert "In the cloud: rtx-4090" in text and "Not in the catalogs: NVIDIA GeForce GTX 1080" in text


@pytest.mark.parametrize("body,fragment", [
    ("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' >&2\nexit 9\n",
     "nvidia-smi failed (exit 9): NVIDIA-SMI has failed"),
    ("exit 0\n", "lists no GPUs"),
])
def test_cli_detect_failing_nvidia_smi(tmp_path, body, fragment):
    result = run_detect(tmp_path, fake_smi(tmp_path / "bin", body))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert fragment in line


def test_cli_detect_without_nvidia_smi(tmp_path):
    result = run_detect(tmp_path, None)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "nvidia-smi not found" in line


def test_a_flood_of_output_is_refused_not_read(tmp_path):
    # D6: `yes` as nvidia-smi grew memory to GBs, then exit 3
    smi = fake_smi(tmp_path / "bin", 'exec /usr/bin/yes "NVIDIA H100 80GB HBM3, 81559 MiB"\n')
    result = run_detect(tmp_path, smi)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "more than 1,048,576 bytes" in line


@pytest.mark.parametrize("body,code", [
    ('printf "NVIDIA H100 80GB HBM3, 81559 MiB\\n\\377\\n"\n', 0),
    ('printf "\\377\\376 driver trouble\\n" >&2\nexit 9\n', 1),
])
def test_output_that_is_not_utf8_is_read_with_replacement(tmp_path, body, code):
    # D7: bytes that are not UTF-8 on stdout or stderr gave exit 3
    result = run_detect(tmp_path, fake_smi(tmp_path / "bin", body), "--json")
    assert result.returncode == code and "Traceback" not in result.stderr and "internal error" not in result.stderr
    if code == 0:
        assert json.loads(result.stdout)["gpus"][0]["gpu"] == "h100-sxm"
    else:
        assert "driver trouble" in result.stderr


def test_on_timeout_the_whole_process_group_is_stopped(tmp_path, monkeypatch):
    # D14: only the direct child was killed; a wrapper script's children kept running
    from gpuadvisor.detect import run_nvidia_smi
    from gpuadvisor.errors import NoMatch

    pidfile = tmp_path / "child.pid"
    smi = fake_smi(tmp_path / "bin", f"/bin/sleep 60 &\necho $! > {pidfile}\n/bin/sleep 60\n")
    monkeypatch.setenv("PATH", str(smi))
    with pytest.raises(NoMatch, match="did not answer within 1 s"):
        run_nvidia_smi(timeout=1)
    pid = int(pidfile.read_text())
    for _ in range(100):  # the kill is sent; wait (generously) until the process is gone or a zombie
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"grandchild {pid} still running")
