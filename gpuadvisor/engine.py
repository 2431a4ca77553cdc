"""Recommendation engine: rank every provider offering for a VRAM need and a workload.

Pure functions: a Requirement and a Catalog in, ranked Candidates out (each with its total score,
a per-criterion breakdown and reasons). No printing, no CLI.

How a score is made:
1. Candidates: every GPU offering (and every multi-member pool) of the allowed providers, at the
   smallest count whose total VRAM reaches the need within the provider's (and user's) limit.
   Offerings that cannot reach it are never shown.
2. Each criterion scores the configuration from 0 to 1 on a fixed scale (so a score means the
   same whatever else is in the list): VRAM fit, bandwidth, compute, FP8, video engines,
   interconnect, single GPU, price. See the `score_*` functions.
3. The total is the weighted mean, with the workload profile's weights (catalogs/workloads.toml).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from gpuadvisor.catalog import Catalog, find_record
from gpuadvisor.errors import NoMatch, UsageError
from gpuadvisor.models import Gpu, Offering, Provider
from gpuadvisor.profiles import Workload
from gpuadvisor.syntax import Option, write_config

# Fixed log scales: value at score 0 and at score 1.
BANDWIDTH_SCALE = (250.0, 16_000.0)  # GB/s of the configuration
COMPUTE_SCALE = (50.0, 5_000.0)  # dense TFLOPS of the configuration
FP8_SCALE = (50.0, 10_000.0)
PRICE_SCALE = (50.0, 0.30)  # USD per hour of the configuration: $50/h scores 0, $0.30/h scores 1
UNKNOWN_PRICE_SCORE = 0.5  # neither rewarded nor punished


@dataclass(frozen=True, eq=False)
class Requirement:
    """What the user needs. vram_gb: total GB the job needs (weights + cache + overhead)."""

    vram_gb: float
    workload: Workload
    providers: tuple[str, ...] = ()
    max_gpus: int | None = None
    min_nvenc: int = 0
    budget_per_hour: float | None = None  # USD per hour for the whole configuration


@dataclass(frozen=True, eq=False)
class Candidate:
    """A configuration that fits. Reasons and config are written on first use: a ranking over a
    large catalog scores every candidate but shows only the top few."""

    offering: Offering
    count: int
    scores: dict[str, float]
    weights: dict[str, float]
    score: float
    need_gb: float
    workload: Workload
    provider: Provider

    @cached_property
    def reasons(self) -> tuple[str, ...]:
        return tuple(reasons_for(self.offering, self.count, self.need_gb, self.scores, self.weights, self.workload))

    @cached_property
    def config(self) -> str:
        return write_config(self.provider, [Option(self.offering, self.count)])

    @property
    def hw(self) -> Gpu:
        return self.offering.hw

    @property
    def total_vram_gb(self) -> float:
        return self.offering.vram_gb * self.count

    @property
    def total_price_per_hour(self) -> float | None:
        p = self.offering.price_per_hour
        return None if p is None else p * self.count

    def to_json(self, rank: int) -> dict:
        o = self.offering
        return {
            "rank": rank, "provider": o.provider, "name": o.name, "kind": o.kind, "gpu": self.hw.id,
            "members": o.members, "count": self.count, "vram_gb": o.vram_gb, "total_vram_gb": self.total_vram_gb,
            "score": round(self.score, 3), "reasons": list(self.reasons), "config": self.config,
            "price_per_hour": o.price_per_hour,
            "total_price_per_hour": None if self.total_price_per_hour is None else round(self.total_price_per_hour, 4),
            "price": o.price.to_json() if o.price else None,
            "breakdown": {c: {"score": round(self.scores[c], 3), "weight": self.weights[c]} for c in self.weights},
        }


@dataclass
class Ranking:
    requirement: Requirement
    candidates: list[Candidate]
    excluded: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------- criteria

def _log_scale(x: float, lo: float, hi: float) -> float:
    if x <= 0:
        return 0.0
    s = math.log(x / lo) / math.log(hi / lo)
    return min(1.0, max(0.0, s))


def parallel_efficiency(hw: Gpu, count: int) -> float:
    """Share of linear scaling kept across `count` GPUs: high inside an NVLink domain, lower over PCIe."""
    if count <= 1:
        return 1.0
    exponent = 0.92 if hw.nvlink_gb_s and hw.nvlink_group >= count else 0.8 if hw.nvlink_gb_s else 0.7
    return count ** exponent / count


def gpu_limit(off: Offering, max_gpus: int | None) -> int:
    """The most GPUs of this offering allowed: the provider's limit, capped by the user's."""
    return min(off.max_count, max_gpus) if max_gpus else off.max_count


def smallest_count(off: Offering, need_gb: float, limit: int, pow2: bool = False) -> int | None:
    """The fewest GPUs of this offering whose VRAM reaches the need, or None past the limit.

    With pow2, a multi-GPU count is rounded up to 2, 4, 8, … when the limit allows (tensor
    parallelism splits a model evenly); otherwise the memory-only minimum is kept."""
    if off.vram_gb <= 0:
        return None
    count = off.gpus_for(need_gb)
    if count > limit:
        return None
    if pow2 and count > 1:
        rounded = 1 << (count - 1).bit_length()
        if rounded <= limit:
            return rounded
    return count


def score_fit(total_gb: float, need_gb: float, headroom: float) -> float:
    """1.0 with the profile's headroom and no waste; lower when tighter (overhead may not fit)
    or when much larger than needed (paying for unused memory)."""
    spare = (total_gb - need_gb) / need_gb
    if spare < headroom:
        return 0.7 + 0.3 * (spare / headroom) if headroom > 0 else 1.0
    return 1.0 / (1.0 + 1.5 * (spare - headroom))


def score_bandwidth(hw: Gpu, count: int) -> float:
    return _log_scale(hw.bandwidth_gb_s * count * parallel_efficiency(hw, count), *BANDWIDTH_SCALE)


def score_compute(hw: Gpu, count: int) -> float:
    return _log_scale(hw.fp16_tflops * count * parallel_efficiency(hw, count), *COMPUTE_SCALE)


def score_fp8(hw: Gpu, count: int) -> float:
    if not hw.fp8_tflops:
        return 0.0
    return _log_scale(hw.fp8_tflops * count * parallel_efficiency(hw, count), *FP8_SCALE)


def score_video(hw: Gpu) -> float:
    """Encoders dominate (3 NVENC = full marks), AV1 encode adds, decoders add a little."""
    return 0.6 * min(1.0, hw.nvenc / 3) + (0.25 if hw.av1_encode else 0.0) + 0.15 * min(1.0, hw.nvdec / 3)


def score_interconnect(hw: Gpu, count: int) -> float:
    """1.0 for one GPU (nothing to talk to) or all GPUs in one NVLink domain; less for bridge pairs or PCIe."""
    if count <= 1:
        return 1.0
    if hw.nvlink_gb_s and hw.nvlink_group >= count:
        return min(1.0, 0.6 + 0.4 * hw.nvlink_gb_s / 900)
    if hw.nvlink_gb_s:
        return 0.4
    return 0.15


def score_single_gpu(count: int) -> float:
    return 1.0 / (1.0 + 0.6 * (count - 1))


def score_price(total_per_hour: float | None) -> float:
    if total_per_hour is None:
        return UNKNOWN_PRICE_SCORE
    hi, lo = PRICE_SCALE
    return _log_scale(hi / total_per_hour * lo, lo, hi) if total_per_hour > 0 else 1.0


def criterion_scores(off: Offering, count: int, need_gb: float, workload: Workload) -> dict[str, float]:
    hw = off.hw
    price = off.price_per_hour * count if off.price_per_hour is not None else None
    return {
        "fit": score_fit(off.vram_gb * count, need_gb, workload.headroom),
        "bandwidth": score_bandwidth(hw, count),
        "compute": score_compute(hw, count),
        "fp8": score_fp8(hw, count),
        "video": score_video(hw),
        "interconnect": score_interconnect(hw, count),
        "single_gpu": score_single_gpu(count),
        "price": score_price(price),
    }


def total_score(scores: dict[str, float], weights: dict[str, float]) -> float:
    total_w = sum(weights.values())
    return sum(scores[c] * w for c, w in weights.items()) / total_w if total_w else 0.0


# ---------------------------------------------------------------------------- reasons

def _gb(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def reasons_for(off: Offering, count: int, need: float, scores: dict[str, float], weights: dict[str, float],
                workload: Workload) -> list[str]:
    hw = off.hw
    total = off.vram_gb * count
    spare = total - need
    out = []
    size = f"{count} × {_gb(off.vram_gb)} GB = {_gb(total)} GB" if count > 1 else f"{_gb(total)} GB"
    if spare <= 0:
        out.append(f"{size}: fits {_gb(need)} GB exactly" + (", no headroom for runtime overhead" if workload.headroom else ""))
    elif spare < need * workload.headroom:
        out.append(f"{size} fits {_gb(need)} GB with only {_gb(spare)} GB to spare: little headroom for runtime overhead")
    elif scores["fit"] < 0.6:
        out.append(f"{size} fits {_gb(need)} GB but leaves {_gb(spare)} GB unused")
    else:
        out.append(f"fits {_gb(need)} GB with {_gb(spare)} GB to spare" + (f" ({size})" if count > 1 else ""))

    texts = {
        "bandwidth": f"{hw.bandwidth_gb_s:,.0f} GB/s per GPU"
        + (" suits memory-bound LLM decoding" if workload.weight("bandwidth") >= 2 else " memory bandwidth"),
        "compute": f"{hw.fp16_tflops:,.0f} dense FP16 TFLOPS per GPU",
        "fp8": f"FP8 tensor cores ({hw.fp8_tflops:,.0f} TFLOPS)" if hw.fp8_tflops else "no FP8 tensor cores",
        "video": (f"{hw.nvenc} NVENC" + (" with AV1 encode" if hw.av1_encode else ", no AV1 encode") + f", {hw.nvdec} NVDEC")
        if hw.nvenc else "no NVENC: video encoding falls to the CPU",
        "interconnect": (f"NVLink {hw.nvlink_gb_s:,.0f} GB/s across all {count} GPUs" if hw.nvlink_gb_s and hw.nvlink_group >= count
                         else f"NVLink only in pairs; {count} GPUs talk over PCIe" if hw.nvlink_gb_s
                         else f"no NVLink: {count} GPUs talk over PCIe"),
        "single_gpu": "one GPU: no model sharding needed",
    }
    # strengths: criteria that add most to this score; weaknesses: heavily weighted and low
    ranked = sorted((c for c in texts if weights.get(c)), key=lambda c: -weights[c] * scores[c])
    for c in ranked:
        if len(out) >= 3:
            break
        if c == "interconnect" and count == 1:
            continue
        if scores[c] >= 0.45 or (c == "single_gpu" and count == 1):
            out.append(texts[c])
    for c in sorted((c for c in texts if weights.get(c, 0) >= 1.0), key=lambda c: scores[c]):
        if scores[c] < 0.3 and texts[c] not in out and not (c == "single_gpu"):
            out.append(texts[c])
            break
    if count > 1 and weights.get("single_gpu"):
        minimum = off.gpus_for(need)
        if workload.pow2_counts and minimum < count:
            out.append(f"{count} GPUs: the model is sharded evenly over 2, 4 or 8 GPUs ({minimum} would hold the memory)")
        else:
            out.append(f"needs {count} GPUs: the model must be sharded")
    if workload.min_nvenc and hw.nvenc < workload.min_nvenc and "NVENC" not in " ".join(out):
        out.append("no hardware encoder for this video workload")
    if workload.needs_av1 and hw.nvenc and not hw.av1_encode:
        out.append("no AV1 hardware encode")
    if off.kind == "pool":
        out.append(f"pool: may give any of {', '.join(g.id for g in off.gpus)}; scored as its weakest, {hw.id}")
    if off.may_upgrade_to:
        out.append(f"{off.provider} may upgrade it to {' or '.join(g.upper() for g in off.may_upgrade_to)} at no extra cost")
    if off.price:
        p = off.price
        total_p = p.per_hour * count
        each = f" (${p.per_hour:,.2f} per GPU)" if count > 1 else ""
        out.append(f"${total_p:,.2f}/h{each}, {p.basis}, as of {p.as_of}")
    else:
        out.append("no dated price in the catalog")
    return out


# ---------------------------------------------------------------------------- ranking

def resolve_workload(cat: Catalog, name: str | None) -> Workload:
    """A workload by id or alias; None (not given) is `general`."""
    return find_record(cat.workloads, "general" if name is None else name, "workload",
                       hint="choose from " + ", ".join(cat.workloads))


def check_requirement(cat: Catalog, req: Requirement) -> Requirement:
    if not (req.vram_gb == req.vram_gb) or req.vram_gb <= 0 or math.isinf(req.vram_gb):
        raise UsageError(f"--vram must be a positive number of GB, not {req.vram_gb:g}")
    if req.max_gpus is not None and req.max_gpus < 1:
        raise UsageError(f"--max-gpus must be 1 or more, not {req.max_gpus}")
    if req.min_nvenc < 0:
        raise UsageError(f"--min-nvenc must be 0 or more, not {req.min_nvenc}")
    if req.budget_per_hour is not None and not req.budget_per_hour > 0:
        raise UsageError(f"--budget must be a positive number of USD per hour, not {req.budget_per_hour:g}")
    providers = tuple(dict.fromkeys(cat.provider(p).id for p in req.providers))
    return Requirement(req.vram_gb, req.workload, providers, req.max_gpus, req.min_nvenc, req.budget_per_hour)


def recommendable(off: Offering) -> bool:
    """GPU types, and pools with several members (they add availability); never CPU, legacy or opted-out."""
    if off.kind == "cpu" or off.legacy or not off.recommend or off.hw is None:
        return False
    return off.kind == "gpu" or len(off.gpus) > 1


def rank(cat: Catalog, req: Requirement) -> Ranking:
    """Every fitting candidate, best first. Raises NoMatch (exit 1) when nothing fits."""
    req = check_requirement(cat, req)
    weights = dict(req.workload.weights)
    excluded = {"too_small": 0, "min_nvenc": 0, "over_budget": 0, "no_price_for_budget": 0}
    out: list[Candidate] = []
    pool = [o for o in cat.offerings if recommendable(o) and (not req.providers or o.provider in req.providers)]
    for off in pool:
        count = smallest_count(off, req.vram_gb, gpu_limit(off, req.max_gpus), req.workload.pow2_counts)
        if count is None:
            excluded["too_small"] += 1
            continue
        if off.hw.nvenc < req.min_nvenc:
            excluded["min_nvenc"] += 1
            continue
        if req.budget_per_hour is not None:
            if off.price_per_hour is None:
                excluded["no_price_for_budget"] += 1
                continue
            if off.price_per_hour * count > req.budget_per_hour:
                excluded["over_budget"] += 1
                continue
        scores = criterion_scores(off, count, req.vram_gb, req.workload)
        score = total_score(scores, weights)
        out.append(Candidate(off, count, scores, weights, score, req.vram_gb, req.workload, cat.providers[off.provider]))
    order = {p: i for i, p in enumerate(cat.providers)}
    out.sort(key=lambda c: (-round(c.score, 9), c.count, c.total_price_per_hour is None,
                            c.total_price_per_hour or 0, order[c.offering.provider], c.offering.name))
    if not out:
        raise NoMatch(nothing_fits_message(cat, req, excluded, pool))
    return Ranking(req, out, excluded)


def nothing_fits_message(cat: Catalog, req: Requirement, excluded: dict[str, int], pool: list[Offering]) -> str:
    need = _gb(req.vram_gb)
    if excluded["too_small"] == len(pool) or not pool:
        best: dict[str, tuple[float, str]] = {}
        for off in pool:
            limit = gpu_limit(off, req.max_gpus)
            total = off.vram_gb * limit
            label = f"{off.name} × {limit} = {_gb(total)} GB"
            if off.provider not in best or total > best[off.provider][0]:
                best[off.provider] = (total, label)
        largest = "; ".join(f"{p}: {lbl}" for p, (_, lbl) in best.items()) or "none"
        cap = f" with at most {req.max_gpus} GPU(s)" if req.max_gpus else ""
        return f"no configuration reaches {need} GB{cap}. Largest possible — {largest}"
    parts = []
    if excluded["min_nvenc"]:
        parts.append(f"{excluded['min_nvenc']} have fewer than {req.min_nvenc} NVENC")
    if excluded["over_budget"]:
        parts.append(f"{excluded['over_budget']} cost more than ${req.budget_per_hour:,.2f}/h")
    if excluded["no_price_for_budget"]:
        parts.append(f"{excluded['no_price_for_budget']} have no dated price to check against --budget")
    return f"nothing fits {need} GB with these constraints: " + "; ".join(parts)


def smallest_per_provider(cat: Catalog, need_gb: float, providers: tuple[str, ...] = (), pow2: bool = False,
                          max_gpus: int | None = None) -> dict[str, tuple[Offering, int] | None]:
    """For each provider, the configuration with the least total VRAM that fits (ties: fewer GPUs,
    cheaper, faster). None where nothing fits."""
    ids = [cat.provider(p).id for p in providers] if providers else list(cat.providers)
    out: dict[str, tuple[Offering, int] | None] = {}
    for pid in ids:
        best = None
        for off in cat.offerings_of(pid):
            if not recommendable(off) or off.kind == "pool":
                continue
            count = smallest_count(off, need_gb, gpu_limit(off, max_gpus), pow2)
            if count is None:
                continue
            price = off.price_per_hour * count if off.price_per_hour is not None else math.inf
            key = (off.vram_gb * count, count, price, -off.bandwidth_gb_s, -off.hw.fp16_tflops, off.name)
            if best is None or key < best[0]:
                best = (key, off, count)
        out[pid] = (best[1], best[2]) if best else None
    return out
