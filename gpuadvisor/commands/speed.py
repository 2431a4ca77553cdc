"""speed: its options as data and the runner each front end calls."""

from __future__ import annotations

from gpuadvisor.commands.common import CONTEXT, DTYPE, ENGINES, JSON, KV_DTYPE, MODE
from gpuadvisor.commands.spec import Command, Param

SPEED = Command("speed", "How fast MODEL runs on GPU[:N]: tokens/s in total and per stream, time to first token, time "
                "per output token, request latency and what bounds it, with the formula.", (
    Param("model", str, "A model from `gpuadvisor models`, a config.json or directory, or hf:ORG/NAME.", required=True, complete="model"),
    Param("gpu", str, "GPU[:N]: any provider name, alias or canonical id, and a count (h100-sxm:2, \"A100:4\", GPU-H100).",
          required=True, complete="gpu"),
    Param("batch", int, "Sequences in flight (default: the most that fit in memory) or images per batch.", ("--batch", "--concurrency")),
    Param("tokens_in", int, "Prompt tokens per request (default 1,024).", ("--tokens-in",)),
    Param("tokens_out", int, "Generated tokens per request (default 256).", ("--tokens-out",)),
    DTYPE, KV_DTYPE, CONTEXT, MODE,
    Param("steps", int, "Images/video: denoising steps (default: the model's).", ("--steps",)),
    Param("resolution", int, "Images: side in pixels, e.g. 1024 (default: the model's).", ("--resolution",)),
    Param("engine", str, "Serving engine: vllm (default), trtllm or llamacpp.", ("--engine",), suggest=ENGINES),
    JSON,
))


def run_speed(cat, model, gpu, batch=None, tokens_in=None, tokens_out=None, dtype=None, kv_dtype=None, context=None,
              mode="inference", steps=None, resolution=None, engine=None):
    from gpuadvisor.perf.speed import SpeedQuery, speed
    from gpuadvisor.units import parse_context
    from gpuadvisor.views.speed import speed_view

    q = SpeedQuery(model, gpu, batch, tokens_in, tokens_out, dtype, kv_dtype,
                   parse_context(context) if context is not None else None, mode, steps, resolution, engine)
    return speed_view(speed(cat, q))
