"""`speed`: how fast a model runs on one GPU configuration (the performance model, asked directly)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from gpuadvisor.cli.advise import ContextOpt, DtypeOpt, KvDtypeOpt, ModeOpt
from gpuadvisor.cli.common import JsonOpt, _catalog, _Command, _complete, _emit, app, complete_model


def _engines(incomplete: str):
    return _complete(("vllm", "trtllm", "llamacpp"), incomplete)


EngineOpt = Annotated[Optional[str], typer.Option("--engine", help="Serving engine: vllm (default), trtllm or llamacpp.",
                                                  autocompletion=_engines)]


@app.command("speed", cls=_Command)
def speed_cmd(
    model: Annotated[str, typer.Argument(help="A model from `gpuadvisor models`, a config.json or directory, or hf:ORG/NAME.",
                                         autocompletion=complete_model)],
    gpu: Annotated[str, typer.Argument(help="GPU[:N]: any provider name, alias or canonical id, and a count (h100-sxm:2, \"A100:4\", GPU-H100).")],
    batch: Annotated[Optional[int], typer.Option("--batch", "--concurrency", help="Sequences in flight (default: the most that fit in memory) or images per batch.")] = None,
    tokens_in: Annotated[Optional[int], typer.Option("--tokens-in", help="Prompt tokens per request (default 1,024).")] = None,
    tokens_out: Annotated[Optional[int], typer.Option("--tokens-out", help="Generated tokens per request (default 256).")] = None,
    dtype: DtypeOpt = None,
    kv_dtype: KvDtypeOpt = None,
    context: ContextOpt = None,
    mode: ModeOpt = "inference",
    steps: Annotated[Optional[int], typer.Option("--steps", help="Images/video: denoising steps (default: the model's).")] = None,
    resolution: Annotated[Optional[int], typer.Option("--resolution", help="Images: side in pixels, e.g. 1024 (default: the model's).")] = None,
    engine: EngineOpt = None,
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
    from gpuadvisor.perf.speed import SpeedQuery, speed
    from gpuadvisor.units import parse_context
    from gpuadvisor.views.speed import speed_view

    cat = _catalog()
    q = SpeedQuery(model, gpu, batch, tokens_in, tokens_out, dtype, kv_dtype,
                   parse_context(context) if context is not None else None, mode, steps, resolution, engine)
    _emit(speed_view(speed(cat, q)), as_json)
    return 0
