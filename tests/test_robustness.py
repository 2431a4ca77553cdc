"""Nothing escapes but the tool's own error: a corpus of bad input run as real processes, hostile
catalog files, and mutation fuzzing of the catalogs."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpuadvisor.catalog import build_catalog, builtin_dir, validate_paths

ROOT = Path(__file__).resolve().parent.parent

BAD_INPUT = [
    # names
    ["show", ""], ["show", "   "], ["show", "Z999"], ["show", "ＨＯＯ"], ["show", "😀"], ["show", "h100" * 500],
    ["compare", "h100", "🚀"], ["compare", "h100"], ["list", "--provider", ""], ["list", "--provider", "acme"],
    ["list", "--kind", "nope"], ["list", "--sort", "nope"], ["list", "--min-vram", "-1"], ["list", "--min-vram", "abc"],
    ["list", "--arch", "kepler"], ["list", "--format", "xml"], ["list", "--json", "--format", "csv"],
    # translate specs
    ["translate", "modal", "runpod", ""], ["translate", "modal", "runpod", "H100:0"],
    ["translate", "modal", "runpod", "H100:-1"], ["translate", "modal", "runpod", "H100:99"],
    ["translate", "modal", "runpod", "H100:1e9"], ["translate", "modal", "runpod", "H100:99999999999999999999"],
    ["translate", "modal", "runpod", "H100:２"], ["translate", "modal", "runpod", "["],
    ["translate", "modal", "runpod", "[" * 10000], ["translate", "modal", "runpod", "['H100'"],
    ["translate", "modal", "runpod", "[1, 2]"], ["translate", "modal", "runpod", "{'a': 1}"],
    ["translate", "modal", "runpod", "__import__('os').system('echo pwned')"],
    ["translate", "modal", "runpod", "modal.gpu.H100()"], ["translate", "modal", "runpod", "H100,,A10"],
    ["translate", "modal", "runpod", ","], ["translate", "modal", "runpod", ":"], ["translate", "modal", "runpod", "!"],
    ["translate", "modal", "runpod", "x" * 5000], ["translate", "modal", "runpod", "Ｈ100"],
    ["translate", "modal", "runpod", "A10:8"], ["translate", "runpod", "modal", "GpuGroup.NOPE"],
    ["translate", "runpod", "modal", "GpuType."], ["translate", "runpod", "modal", "AMPERE_80", "--count", "0"],
    ["translate", "runpod", "modal", "AMPERE_80", "--count", "-4"], ["translate", "fal", "modal", "GPU-H100:3:4"],
    ["translate", "modal", "nowhere", "H100"], ["translate", "modal"], ["translate"],
    # recommend / estimate values
    ["recommend", "--vram", "-1"], ["recommend", "--vram", "0"], ["recommend", "--vram", "nan"],
    ["recommend", "--vram", "inf"], ["recommend", "--vram", "1e999"], ["recommend", "--vram", "abc"],
    ["recommend", "--vram", "70", "-w", ""], ["recommend", "--vram", "70", "--top", "-1"],
    ["recommend", "--vram", "70", "--max-gpus", "-3"], ["recommend", "--vram", "70", "--budget", "0"],
    ["recommend", "--vram", "70", "--min-nvenc", "-1"], ["recommend"],
    ["estimate", "--params", ""], ["estimate", "--params", "1e999"], ["estimate", "--params", "-70B"],
    ["estimate", "--params", "70Q"], ["estimate", "--model", "llama-3.1-8b", "--context", "0"],
    ["estimate", "--model", "llama-3.1-8b", "--context", "1e99"], ["estimate", "--model", "ｌｌａｍａ"],
    ["estimate", "--model", "llama-3.1-8b", "--batch", "0"], ["estimate"],
    # files
    ["translate", "--file", "/nonexistent/app.py", "fal"], ["translate", "--file", "/", "fal"],
    ["catalog", "validate", "/nonexistent.toml"], ["no-such-command"], ["list", "--bogus"],
]


def _env(tmp: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("GPUADVISOR_CATALOG_PATH", "NO_COLOR")}
    env.update(XDG_CONFIG_HOME=str(tmp / "cfg"), XDG_CACHE_HOME=str(tmp / "cache"), **extra)
    return env


def _run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gpuadvisor", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def assert_clean_failure(result: subprocess.CompletedProcess, code: int, args) -> None:
    where = f"{args!r:.120}"
    assert "Traceback" not in result.stderr, f"traceback for {where}:\n{result.stderr}"
    assert result.returncode == code, f"exit {result.returncode} for {where}: {result.stderr}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"{len(lines)} stderr lines for {where}:\n{result.stderr}"
    assert lines[0].startswith("gpuadvisor: error:"), where
    assert result.stdout == "", f"stdout for {where}: {result.stdout[:200]}"


def test_bad_input_corpus_exits_2_with_one_line(tmp_path):
    env = _env(tmp_path)
    _run(["list", "--json"], env, tmp_path)  # warm the catalog cache once
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda a: _run(a, env, tmp_path), BAD_INPUT))
    for args, result in zip(BAD_INPUT, results, strict=True):
        assert_clean_failure(result, 2, args)


def test_valid_input_with_nothing_to_match_exits_1(tmp_path):
    env = _env(tmp_path)
    for args in (["recommend", "--vram", "1e308"], ["recommend", "--vram", "40", "--budget", "0.01"]):
        assert_clean_failure(_run(args, env, tmp_path), 1, args)


# ------------------------------------------------------------------ hostile catalogs

HOSTILE = {
    "deep_arrays.toml": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep_inline.toml": "x = " + "{a = " * 20_000 + "1" + "}" * 20_000 + "\n",
    "deep_tables.toml": "[" + ".".join(["a"] * 5000) + "]\nb = 1\n",
    "binary.toml": "\x00\x01\x02[provider]\x7f",
    "huge_number.toml": '[gpu.x]\nname = "x"\narch = "hopper"\ncompute_capability = "9.0"\nvram_gb = 1e400\n'
                        'memory_type = "m"\nbandwidth_gb_s = 1\nfp16_tflops = 1\nnvenc = 0\nnvdec = 0\nav1_encode = false\n'
                        'nvlink_gb_s = 0\ntdp_w = 1\nform_factor = "f"\nsources = ["s"]\n',
    "wrong_shapes.toml": '[provider]\nid = "w"\noffering = 5\n[[offering]]\nname = 3\n',
    "long_key.toml": "k" * 100_000 + " = 1\n",
    "many_tables.toml": "".join(f"[gpu.g{i}]\nname = 1\n" for i in range(20_000)),
}


@pytest.fixture
def hostile_dir(tmp_path):
    d = tmp_path / "hostile"
    d.mkdir()
    for name, text in HOSTILE.items():
        (d / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    (d / "giant.toml").write_bytes(b"# padding\n" * 500_000)  # 5 MB, over the limit
    return d


def test_hostile_catalogs_are_refused_by_validate(hostile_dir, tmp_path):
    env = _env(tmp_path)
    for f in sorted(hostile_dir.iterdir()):
        result = _run(["catalog", "validate", str(f)], env, tmp_path)
        assert "Traceback" not in result.stderr, f.name
        assert result.returncode == 2, (f.name, result.stdout[-300:], result.stderr)
        assert "✗" in result.stdout and f.name in result.stdout
    giant = validate_paths([hostile_dir / "giant.toml"])[0]
    assert "larger than 4 MB is not read" in giant.problems[0].message


def test_hostile_extra_catalogs_only_warn(hostile_dir, tmp_path):
    env = _env(tmp_path, GPUADVISOR_CATALOG_PATH=str(hostile_dir))
    result = _run(["list", "--json"], env, tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == len(HOSTILE) + 1
    assert all(w.startswith("gpuadvisor: warning: skipping catalog") for w in warnings)
    assert result.stdout.startswith("[")


# ------------------------------------------------------------------ mutation fuzzing

SOURCES = {name: (builtin_dir() / name).read_text() for name in ("modal.toml", "runpod.toml", "fal.toml", "gpus.toml")}
GPUS_ONLY = [("builtin", builtin_dir() / "gpus.toml")]


@st.composite
def mutated_catalog(draw):
    name = draw(st.sampled_from(sorted(SOURCES)))
    lines = SOURCES[name].splitlines()
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "garble", "retype"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "garble":
            pos = draw(st.integers(0, max(0, len(lines[i]))))
            lines[i] = lines[i][:pos] + draw(st.text(max_size=5)) + lines[i][pos:]
        else:
            lines[i] = lines[i].replace("= ", "= -", 1) if "= " in lines[i] else lines[i] + ' = "x"'
        if not lines:
            lines = [""]
    return name, "\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=mutated_catalog())
def test_mutated_catalogs_give_problems_not_crashes(tmp_path_factory, case):
    name, text = case
    d = tmp_path_factory.mktemp("mut")
    f = d / name
    f.write_text(text, encoding="utf-8", errors="surrogateescape")
    base = [] if name == "gpus.toml" else GPUS_ONLY
    cat = build_catalog(base + [("check", f)], strict_builtin=False)
    report = cat.files[-1]
    for p in report.problems:
        assert p.file == str(f) and p.message
        assert p.line is None or 1 <= p.line <= max(1, len(text.splitlines()))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_random_text_catalogs(tmp_path_factory, text):
    f = tmp_path_factory.mktemp("rand") / "r.toml"
    f.write_text(text, encoding="utf-8", errors="surrogateescape")
    build_catalog(GPUS_ONLY + [("check", f)], strict_builtin=False)
