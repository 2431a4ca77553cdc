"""Throughput in the units people use for the work (issue 21 item 8; newcomer audit 2026-12-04 stumble 8).

The performance model (gpuadvisor.perf) counts work in the unit its formula is built on: seconds of
video per hour, or a speed relative to an L4. A user renting for video generation asks how long one
clip takes and what it costs; for a `general` job, how it compares with a card they know. This
re-expresses a Throughput in those units without changing its ranking: the cost per unit only
changes scale, the same for every option.

Audio and embedding jobs stay in tokens/s: a real-time factor for speech needs a decoder-aware
model, not the encoder forward pass perf times (left to the performance model).
"""

from __future__ import annotations

from dataclasses import replace

from gpuadvisor.perf import Throughput


def readable(thr: Throughput, count: int, batch: int) -> Throughput:
    """`thr` in user units: video as clips per hour and $ per clip (with the seconds each clip takes,
    which perf already gives); `general` as "× L4 speed" and $ per L4-hour of work."""
    extra = {name: value for name, value, _ in thr.extra}
    if thr.unit == "video-s/h" and extra.get("seconds per generation"):
        each = extra["seconds per generation"]
        clips = 3600 / each * count * batch
        clip_s = thr.value / clips if clips else 0.0
        return replace(thr, value=clips, unit="clips/h", per_hour=clips, cost_unit="$/clip", cost_scale=1,
                       formula=f"{thr.formula}; ÷ {clip_s:g} s of video per clip = {clips:,.3g} clips/h "
                               f"({each:,.0f} s each)")
    if thr.unit.startswith("× ") and thr.cost_unit.endswith("-hour"):
        ref = thr.unit[2:].upper()
        return replace(thr, unit=f"× {ref} speed", cost_unit=f"$ per {ref}-hour of work")
    return thr
