"""What every performance model shares: the Throughput record, how GPUs are joined, number formats."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gpuadvisor.models import Gpu
from gpuadvisor.perf.constants import Perf


@dataclass(frozen=True)
class Throughput:
    """Work per hour of one configuration, in the workload's unit, with how it was worked out."""

    value: float  # in `unit`
    unit: str  # "tokens/s", "images/h", "1080p streams", …
    per_hour: float  # units of work per hour (tokens, images, video-hours, …)
    cost_unit: str  # "$/M tokens", "$/1k images", …
    cost_scale: float  # units of work in one cost unit (1e6 tokens, 1,000 images, …)
    formula: str
    inputs: tuple[tuple[str, str], ...] = ()
    extra: tuple[tuple[str, float, str], ...] = ()  # (name, value, unit): prefill, TTFT, 4K streams
    per_stream: float | None = None  # llm: output tokens/s of one sequence
    bound: str = ""  # what limits it: memory, compute, interconnect, prefill (compute), engines

    def cost_per_unit(self, price_per_hour: float | None, per_hour: float | None = None) -> float | None:
        work = self.per_hour if per_hour is None else per_hour
        if price_per_hour is None or work <= 0:
            return None
        return price_per_hour / work * self.cost_scale

    def to_json(self) -> dict:
        return {"value": round(self.value, 4), "unit": self.unit}

    def get(self, name: str) -> float | None:
        """An extra figure by name (time to first token, seconds per generation, …), or None."""
        return next((v for n, v, _ in self.extra if n == name), None)

    def explain(self) -> dict:
        return {"formula": self.formula, "inputs": dict(self.inputs),
                "extra": {n: {"value": round(v, 4), "unit": u} for n, v, u in self.extra}}


def link(hw: Gpu, count: int) -> str:
    """How `count` GPUs of this kind talk: nvlink (one domain), bridge (pairs), pcie, or single."""
    if count <= 1:
        return "single"
    if hw.nvlink_gb_s and hw.nvlink_group >= count:
        return "nvlink"
    return "bridge" if hw.nvlink_gb_s else "pcie"


def speedup(perf: Perf, hw: Gpu, count: int) -> float:
    """Effective GPUs out of `count`: count ** exponent, the exponent set by the interconnect."""
    kind = link(hw, count)
    return 1.0 if kind == "single" else count ** dict(perf.scaling).get(kind, 0.75)


def _n(x: float, digits: int = 3) -> str:
    """A number to `digits` significant figures, thousands separated."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return f"{x:,.{decimals}f}"


def _gpus(hw: Gpu, count: int, eff: float) -> str:
    return f" × {eff:.2f} effective GPUs of {count} ({link(hw, count)})" if count > 1 else ""


def _assumed(job) -> tuple[tuple[str, str], ...]:
    return tuple(("assumed", a) for a in job.assumed)
