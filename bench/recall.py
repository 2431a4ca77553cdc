"""Recall and precision of `gpuadvisor translate --file` on a corpus of real app files.

    python bench/recall.py CORPUS_DIR bench/recall-manifest.tsv [--cmd "gpuadvisor"] [--source] [--json OUT]

CORPUS_DIR holds the files as <owner>+<repo>@<commit8>/<path> (collect them from the repositories and
commits the manifest names; no corpus file is kept in this repository). The manifest has one row per
GPU-setting site, found by an ast lister independent of gpuadvisor and read by hand:
  scope       in (documented decorators/classes) | out (image builds, sandboxes, legacy RunPod calls)
              | no-gpu (gpu=None/False) | cpu (fal CPU machine types) | not-config | no-site
  expected    the reading: NAME:COUNT, a [list], "A / -" for a conditional (- = no GPU), "NAME xN" for a
              separate count (RunPod gpu_count, fal num_gpus); "-" when not statically known
  resolvable  literal | static (constants, f-strings, objects, kwargs dicts, conditionals) | env (an
              os.environ default) | runtime
Each file is scanned once, as a user would: `translate --file FILE TARGET --json` (TARGET fal for Modal
and RunPod files, modal for fal files); with --source the source provider is named too.

Reported per provider: recall = sites in scope whose value is statically resolvable and that the tool
translated with my reading; "read" = same, counting sites read right but not translated (e.g. a GPU
name the catalogs lack). Precision: false positives = findings on a line with no config; misreads =
translations whose reading differs from mine.
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import subprocess
import sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MODAL_ALIASES = {"a100": "a100-40gb", "a10g": "a10"}
TARGET = {"modal": "fal", "runpod": "fal", "fal": "modal"}


def norm_name(name: str, provider: str) -> str:
    n = name.strip().strip("'\"").lower()
    for prefix in ("gpugroup.", "gputype."):
        if n.startswith(prefix):
            n = n[len(prefix):]
    if provider == "modal":
        base, suffix = (n[:-1], n[-1]) if n and n[-1] in "!+" else (n, "")
        n = MODAL_ALIASES.get(base, base) + suffix
    return n


def parse_expected(text: str, provider: str) -> list[list[tuple[str, int]]] | None:
    """'A100:4' -> [[('a100-40gb', 4)]]; '[H100:1, A10:2]' -> [[...two...]]; 'L40S:1 / -' -> [[...], []]."""
    if text in ("-", ""):
        return None
    readings = []
    for branch in text.split(" / "):
        branch = branch.strip()
        if branch == "-":
            readings.append([])
            continue
        count = None
        if " x" in branch:
            branch, _, c = branch.rpartition(" x")
            count = int(c)
        items = branch.strip("[]").split(",") if branch.startswith("[") else [branch]
        out = []
        for item in (i.strip() for i in items if i.strip()):
            name, n = item, count or 1
            if ":" in item:
                name, _, c = item.rpartition(":")
                n = int(c)
            out.append((norm_name(name, provider), n))
        readings.append(out)
    return readings


def tool_readings(finding: dict, provider: str) -> list[list[tuple[str, int]]] | None:
    """The source options of each translation the tool made for a finding (None: not translated)."""
    trs = finding.get("translations") or ([finding["translation"]] if finding.get("translation") else [])
    if not any(trs):
        return None
    return [[] if t is None else [(norm_name(o["name"], provider), o["count"]) for o in t["source"]["options"]]
            for t in trs]


def spec_readings(finding: dict, provider: str) -> list[list[tuple[str, int]]] | None:
    """What the tool read, translated or not: the spec(s) and count as reported."""
    specs = finding.get("alternatives") or [finding.get("spec")]
    if all(s is None for s in specs) or finding.get("count_known") is False:
        return None
    out = []
    for s in specs:
        if s is None:
            out.append([])
            continue
        text = s if finding.get("count") is None or provider == "modal" else f"{s} x{finding['count']}"
        if text.startswith("["):
            text = "[" + ", ".join(i.strip().strip("'\"") for i in text.strip("[]").split(",")) + "]"
        out.extend(parse_expected(text, provider) or [[]])
    return out


def run(cmd: list[str], path: Path, target: str, source: str | None) -> tuple[int, dict | None, str]:
    args = [*cmd, "translate", "--file", str(path), *([source] if source else []), target, "--json"]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    try:
        data = json.loads(p.stdout) if p.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
    return p.returncode, data, p.stderr.strip()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("manifest", type=Path)
    ap.add_argument("--cmd", default=f"{sys.executable} -m gpuadvisor", help="how to run gpuadvisor")
    ap.add_argument("--source", action="store_true", help="name the source provider on the command line")
    ap.add_argument("--json", type=Path, help="write the per-site results here")
    ap.add_argument("--jobs", type=int, default=2)
    opts = ap.parse_args(argv)

    rows = [r for r in csv.DictReader((ln for ln in opts.manifest.open() if not ln.startswith("#")), delimiter="\t")]
    by_file: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_file[r["file"]].append(r)
    cmd = shlex.split(opts.cmd)

    def one(item):
        file, sites = item
        providers = Counter(s["provider"] for s in sites if s["scope"] in ("in", "out", "cpu", "no-gpu"))
        main_provider = providers.most_common(1)[0][0] if providers else "modal"
        source = main_provider if opts.source and providers else None
        return file, run(cmd, opts.corpus / file, TARGET[main_provider], source)

    with ThreadPoolExecutor(opts.jobs) as pool:
        outputs = dict(pool.map(one, sorted(by_file.items())))

    table: dict[str, Counter] = defaultdict(Counter)
    false_pos, misreads, exits, per_site, crashes = [], [], Counter(), [], []
    for file, (code, data, err) in outputs.items():
        exits[code] += 1
        if code not in (0, 1, 2) or "Traceback" in err or "internal error" in err:
            crashes.append(f"{file}: exit {code}: {err[-200:]}")
        sites = {int(s["line"]): s for s in by_file[file] if s["scope"] not in ("no-site",)}
        findings = {f["line"]: f for f in (data or {}).get("findings", [])}
        for line, f in findings.items():
            site = sites.get(line)
            if site is None or site["scope"] in ("not-config",):
                false_pos.append(f"{file}:{line} {f.get('code')}")
        for line, s in sites.items():
            if s["scope"] not in ("in", "out"):
                continue
            p = s["provider"]
            exp = parse_expected(s["expected"], p)
            f = findings.get(line)
            got = tool_readings(f, p) if f else None
            read = spec_readings(f, p) if f else None
            ok = exp is not None and got is not None and sorted(map(sorted, got)) == sorted(map(sorted, exp))
            read_ok = exp is not None and read is not None and sorted(map(sorted, read)) == sorted(map(sorted, exp))
            if got is not None and exp is not None and not ok:
                misreads.append(f"{file}:{line} expected {s['expected']} got {got}")
            key = f"{p}:{s['scope']}"
            t = table[key]
            t["sites"] += 1
            t["found"] += f is not None
            if s["resolvable"] in ("literal", "static", "env"):
                t["resolvable"] += 1
                t["correct"] += ok
                t["read"] += read_ok or ok
                if s["resolvable"] != "env":
                    t["resolvable_no_env"] += 1
                    t["correct_no_env"] += ok
            per_site.append({"file": file, "line": line, "provider": p, "scope": s["scope"],
                             "resolvable": s["resolvable"], "expected": s["expected"], "found": f is not None,
                             "status": f.get("status") if f else None, "correct": ok, "read": read_ok or ok,
                             "message": (f or {}).get("unresolved") or (f or {}).get("error")})

    print(f"{len(outputs)} files, {sum(len(v) for v in by_file.values())} manifest rows; exit codes {dict(sorted(exits.items()))}")
    print(f"{'provider:scope':16} {'sites':>5} {'found':>5} {'resolvable':>10} {'translated ok':>13} {'recall':>7} "
          f"{'read ok':>7} {'w/o env':>9} {'ok / all sites':>14}")
    for key in sorted(table):
        t = table[key]
        rec = t["correct"] / t["resolvable"] if t["resolvable"] else float("nan")
        ne = t["correct_no_env"] / t["resolvable_no_env"] if t["resolvable_no_env"] else float("nan")
        print(f"{key:16} {t['sites']:5} {t['found']:5} {t['resolvable']:10} {t['correct']:13} {rec:7.1%} "
              f"{t['read']:7} {ne:9.1%} {t['correct'] / t['sites']:14.1%}")
    print(f"false positives: {len(false_pos)}; misreads: {len(misreads)}; crashes: {len(crashes)}")
    for x in false_pos + misreads + crashes:
        print("  " + x)
    if opts.json:
        opts.json.write_text(json.dumps({"table": table, "false_positives": false_pos, "misreads": misreads,
                                         "crashes": crashes,
                                         "exits": exits, "sites": per_site}, indent=1, default=dict))
    return 0


if __name__ == "__main__":
    sys.exit(main())
