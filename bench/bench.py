"""Start-up benchmark: median wall time of gpuadvisor JSON commands in fresh processes, as ratios
to the floor `python -c "import typer"` measured in the same run.

    python bench/bench.py [--runs N] [--only WORDS] [--scale]

--only list,recommend times only the commands whose label contains one of the words (the floor is
always timed), so a change can be checked without the whole run.

--scale also times `list` and `recommend` over synthetic catalogs of 100, 1 000, 10 000 and
100 000 offerings (--sizes; bench/synth.py), loaded through GPUADVISOR_CATALOG_PATH, `recommend`
also as a ratio to the built-in catalog alone (target at 100 000: <= 3x, issue 22 part 8), and
(unless --no-import) `catalog import` of a
1,000,000-row SkyPilot CSV (wall time and peak memory; targets < 30 s, < 300 MB), then `recommend`
over that import as a ratio to the built-in catalog (target <= 3x). `--import-row` runs only that row.
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
    ap.add_argument("--sizes", default="100,1000,10000,100000",
                    help="synthetic catalog sizes for --scale (comma-separated offerings)")
    ap.add_argument("--no-import", action="store_true", help="--scale without the 1M-row import row")
    ap.add_argument("--only", default="", help="comma-separated words: time only the commands whose label has one")
    ap.add_argument("--import-row", action="store_true", help="only the 1M-row import row of --scale")
    args = ap.parse_args()
    if args.import_row:
        home = tempfile.mkdtemp()
        import_row(script(), {**os.environ, "XDG_CONFIG_HOME": home}, max(5, args.runs // 3))
        shutil.rmtree(home, ignore_errors=True)
        return 0

    home = tempfile.mkdtemp()
    env = {**os.environ, "XDG_CONFIG_HOME": home}
    env.pop("GPUADVISOR_CATALOG_PATH", None)
    gpa = script()
    commands = [
        ("floor: python -c 'import typer'", [sys.executable, "-c", "import typer"]),
        ("list --json", gpa + ["list", "--json"]),
        ("recommend --vram 70 --workload llm --json", gpa + ["recommend", "--vram", "70", "--workload", "llm", "--json"]),
        ("translate modal runpod A100:4 --json", gpa + ["translate", "modal", "runpod", "A100:4", "--json"]),
        ("speed llama-3.1-8b h100-sxm --json", gpa + ["speed", "llama-3.1-8b", "h100-sxm", "--json"]),
        ("cost -r 10000 -s 2 --json", gpa + ["cost", "--requests-per-day", "10000", "--seconds-per-request", "2", "--json"]),
        ("cost -r 10000 -m llama-3.1-8b --tokens-in 500 --tokens-out 200 --json",
         gpa + ["cost", "-r", "10000", "-m", "llama-3.1-8b", "--tokens-in", "500", "--tokens-out", "200", "--json"]),
    ]
    only = [w for w in args.only.split(",") if w]
    if only:
        commands = [c for c in commands if c[0].startswith("floor") or any(w in c[0] for w in only)]
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
              f" {'list ms/1k':>11} {'rec ÷ built-in':>15}")
        base = None
        for n in sorted(int(x) for x in args.sizes.split(",") if x.strip()):
            d = Path(tempfile.mkdtemp())
            write_synthetic(d, n)
            senv = {**env, "GPUADVISOR_CATALOG_PATH": str(d), "XDG_CACHE_HOME": tempfile.mkdtemp()}
            t = time.perf_counter()  # cold: parses and validates every file, then caches
            subprocess.run(gpa + ["list", "--json"], env=senv, capture_output=True)
            cold = (time.perf_counter() - t) * 1000
            runs = max(5, args.runs // 3)
            rec_cmd = ["recommend", "--vram", "70", "--json"]
            (lst, c1), (rec, c2), (builtin, _) = interleaved(
                [gpa + ["list", "--json"], gpa + rec_cmd, gpa + ["--builtin-only"] + rec_cmd], runs, senv)
            base = lst if n == 100 else base
            per_k = (lst - base) / ((n - 100) / 1000) if n > 100 and base is not None else float("nan")
            print(f"{n:20,} {lst:9.1f} {rec:13.1f} {cold:13.1f} {per_k:11.1f} {rec / builtin:14.2f}x"
                  + ("" if c1 == c2 == 0 else f"  (exit {c1}/{c2})"))
            shutil.rmtree(d, ignore_errors=True)
        print("list ms/1k: extra wall time per 1,000 offerings above the 100-offering run (flat = linear growth)")
        print(f"rec ÷ built-in: recommend with the synthetic catalog over recommend --builtin-only in the same run"
              f" (target at 100,000: <= {IMPORT_RECOMMEND_TARGET:g}x)")
        if not args.no_import:
            import_row(gpa, env, max(5, args.runs // 3))
    shutil.rmtree(home, ignore_errors=True)
    return 0


IMPORT_ROWS = 1_000_000
IMPORT_TARGET_S, IMPORT_TARGET_MB, IMPORT_RECOMMEND_TARGET = 30.0, 300.0, 3.0


def import_row(gpa: list[str], env: dict, runs: int) -> None:
    """`catalog import skypilot` of a 1M-row vms.csv (300 instance types x 50 regions, streamed
    into 300 offerings), its wall time and peak RSS; then `recommend` with the import as a ratio
    to the built-in catalog alone (audit 2026-12-04, issue 22 part 8)."""
    d = Path(tempfile.mkdtemp())
    csv_path = d / "lambda" / "vms.csv"
    csv_path.parent.mkdir()
    with open(csv_path, "w") as f:
        f.write("InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\n")
        gpus = ["H100", "A100", "L4", "A10G", "L40S", "T4"]
        for i in range(IMPORT_ROWS):
            k = i % 300
            f.write(f"i{k},{gpus[k % 6]},{1 + k // 100},8,64,{1 + i % 97 / 10},r{i % 50},,{0.5 + i % 13 / 10}\n")
    ienv = {**env, "XDG_CONFIG_HOME": str(d / "cfg"), "XDG_CACHE_HOME": str(d / "cache")}
    t = time.perf_counter()
    proc = subprocess.Popen(gpa + ["catalog", "import", "skypilot", str(csv_path), "--id", "scale"], env=ienv,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    peak_mb = usage.ru_maxrss / 1024
    code = os.waitstatus_to_exitcode(status)
    rec = ["recommend", "--vram", "70", "--json"]
    (with_import, c1), (builtin, c2) = interleaved([gpa + rec, gpa + ["--builtin-only"] + rec], runs, ienv)
    ratio = with_import / builtin
    print(f"\ncatalog import of {IMPORT_ROWS:,} CSV rows: {wall:.1f} s, peak {peak_mb:.0f} MB"
          f" (targets < {IMPORT_TARGET_S:g} s, < {IMPORT_TARGET_MB:g} MB){'' if code == 0 else f'  (exit {code})'}")
    print(f"recommend with that import {with_import:.1f} ms, built-in only {builtin:.1f} ms: {ratio:.2f}x"
          f" (target <= {IMPORT_RECOMMEND_TARGET:g}x){'' if c1 == c2 == 0 else f'  (exit {c1}/{c2})'}")
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
