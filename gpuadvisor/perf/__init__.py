"""The performance model: how much work a configuration (offering × count) does, in the workload's
own unit, with the formula, its inputs and what bounds it. `recommend`, `cost` and `speed` all call it.

Pure functions; no CLI. The constants are sourced data in catalogs/perf.toml (`Perf`), checked
against published measurements by `make validate` (bench/validate.py, bench/validation/cases.toml).

Rooms: constants (the records perf.toml loads into), data (loading and checking [perf]), job (the
work to time, from a model's estimate or a memory need), llm (serving: prefill + decode, KV cache,
MoE experts, FP8/FP4 compute, tensor parallel or a layer split), compute (training, diffusion,
transcoding, encoders, general), common (the Throughput record, interconnects, formats).

Every estimate has one shape: time per unit of work = work ÷ (peak × efficiency) + a fixed part
that a faster GPU does not shrink (kernel launches, synchronisation). The fixed part is why a small
job cannot use a huge GPU fully: its speed saturates, and a cheaper card does the same job for less.
"""

from __future__ import annotations

import math

from gpuadvisor.models import Gpu
from gpuadvisor.perf.common import Throughput, _n, link, speedup
from gpuadvisor.perf.compute import audio, diffusion, encoder, general, training, transcode
from gpuadvisor.perf.constants import DiffusionFamily, Engine, NvCodec, Perf
from gpuadvisor.perf.job import Job, generic_family
from gpuadvisor.perf.llm import llm

MODELS = ("llm", "training", "diffusion", "video", "transcode", "encoder", "audio", "general")

__all__ = ["MODELS", "DiffusionFamily", "Engine", "Job", "NvCodec", "Perf", "Throughput", "diffusion", "encoder",
           "general", "generic_family", "link", "llm", "request_seconds", "speedup", "throughput", "training",
           "transcode"]


def throughput(perf: Perf, job: Job, hw: Gpu, count: int, ref: Gpu | None = None) -> Throughput:
    """The job's throughput on `count` × `hw`, in the workload's own unit."""
    if job.model == "llm":
        return llm(perf, job, hw, count)
    if job.model == "training":
        return training(perf, job, hw, count)
    if job.model in ("diffusion", "video"):
        return diffusion(perf, job, hw, count)
    if job.model == "transcode":
        return transcode(perf, job, hw, count)
    if job.model == "encoder":
        return encoder(perf, job, hw, count)
    if job.model == "audio":
        return audio(perf, job, hw, count)
    return general(perf, job, hw, count, ref)


def request_seconds(perf: Perf, job: Job, hw: Gpu, count: int) -> tuple[float, str]:
    """Seconds one request takes on `count` × `hw` while `job.batch` requests share it: an LLM request
    of job.tokens_in/out (prefill, and decode among the batch), or one image/video generation."""
    thr = throughput(perf, job, hw, count)
    if job.model == "llm":
        seconds = thr.get("request") or 0.0
        if seconds <= 0 or not math.isfinite(seconds):
            return math.inf, "no decode rate"
        ttft = thr.get("time to first token") or 0.0
        how = (f"prefill {job.tokens_in:,} tokens {_n(ttft)} s + {job.tokens_out:,} tokens at "
               f"{_n(thr.per_stream or 0)} tokens/s per sequence" + (f" among {job.batch}" if job.batch > 1 else "")
               + f" = {_n(seconds)} s")
        return seconds, how
    image_s = thr.get("seconds per image")
    if job.model in ("diffusion", "video") and image_s:
        per = thr.get("seconds per generation") or image_s
        return per, f"{_n(per)} s per generation ({thr.formula.split(' = ')[0]})"
    return math.inf, f"the {job.model} model times no request"
