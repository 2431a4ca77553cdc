"""`speed`: how fast a model runs on one GPU configuration (the performance model, asked directly)."""

from __future__ import annotations

from typing import Annotated, Optional

from gpuadvisor.cli.common import JsonOpt, _catalog, _Command, _emit, app, opt
from gpuadvisor.commands.speed import SPEED


@app.command("speed", cls=_Command)
def speed_cmd(
    model: Annotated[str, opt(SPEED["model"])],
    gpu: Annotated[str, opt(SPEED["gpu"])],
    batch: Annotated[Optional[int], opt(SPEED["batch"])] = None,
    tokens_in: Annotated[Optional[int], opt(SPEED["tokens_in"])] = None,
    tokens_out: Annotated[Optional[int], opt(SPEED["tokens_out"])] = None,
    dtype: Annotated[Optional[str], opt(SPEED["dtype"])] = None,
    kv_dtype: Annotated[Optional[str], opt(SPEED["kv_dtype"])] = None,
    context: Annotated[Optional[str], opt(SPEED["context"])] = None,
    mode: Annotated[str, opt(SPEED["mode"])] = "inference",
    steps: Annotated[Optional[int], opt(SPEED["steps"])] = None,
    resolution: Annotated[Optional[int], opt(SPEED["resolution"])] = None,
    engine: Annotated[Optional[str], opt(SPEED["engine"])] = None,
    as_json: JsonOpt = False,
):
    """How fast MODEL runs on GPU[:N]: tokens/s in total and per stream, time to first token, time
    per output token, request latency and what bounds it, with the formula.

    **Examples**

    * `gpuadvisor speed llama-3.1-8b h100-sxm`
    * `gpuadvisor speed llama-3.3-70b h100-sxm:2 --dtype fp8 --tokens-in 2048 --tokens-out 128`
    * `gpuadvisor speed sdxl l40s --steps 20`
    * `gpuadvisor speed llama-3.1-8b "A100:8" --mode full --batch 4 --context 4k`
    """
    from gpuadvisor.commands.speed import run_speed

    _emit(run_speed(_catalog(), model, gpu, batch, tokens_in, tokens_out, dtype, kv_dtype, context, mode, steps, resolution, engine),
          as_json)
    return 0
