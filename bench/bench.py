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


def script() -> list[str]:
    beside = Path(sys.executable).parent / "gpuadvisor"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("gpuadvisor")
    return [found] if found else [sys.executable, "-m", "gpuadvisor"]


def median_ms(cmd: list[str], runs: int, env: dict) -> tuple[float, int]:
    times, code = [], 0
    subprocess.run(cmd, env=env, capture_output=True)  # warm the OS file cache once
    for _ in range(runs):
        t = time.perf_counter()
        code = subprocess.run(cmd, env=env, capture_output=True).returncode
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), code


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
    ]
    print(f"{'command':45} {'median ms':>10} {'ratio':>7}  (runs={args.runs}, python {sys.version.split()[0]})")
    floor = None
    worst = 0.0
    for label, cmd in commands:
        ms, code = median_ms(cmd, args.runs, env)
        if floor is None:
            floor = ms
        ratio = ms / floor
        status = "" if code == 0 else f"  (exit {code})"
        if label.startswith("floor"):
            print(f"{label:45} {ms:10.1f} {ratio:7.2f}")
        else:
            worst = max(worst, ratio)
            print(f"{label:45} {ms:10.1f} {ratio:7.2f}{status}")
    print(f"worst ratio {worst:.2f} (target ≤ {TARGET})")

    if args.scale:
        sys.path.insert(0, str(HERE))
        from synth import write_synthetic

        print(f"\n{'synthetic offerings':20} {'list ms':>9} {'recommend ms':>13}")
        for n in (100, 1000, 10000):
            d = Path(tempfile.mkdtemp())
            write_synthetic(d, n)
            senv = {**env, "GPUADVISOR_CATALOG_PATH": str(d)}
            lst, c1 = median_ms(gpa + ["list", "--json"], max(5, args.runs // 3), senv)
            rec, c2 = median_ms(gpa + ["recommend", "--vram", "70", "--json"], max(5, args.runs // 3), senv)
            print(f"{n:20,} {lst:9.1f} {rec:13.1f}" + ("" if c1 == c2 == 0 else f"  (exit {c1}/{c2})"))
            shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
