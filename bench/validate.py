"""`make validate`: the performance model against published measurements.

Each case in bench/validation/cases.toml is a figure someone published (engine, version, model,
precision, GPUs, batch, lengths, source URL and the quoted row). This script asks the model the
same question through the code `gpuadvisor speed` runs (gpuadvisor.perf.speed) and prints
predicted ÷ published per case, the median and spread per regime, the share within ±25%, and
how often the model orders two GPUs of one source the way the source does.

Cases are split by source group: `calibration` groups were used to fit the constants in
catalogs/perf.toml; `holdout` groups were not looked at while fitting. Both are reported apart.

    python bench/validate.py [--cases FILE] [--split calibration|holdout|all] [--json] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "validation" / "cases.toml"
ENGINES = (("tensorrt", "trtllm"), ("nim", "trtllm"), ("mlperf", "trtllm"), ("llama.cpp", "llamacpp"),
           ("vllm", "vllm"), ("mlc", "mlc"))
REGIMES = ("llm-batch1", "llm-batched", "llm-moe", "image", "training")


def engine_of(case: dict) -> str:
    name = case.get("engine", "").lower()
    return next((eid for key, eid in ENGINES if key in name), "vllm")


def add_arch_models(cat, cases: list[dict]) -> None:
    """Models a case describes in [case.arch] (not in catalogs/models.toml) become catalog records."""
    from gpuadvisor.profiles import Model

    for c in cases:
        a, mid = c.get("arch"), c["model"]
        if not a or mid in cat.models or "layers" not in a:
            continue
        cat.models[mid] = Model(
            id=mid, name=mid, kind="llm", params_b=float(a["params_b"]), sources=(c["source"],),
            active_params_b=a.get("active_params_b"), layers=a["layers"], hidden_size=a.get("hidden_size"),
            attention_heads=a.get("attention_heads"), kv_heads=a.get("kv_heads", a.get("attention_heads")),
            head_dim=a.get("head_dim") or (a["hidden_size"] // a["attention_heads"]), context=a.get("context", 4096),
            vocab_size=a.get("vocab_size"), experts=a.get("experts"), experts_per_token=a.get("experts_per_token"))


def predict(cat, c: dict) -> float:
    """The model's figure for the case, in the case's metric."""
    from gpuadvisor.perf.speed import SpeedQuery, speed

    count = int(c.get("count", 1))
    replicas = count if c.get("parallel") == "replicas" else 1
    gpus = count // replicas
    metric = c["metric"]
    dtype = {"fp16": "fp16", "bf16": "bf16"}.get(c.get("dtype", "bf16"), c.get("dtype", "bf16"))
    if c["regime"] == "training":
        batch = int(c.get("batch") or 1)
        r = speed(cat, SpeedQuery(c["model"], f"{c['gpu']}:{count}", batch=batch, context=c.get("tokens_in") or 2048,
                                  mode=c.get("mode", "full")))
        per_gpu = r.thr.value / count
        if metric == "mfu":
            hw = cat.gpus[c["gpu"]]
            return per_gpu * 6 * r.job.params_b * 1e9 / (hw.fp16_tflops * 1e12)
        return per_gpu
    if c["regime"] == "image":
        # offline runs (batch 0: MLPerf) batch 8 images per GPU, NVIDIA's SDXL harness setting
        r = speed(cat, SpeedQuery(c["model"], f"{c['gpu']}:{gpus}", batch=int(c.get("batch") or 8),
                                  engine="tensorrt" if "tensorrt" in c.get("engine", "").lower() else None,
                                  dtype=None if dtype in ("fp16", "bf16") else dtype,
                                  steps=int(c.get("steps") or 0) or None,
                                  resolution=_side(c.get("resolution"))))
        per_image = r.thr.get("seconds per image") or math.inf
        steps = r.job.steps or cat.perf.family(r.job.family).steps
        if metric == "s_per_image":
            return per_image
        if metric == "images_per_s":
            return replicas * gpus * 1 / per_image
        if metric == "steps_per_s":
            return steps / (r.thr.get("seconds per generation") or math.inf)
        raise ValueError(metric)
    batch = int(c.get("batch") or 0) or None
    tin, tout = int(c.get("tokens_in") or 0), int(c.get("tokens_out") or 0)
    if not tout:
        raise NotPosed("request lengths not published (a variable-length data set): the model needs them")
    kv = c.get("kv_dtype")
    r = speed(cat, SpeedQuery(c["model"], f"{c['gpu']}:{gpus}", batch=batch, tokens_in=tin, tokens_out=tout,
                              dtype=dtype, kv_dtype=kv if kv in ("fp8", "int8", "fp16", "bf16") else None,
                              engine=engine_of(c), context=max(tin + tout, 1),
                              replicas=c.get("parallel") not in ("tp", "pp", "layers")))
    if metric == "output_tokens_per_s":
        return r.thr.value * replicas
    if metric == "output_tokens_per_s_per_gpu":
        return r.thr.value / gpus
    if metric == "tokens_per_s_per_user":
        return r.thr.per_stream or 0.0
    if metric == "ttft_ms":
        return (r.thr.get("time to first token") or 0) * 1e3
    raise ValueError(metric)


def _side(res) -> int | None:
    if not res:
        return None
    try:
        return int(str(res).lower().split("x")[0])
    except ValueError:
        return None


LOWER_IS_BETTER = {"ttft_ms", "s_per_image"}


class NotPosed(Exception):
    """A case the model cannot be asked as published (reported, never silently dropped)."""


def ratio(c: dict, predicted: float) -> float:
    """predicted ÷ published as 'how optimistic': > 1 means the model promises more speed."""
    if c["metric"] in LOWER_IS_BETTER:
        return c["value"] / predicted
    return predicted / c["value"]


def pair_agreement(rows: list[dict]) -> tuple[int, int, list[str]]:
    """Pairs of configurations within one group (same source, model, lengths), ordered by the
    published figure and by the model; ties in the source are skipped."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(r)
    agree = total = 0
    misses = []
    for g, rs in groups.items():
        for i in range(len(rs)):
            for j in range(i + 1, len(rs)):
                a, b = rs[i], rs[j]
                if a["metric"] != b["metric"] or (a["gpu"], a["count"]) == (b["gpu"], b["count"]):
                    continue
                if abs(a["value"] - b["value"]) <= 0.02 * max(a["value"], b["value"]):
                    continue
                total += 1  # the same metric on both sides, so the same direction: agreeing = same sign
                if (a["value"] - b["value"]) * (a["predicted"] - b["predicted"]) > 0:
                    agree += 1
                else:
                    misses.append(f"{g}: {a['count']}×{a['gpu']} vs {b['count']}×{b['gpu']}")
    return agree, total, misses


def summary(rows: list[dict]) -> list[dict]:
    out = []
    for regime in (*REGIMES, "all"):
        rs = [r for r in rows if regime in ("all", r["regime"])]
        if not rs:
            continue
        ratios = sorted(r["ratio"] for r in rs)
        agree, total, _ = pair_agreement(rs)
        within = sum(1 for x in ratios if 0.8 <= x <= 1.25)
        out.append({"regime": regime, "cases": len(rs), "median": statistics.median(ratios),
                    "p10": ratios[int(0.1 * (len(ratios) - 1))], "p90": ratios[int(0.9 * (len(ratios) - 1))],
                    "worst": max(ratios, key=lambda x: abs(math.log(x))),
                    "within_25": within, "within_25_share": within / len(rs), "pairs_agree": agree, "pairs": total})
    return out


def run(cases_file: Path, split: str) -> tuple[list[dict], list[dict]]:
    sys.path.insert(0, str(HERE.parent))
    from gpuadvisor.catalog import load_catalog

    data = tomllib.loads(cases_file.read_text(encoding="utf-8"))
    cases = data["case"]
    calibration = set(data.get("meta", {}).get("calibration_groups", []))
    cat = load_catalog()
    add_arch_models(cat, cases)
    rows, skipped = [], []
    for c in cases:
        c_split = "calibration" if c["group"] in calibration else "holdout"
        if split != "all" and c_split != split:
            continue
        try:
            p = predict(cat, c)
        except Exception as e:  # a case the model cannot express is reported, not hidden
            skipped.append({"id": c["id"], "why": f"{type(e).__name__}: {e}"})
            continue
        rows.append({"id": c["id"], "group": c["group"], "regime": c["regime"], "gpu": c["gpu"],
                     "count": int(c.get("count", 1)), "metric": c["metric"], "value": float(c["value"]),
                     "predicted": p, "ratio": ratio(c, p), "split": c_split, "source": c["source"]})
    return rows, skipped


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--split", choices=("calibration", "holdout", "all"), default="all")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true", help="every case, not only the summary")
    a = ap.parse_args(argv)
    rows, skipped = run(a.cases, a.split)
    if a.json:
        print(json.dumps({"cases": rows, "skipped": skipped,
                          "summary": {s: summary([r for r in rows if s in ("all", r["split"])])
                                      for s in ("calibration", "holdout", "all")}}, indent=2))
        return 0
    if a.verbose:
        print(f"{'case':<48} {'split':<11} {'metric':<28} {'published':>10} {'predicted':>10} {'ratio':>6}")
        for r in sorted(rows, key=lambda r: (r["regime"], r["group"])):
            print(f"{r['id'][:48]:<48} {r['split']:<11} {r['metric'][:28]:<28} {r['value']:>10,.4g} "
                  f"{r['predicted']:>10,.4g} {r['ratio']:>6.2f}")
        print()
    for split in ("calibration", "holdout", "all") if a.split == "all" else (a.split,):
        rs = [r for r in rows if split in ("all", r["split"])]
        if not rs:
            continue
        print(f"{split}: {len(rs)} cases (ratio = predicted ÷ published; > 1 = the model is optimistic)")
        print(f"  {'regime':<12} {'cases':>5} {'median':>7} {'p10':>6} {'p90':>6} {'worst':>6} {'±25%':>9} {'order':>9}")
        for s in summary(rs):
            order = f"{s['pairs_agree']}/{s['pairs']}" if s["pairs"] else "—"
            print(f"  {s['regime']:<12} {s['cases']:>5} {s['median']:>7.2f} {s['p10']:>6.2f} {s['p90']:>6.2f} "
                  f"{s['worst']:>6.2f} {s['within_25']:>4}/{s['cases']:<4} {order:>9}")
        print()
    _, _, misses = pair_agreement(rows)
    if misses:
        print("pairs ordered unlike the source: " + "; ".join(misses))
    if skipped:
        from collections import Counter

        why = Counter(s["why"].split(": ", 1)[-1].split(";")[0] for s in skipped)
        print(f"skipped {len(skipped)} case(s) the model cannot be asked: "
              + "; ".join(f"{n} × {w}" for w, n in why.most_common()) + " (--verbose lists them)")
        if a.verbose:
            for s in skipped:
                print(f"  {s['id']}: {s['why']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
