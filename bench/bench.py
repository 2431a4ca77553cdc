"""Start-up benchmark: median wall time of gpuadvisor JSON commands in fresh processes, as ratios
to the floor `python -c "import typer"` measured in the same run.

    python bench/bench.py [--runs N] [--scale]

--scale also times `list` and `recommend` over synthetic catalogs of 100, 1 000 and 10 000
offerings (bench/synth.py), loaded through GPUADVISOR_CATALOG_PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = 1.3  # each JSON command within 1.3x of the import floor
COST_TARGET = 2.0  # `cost` solves the billing model for every option: within 2x of the floor


def script() -> list[str]:
    beside = Path(sys.executable).parent / "gpuadvisor"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("gpuadvisor")
    return [found] if found else [sys.executable, "-m", "gpuadvisor"]


def median_ms(cmd: list[str], runs: int, env: dict) -> tuple[float, int]:
    [(ms, code)] = interleaved([cmd], runs, env)
    return ms, code


def interleaved(cmds: list[list[str]], runs: int, env: dict) -> list[tuple[float, int]]:
    """Median wall time of each command, run round-robin so that background load on the machine
    falls on every command alike (a noisy machine otherwise skews whichever ran during the noise)."""
    times: list[list[float]] = [[] for _ in cmds]
    codes = [0] * len(cmds)
    for cmd in cmds:  # warm the OS file cache and gpuadvisor's catalog cache once
        subprocess.run(cmd, env=env, capture_output=True)
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            t = time.perf_counter()
            codes[i] = subprocess.run(cmd, env=env, capture_output=True).returncode
            times[i].append((time.perf_counter() - t) * 1000)
    return [(statistics.median(ts), code) for ts, code in zip(times, codes, strict=True)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--scale", action="store_true", help="also time synthetic catalogs of 100/1k/10k offerings")
    args = ap.parse_args()

    home = tempfile.mkdtemp()
    env = {**os.environ, "XDG_CONFIG_HOME": home}
    env.pop("GPUADVISOR_CATALOG_PATH", None)
    gpa = script()
    commands = [
        ("floor: python -c 'import typer'", [sys.executable, "-c", "import typer"]),
        ("list --json", gpa + ["list", "--json"]),
        ("recommend --vram 70 --workload llm --json", gpa + ["recommend", "--vram", "70", "--workload", "llm", "--json"]),
        ("translate modal runpod A100:4 --json", gpa + ["translate", "modal", "runpod", "A100:4", "--json"]),
        ("cost -r 10000 -s 2 --json", gpa + ["cost", "--requests-per-day", "10000", "--seconds-per-request", "2", "--json"]),
        ("cost -r 10000 -m llama-3.1-8b --tokens-in 500 --tokens-out 200 --json",
         gpa + ["cost", "-r", "10000", "-m", "llama-3.1-8b", "--tokens-in", "500", "--tokens-out", "200", "--json"]),
    ]
    print(f"{'command':45} {'median ms':>10} {'ratio':>7}  (runs={args.runs}, python {sys.version.split()[0]})")
    floor = None
    worst = worst_cost = 0.0
    results = interleaved([cmd for _, cmd in commands], args.runs, env)
    for (label, _), (ms, code) in zip(commands, results, strict=True):
        if floor is None:
            floor = ms
        ratio = ms / floor
        status = "" if code == 0 else f"  (exit {code})"
        if label.startswith("floor"):
            print(f"{label:45} {ms:10.1f} {ratio:7.2f}")
        elif label.startswith("cost"):
            worst_cost = max(worst_cost, ratio)
            print(f"{label[:45]:45} {ms:10.1f} {ratio:7.2f}{status}")
        else:
            worst = max(worst, ratio)
            print(f"{label:45} {ms:10.1f} {ratio:7.2f}{status}")
    print(f"worst ratio {worst:.2f} (target ≤ {TARGET}); cost {worst_cost:.2f} (target ≤ {COST_TARGET})")

    if args.scale:
        sys.path.insert(0, str(HERE))
        from synth import write_synthetic

        print(f"\n{'synthetic offerings':>20} {'list ms':>9} {'recommend ms':>13} {'first run ms':>13}"
              f" {'list ms/1k':>11}")
        base = None
        for n in (100, 1000, 10000):
            d = Path(tempfile.mkdtemp())
            write_synthetic(d, n)
            senv = {**env, "GPUADVISOR_CATALOG_PATH": str(d), "XDG_CACHE_HOME": tempfile.mkdtemp()}
            t = time.perf_counter()  # cold: parses and validates every file, then caches
            subprocess.run(gpa + ["list", "--json"], env=senv, capture_output=True)
            cold = (time.perf_counter() - t) * 1000
            runs = max(5, args.runs // 3)
            (lst, c1), (rec, c2) = interleaved([gpa + ["list", "--json"], gpa + ["recommend", "--vram", "70", "--json"]],
                                               runs, senv)
            base = base if base is not None else lst
            per_k = (lst - base) / ((n - 100) / 1000) if n > 100 else float("nan")
            print(f"{n:20,} {lst:9.1f} {rec:13.1f} {cold:13.1f} {per_k:11.1f}" + ("" if c1 == c2 == 0 else f"  (exit {c1}/{c2})"))
            shutil.rmtree(d, ignore_errors=True)
        print("list ms/1k: extra wall time per 1,000 offerings above the 100-offering run (flat = linear growth)")
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
