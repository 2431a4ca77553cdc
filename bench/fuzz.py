"""Fuzzing at the reliability audit's scale, with figures: `make fuzz` (or python bench/fuzz.py).

1. Command lines, in-process through typer's CliRunner (>= 5,000): exit codes, tracebacks,
   internal errors (exit 3), error lines that are not one clean line, slowest run.
2. Specs per provider parser (>= 2,000 each), through gpuadvisor.translate: anything but a
   GpuAdvisorError counts as an internal error.
3. Real processes: a sample of command lines, also with argv bytes that are not UTF-8, and
   SIGINT at random moments of start-up (exit 130, no traceback).
4. Catalog files: hostile and generated ones up to the size cap (512 KB), each validated in-process and
   its key -> line scan (tomlpos) timed alone; every input must finish within BOUND seconds.
5. App files: generated Python files up to the scanner's size cap (512 KB), the shapes that cost the
   most (thousands of decorated functions, a constant table, long f-strings, deep nesting), each
   run as `translate --file` and `check` processes within BOUND seconds.

6. The 2026-12-04 audit's surfaces (bench/fuzz_hostile.py): hostile inputs (YAML, shards,
   safetensors, tarballs, 1M-row CSVs) with time and memory bounds, hostile download servers,
   200 kill -9 during `catalog update`, 200 mutated caches, closed/full outputs.

Strategies are in tests/fuzzing.py (the in-suite tests use them with a CI-sized count).
Counts: --lines N, --specs N (per provider), --processes N, --signals N (default 100), --kills N,
--mutations N. `--only SECTION[,SECTION]` runs only those sections (lines, specs, processes,
signals, catalogs, apps, inputs, downloads, kills, cache, outputs).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzzing import any_command_line, spec  # noqa: E402

BOUND = 2.0  # seconds any one input may take
SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def isolate() -> None:
    home = tempfile.mkdtemp(prefix="gpuadvisor-fuzz-")
    os.environ.update(XDG_CONFIG_HOME=f"{home}/cfg", XDG_CACHE_HOME=f"{home}/cache", HOME=home)
    for var in ("GPUADVISOR_CATALOG_PATH", "GPUADVISOR_BUILTIN_ONLY", "NO_COLOR"):
        os.environ.pop(var, None)
    os.chdir(home)


def fuzz_command_lines(n: int) -> dict:
    from typer.testing import CliRunner

    from gpuadvisor.cli import app

    runner, stats, bad, slowest = CliRunner(), Counter(), [], (0.0, None)

    @settings(max_examples=n, **SETTINGS)
    @given(args=any_command_line())
    def one(args):
        nonlocal slowest
        t = time.perf_counter()
        result = runner.invoke(app, args)
        dt = time.perf_counter() - t
        slowest = max(slowest, (dt, args[:3]), key=lambda x: x[0])
        stats["runs"] += 1
        stats[f"exit {result.exit_code}"] += 1
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        lines = result.stderr.strip().splitlines()
        if crashed or "Traceback" in result.stderr or "internal error" in result.stderr or result.exit_code not in (0, 1, 2):
            bad.append((args, result.exit_code, result.stderr[-300:] or repr(result.exception)))
        elif result.exit_code and (len(lines) != 1 or not lines[0].startswith("gpuadvisor: error: ")):
            bad.append((args, result.exit_code, "not one clean error line: " + result.stderr[-300:]))

    one()
    return {"stats": stats, "bad": bad, "slowest": slowest}


def fuzz_specs(n: int) -> dict:
    from gpuadvisor.catalog import load_catalog, lookup_keys
    from gpuadvisor.errors import GpuAdvisorError
    from gpuadvisor.translate import translate

    cat = load_catalog()
    return {source: _fuzz_provider(cat, source, n, translate, lookup_keys, GpuAdvisorError)
            for source in ("modal", "runpod", "fal")}


def _fuzz_provider(cat, source, n, translate, lookup_keys, GpuAdvisorError) -> dict:
    names = [k for o in cat.offerings_of(source) for k in lookup_keys(o, cat.providers[source])]
    stats, bad, slowest = Counter(), [], (0.0, "")

    @settings(max_examples=n, **SETTINGS)
    @given(data=st.data())
    def one(data):
        nonlocal slowest
        text = data.draw(spec(names))
        target = data.draw(st.sampled_from(["modal", "runpod", "fal"]))
        count = data.draw(st.one_of(st.none(), st.integers(-2, 12)))
        t = time.perf_counter()
        try:
            translate(cat, source, target, text, count)
            stats["translated"] += 1
        except GpuAdvisorError as e:
            stats["bad input (exit 1/2)"] += 1
            if "\n" in str(e) or len(str(e)) > 3000:
                bad.append((text[:80], "message: " + str(e)[:200]))
        except Exception as e:  # exit 3 in the CLI
            bad.append((text[:80], f"{type(e).__name__}: {e}"[:200]))
        dt = time.perf_counter() - t
        if dt > slowest[0]:
            slowest = (dt, text[:40])
        stats["specs"] += 1

    one()
    return {"stats": stats, "bad": bad, "slowest": slowest}


def _script() -> list[str]:
    beside = Path(sys.executable).parent / "gpuadvisor"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "gpuadvisor"]


def fuzz_processes(n: int, rng: random.Random) -> dict:
    """Real processes: argv as bytes (some not UTF-8), checked like the audit did."""
    from tests.fuzzing import COMMANDS, NUMBERS, OPTIONS, WORDS

    stats, bad, slowest = Counter(), [], (0.0, None)
    pool = WORDS + NUMBERS + OPTIONS + ["A" * 5000, "[" * 3000, "$(touch pwned)", "; touch pwned"]
    for _ in range(n):
        args = [a.encode() for a in rng.choice(COMMANDS)]
        for _ in range(rng.randint(0, 5)):
            word = rng.choice(pool).encode("utf-8", "surrogateescape")
            if rng.random() < 0.2:
                word += bytes([rng.randint(0x80, 0xFF)])
            args.append(word)
        if b"--install-completion" in args or any(b"\x00" in a for a in args):
            continue
        t = time.perf_counter()
        r = subprocess.run([os.fsencode(a) for a in _script()] + args, capture_output=True, timeout=60)
        dt = time.perf_counter() - t
        slowest = max(slowest, (dt, args[:3]), key=lambda x: x[0])
        stats["runs"] += 1
        stats[f"exit {r.returncode}"] += 1
        if r.returncode not in (0, 1, 2) or b"Traceback" in r.stderr or b"internal error" in r.stderr:
            bad.append((args[:4], r.returncode, r.stderr[-300:]))
    if Path("pwned").exists():
        bad.append(("shell metacharacters", "a canary file appeared", ""))
    return {"stats": stats, "bad": bad, "slowest": slowest}


def fuzz_signals(n: int, rng: random.Random) -> dict:
    """SIGINT at a random moment (1-150 ms, as the audit did) of `gpuadvisor list`: exit 130 and one
    line, no traceback in >= 99% of tries (D12), and never a traceback frame in gpuadvisor's code.
    A signal in the interpreter's own start-up or pip's launcher line is Python's, counted apart."""
    stats, bad = Counter(), []
    pkg = str(ROOT / "gpuadvisor") + os.sep
    for _ in range(n):
        proc = subprocess.Popen(_script() + ["list"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.001, 0.15))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        ours = [ln for ln in err.decode(errors="replace").splitlines()
                if ln.strip().startswith('File "') and (pkg in ln or "site-packages/gpuadvisor/" in ln)]
        if ours:
            bad.append((proc.returncode, "traceback in gpuadvisor's code", err[-300:]))
        elif b"Fatal Python error" in err or b"is an import path entry" in err:
            stats["Python's own start-up (site), before any package code"] += 1
        elif b"Traceback" in err:
            stats["traceback in pip's launcher, before gpuadvisor"] += 1
        elif proc.returncode == -signal.SIGINT and not err:
            stats["ended silently before Python's handler (start-up)"] += 1
        elif proc.returncode in (0, 130):
            stats["finished" if proc.returncode == 0 else "exit 130, one line"] += 1
        else:
            bad.append((proc.returncode, err[-300:]))
    tracebacks = stats["traceback in pip's launcher, before gpuadvisor"]
    if tracebacks > max(1, n // 100):
        bad.append(f"{tracebacks} of {n} tries printed a traceback after Python's start-up (target: at most 1%)")
    return {"stats": stats, "bad": bad}


# ------------------------------------------------------------------ catalog files

def hostile_catalogs(rng: random.Random) -> dict[str, bytes]:
    """Named inputs: the audit's hostile files, generated pathological ones up to the size cap,
    and mutations of the built-in catalogs."""
    from gpuadvisor.catalog import MAX_FILE_BYTES, builtin_dir

    cap = MAX_FILE_BYTES - 64

    def fit(data: bytes) -> bytes:  # at most the cap, cut at a line end: still valid TOML
        return data if len(data) <= cap else data[: data.rindex(b"\n", 0, cap) + 1]

    files = {
        "audit D4: [ and 10,000 spaces after \\\"\"\"": ('[workload.x]\nbogus = 1\ndescription = """\n\\"""\n['
                                                      + " " * 10000 + 'a\n"""').encode(),
        "[ and 512 KB of spaces": b"[" + b" " * (cap - 2) + b"a",
        "512 KB of one-line keys": fit(b"".join(b"k%d = %d\n" % (i, i) for i in range(300_000))),
        "512 KB of [gpu.*] with bad values": fit(b"".join(b"[gpu.g%d]\nname = 1\n" % i for i in range(170_000))),
        "512 KB of [[offering]] with bad gpu": fit(b'[provider]\nid = "x"\n' + b"".join(
            b'[[offering]]\nname = "O%d"\ngpu = "nope"\n' % i for i in range(100_000))),
        "20,000-part dotted header": ("[" + ".".join(["a"] * 20000) + "]\nb = 1\n").encode(),
        "20,000-part header, then 80,000 keys": fit(("[" + ".".join(["a"] * 20000) + "]\n").encode()
                                                    + b"".join(b"k%d = 1\n" % i for i in range(80_000))),
        "512 KB of 64-part headers with keys": fit(b"".join(b"[" + b".".join([b"a"] * 63) + b".b%d]\nk = 1\n" % i
                                                          for i in range(8_000))),
        "deep arrays": b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "deep inline tables": b"x = " + b"{a = " * 20_000 + b"1" + b"}" * 20_000 + b"\n",
        "512 KB multi-line string of escapes": (b'k = """' + b"\\\\" * 500_000)[:cap - 20] + b'"""\nbogus = 1\n',
        "170,000 brackets in an array": b"k = [" + b"[]," * 170_000 + b"]\n[oops]\n",
        "long key": b"k" * (cap - 10) + b" = 1\n",
        "binary": bytes(rng.randrange(256) for _ in range(100_000)),
        "BOM and NUL": b"\xef\xbb\xbf[provider]\x00\n",
        "512 KB of [[a.b]] arrays": fit(b"".join(b"[[a%d]]\n[[a%d.b]]\n" % (i, i) for i in range(60_000))),
    }
    sources = [(p.name, p.read_text()) for p in sorted(builtin_dir().glob("*.toml"))]
    for k in range(200):
        name, text = rng.choice(sources)
        lines = text.splitlines()
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(lines))
            op = rng.randrange(5)
            if op == 0:
                del lines[i]
            elif op == 1:
                lines.insert(i, lines[i])
            elif op == 2:
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            elif op == 3:
                pos = rng.randint(0, len(lines[i]))
                lines[i] = lines[i][:pos] + rng.choice(['"""', "'''", "[", "]", "{", "\\", "#", "=", "-1", "\x00"]) + lines[i][pos:]
            else:
                lines[i] = lines[i].replace("= ", "= -", 1)
            if not lines:
                lines = [""]
        files[f"mutated {name} #{k}"] = "\n".join(lines).encode("utf-8", "surrogateescape")
    return files


def fuzz_catalogs(rng: random.Random, processes: int) -> dict:
    from gpuadvisor.catalog import validate_paths
    from gpuadvisor.tomlpos import key_lines

    d = Path(tempfile.mkdtemp(prefix="gpuadvisor-fuzz-cat-"))
    times, bad = [], []
    for i, (label, data) in enumerate(hostile_catalogs(rng).items()):
        f = d / f"f{i}.toml"
        f.write_bytes(data)
        t = time.perf_counter()
        try:
            validate_paths([f])
        except Exception as e:
            bad.append((label, f"{type(e).__name__}: {e}"[:200]))
        validate_s = time.perf_counter() - t
        t = time.perf_counter()
        key_lines(data.decode("utf-8", "replace"))
        scan_s = time.perf_counter() - t
        times.append((validate_s, scan_s, label, len(data)))
        if validate_s > BOUND or scan_s > BOUND:
            bad.append((label, f"took {validate_s:.2f} s to validate, {scan_s:.2f} s to scan"))
    # whole commands, as processes, on the biggest inputs: the cache is cold, the file is an extra catalog
    worst = sorted(times, reverse=True)[:processes]
    cmd_times = []
    for _validate_s, _scan_s, label, _size in worst:
        i = [t[2] for t in times].index(label)
        env = {**os.environ, "GPUADVISOR_CATALOG_PATH": str(d / f"f{i}.toml"), "XDG_CACHE_HOME": tempfile.mkdtemp()}
        for args in (["list", "--json"], ["catalog", "validate", str(d / f"f{i}.toml")]):
            t = time.perf_counter()
            r = subprocess.run(_script() + args, env=env, capture_output=True, timeout=120)
            dt = time.perf_counter() - t
            cmd_times.append((dt, label, args[0] + (" " + args[1] if args[0] == "catalog" else "")))
            if r.returncode not in (0, 2) or b"Traceback" in r.stderr or b"internal error" in r.stderr:
                bad.append((label, f"{args[0]}: exit {r.returncode}: {r.stderr[-200:]!r}"))
            if dt > BOUND:
                bad.append((label, f"`{' '.join(args[:2])}` took {dt:.2f} s"))
    return {"times": times, "commands": cmd_times, "bad": bad}


def hostile_apps() -> dict[str, bytes]:
    """Python app files just under the scanner's cap, in the shapes that cost the most to read."""
    from gpuadvisor.apps.read.findings import MAX_FILE_BYTES

    def fill(head: str, unit: str, tail: str = "") -> bytes:
        n = (MAX_FILE_BYTES - len(head) - len(tail) - 16) // len(unit)
        return (head + unit * n + tail).encode()

    return {
        "decorated functions to the cap": fill("import modal\napp = modal.App()\n",
                                               '@app.function(gpu="H100")\ndef f(): pass\n'),
        "one constant table to the cap": fill("import modal\nx = [", "1,", "]\n"),
        "f-string GPUs to the cap": fill('import modal\napp = modal.App()\nG = "H100"\n',
                                         '@app.function(gpu=f"{G}:2")\ndef f(): pass\n'),
        "calls inside calls to the cap": fill("import modal\napp = modal.App()\n",
                                              "app.function(gpu=str(str(str('A10'))))\n"),
        "dict of configs to the cap": fill("import modal\nC = {", "'a': {'gpu': 'H100'},", "}\n"),
    }


def fuzz_apps() -> dict:
    d = Path(tempfile.mkdtemp(prefix="gpuadvisor-fuzz-app-"))
    times, bad = [], []
    for i, (label, data) in enumerate(hostile_apps().items()):
        f = d / f"app{i}.py"
        f.write_bytes(data)
        for args in (["translate", "--file", str(f), "fal"], ["check", str(f)]):
            t = time.perf_counter()
            r = subprocess.run(_script() + args, capture_output=True, timeout=120)
            dt = time.perf_counter() - t
            times.append((dt, label, args[0], len(data)))
            if r.returncode not in (0, 1, 2) or b"Traceback" in r.stderr or b"internal error" in r.stderr:
                bad.append((label, f"{args[0]}: exit {r.returncode}: {r.stderr[-200:]!r}"))
            if dt > BOUND:
                bad.append((label, f"`{args[0]}` took {dt:.2f} s"))
    return {"times": times, "bad": bad}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--specs", type=int, default=2000)
    ap.add_argument("--processes", type=int, default=200)
    ap.add_argument("--signals", type=int, default=100)
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--mutations", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--only", default="", help="comma-separated sections to run (default: all)")
    args = ap.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    want = (lambda name: not only or name in only)  # noqa: E731
    rng = random.Random(args.seed)
    isolate()
    failures = 0

    def report(title: str, res: dict) -> None:
        nonlocal failures
        print(f"\n== {title}")
        for k, v in sorted(res.get("stats", {}).items()):
            print(f"  {k:45} {v:7,}")
        if "slowest" in res and res["slowest"][1] is not None:
            print(f"  slowest: {res['slowest'][0] * 1000:.0f} ms ({res['slowest'][1]!r:.80})")
        print(f"  problems: {len(res['bad'])}")
        for b in res["bad"][:10]:
            print(f"    {b!r:.300}")
        failures += len(res["bad"])

    t0 = time.perf_counter()
    if want("lines"):
        report(f"{args.lines:,} command lines (in-process)", fuzz_command_lines(args.lines))
    if want("specs"):
        for source, res in fuzz_specs(args.specs).items():
            report(f"{args.specs:,} {source} specs (translate)", res)
    if want("processes"):
        report(f"{args.processes:,} command lines as processes (argv bytes, some not UTF-8)",
               fuzz_processes(args.processes, rng))
    if want("signals"):
        report(f"{args.signals} SIGINTs at random moments of `gpuadvisor list`", fuzz_signals(args.signals, rng))
    if want("catalogs"):
        cats = fuzz_catalogs(rng, processes=4)
        print(f"\n== {len(cats['times'])} catalog files (bound {BOUND:g} s each)")
        print(f"  {'input':50} {'bytes':>10} {'validate s':>11} {'scan s':>8}")
        for v, s, label, size in sorted(cats["times"], reverse=True)[:8]:
            print(f"  {label:50.50} {size:10,} {v:11.3f} {s:8.3f}")
        for dt, label, cmd in sorted(cats["commands"], reverse=True):
            print(f"  process `{cmd}` on {label!r:.50}: {dt:.2f} s (cold cache, start-up included)")
        report("catalog files", {"bad": cats["bad"]})
    if want("apps"):
        apps = fuzz_apps()
        print(f"\n== {len(apps['times'])} app-file runs (bound {BOUND:g} s each, start-up included)")
        for dt, label, cmd, size in sorted(apps["times"], reverse=True):
            print(f"  {cmd:10} {label:40} {size:9,} bytes  {dt:.2f} s")
        report("app files", {"bad": apps["bad"]})
    import fuzz_hostile

    counts = {"kills": args.kills, "cache": args.mutations}
    for name in fuzz_hostile.SECTIONS:
        if want(name):
            res = fuzz_hostile.run_section(name, rng, counts.get(name, 0))
            for label, code, wall, mb in res.get("rows", []):
                print(f"  {label:52.52} exit {code}  {wall:6.2f} s  {mb:6.0f} MB")
            report(f"audit 2026-12-04: {name}", res)
    print(f"\n{failures} problem(s) in {time.perf_counter() - t0:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
