"""Commands that advise on a job: estimate (memory), recommend (what to rent) and cost (a month of traffic).
Options and logic live in gpuadvisor.commands.advise; this room parses them and prints the View."""

from __future__ import annotations

from typing import Annotated, Optional

from gpuadvisor.cli.common import FormatOpt, JsonOpt, ProviderOpt, RegionOpt, _catalog, _Command, _emit, app, opt
from gpuadvisor.commands.advise import COST, ESTIMATE, RECOMMEND


@app.command("estimate", cls=_Command)
def estimate_cmd(
    model: Annotated[Optional[str], opt(ESTIMATE["model"])] = None,
    params: Annotated[Optional[str], opt(ESTIMATE["params"])] = None,
    dtype: Annotated[Optional[str], opt(ESTIMATE["dtype"])] = None,
    kv_dtype: Annotated[Optional[str], opt(ESTIMATE["kv_dtype"])] = None,
    context: Annotated[Optional[str], opt(ESTIMATE["context"])] = None,
    batch: Annotated[int, opt(ESTIMATE["batch"])] = 1,
    mode: Annotated[str, opt(ESTIMATE["mode"])] = "inference",
    overhead: Annotated[Optional[float], opt(ESTIMATE["overhead"])] = None,
    overhead_gb: Annotated[Optional[float], opt(ESTIMATE["overhead_gb"])] = None,
    provider: ProviderOpt = None,
    as_json: JsonOpt = False,
):
    """Work out the GPU memory a model needs, with the arithmetic, and the smallest fit per provider.

    Weights, KV cache and overhead, each with its formula, in GiB.

    **Examples**

    * `gpuadvisor estimate --model llama-3.1-70b --dtype fp8 --context 32k`
    * `gpuadvisor estimate --params 13B --context 8k`
    * `gpuadvisor estimate -m llama-3.1-8b --mode qlora`
    """
    from gpuadvisor.commands.advise import run_estimate

    view = run_estimate(_catalog(), model=model, params=params, dtype=dtype, kv_dtype=kv_dtype, context=context, batch=batch, mode=mode, overhead=overhead, overhead_gb=overhead_gb, provider=provider)
    _emit(view, as_json)
    return 0


@app.command("recommend", cls=_Command)
def recommend_cmd(
    vram: Annotated[Optional[float], opt(RECOMMEND["vram"])] = None,
    workload: Annotated[Optional[str], opt(RECOMMEND["workload"])] = None,
    provider: ProviderOpt = None,
    optimize: Annotated[str, opt(RECOMMEND["optimize"])] = "value",
    min_throughput: Annotated[Optional[float], opt(RECOMMEND["min_throughput"])] = None,
    price_basis: Annotated[str, opt(RECOMMEND["price_basis"])] = "list",
    max_gpus: Annotated[Optional[int], opt(RECOMMEND["max_gpus"])] = None,
    top: Annotated[int, opt(RECOMMEND["top"])] = 5,
    min_nvenc: Annotated[int, opt(RECOMMEND["min_nvenc"])] = 0,
    codec: Annotated[Optional[str], opt(RECOMMEND["codec"])] = None,
    budget: Annotated[Optional[float], opt(RECOMMEND["budget"])] = None,
    explain: Annotated[bool, opt(RECOMMEND["explain"])] = False,
    plot: Annotated[Optional[str], opt(RECOMMEND["plot"])] = None,
    region: RegionOpt = None,
    model: Annotated[Optional[str], opt(RECOMMEND["model"])] = None,
    params: Annotated[Optional[str], opt(RECOMMEND["params"])] = None,
    dtype: Annotated[Optional[str], opt(RECOMMEND["dtype"])] = None,
    kv_dtype: Annotated[Optional[str], opt(RECOMMEND["kv_dtype"])] = None,
    context: Annotated[Optional[str], opt(RECOMMEND["context"])] = None,
    batch: Annotated[int, opt(RECOMMEND["batch"])] = 1,
    mode: Annotated[str, opt(RECOMMEND["mode"])] = "inference",
    tokens_in: Annotated[Optional[int], opt(RECOMMEND["tokens_in"])] = None,
    tokens_out: Annotated[Optional[int], opt(RECOMMEND["tokens_out"])] = None,
    engine: Annotated[Optional[str], opt(RECOMMEND["engine"])] = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Rank what to rent for a job by work done per dollar, with reasons and a paste-ready config.

    Give the memory the job needs (--vram) or a model (--model), and the workload. Each pick's
    throughput comes from a sourced performance model; `--explain` shows the formula.

    **Examples**

    * `gpuadvisor recommend --model llama-3.1-8b --context 8k`
    * `gpuadvisor recommend -m llama-3.1-8b --tokens-in 4000 --tokens-out 300 --batch 16`
    * `gpuadvisor recommend --vram 70 -w llm --optimize speed`
    * `gpuadvisor recommend --model sdxl -p fal --explain`
    """
    from gpuadvisor.commands.advise import run_recommend

    if plot is not None:
        from gpuadvisor.charts import check_plot

        check_plot(plot, as_json, fmt)
    view = run_recommend(_catalog(), vram=vram, workload=workload, provider=provider, optimize=optimize, min_throughput=min_throughput, price_basis=price_basis, max_gpus=max_gpus, top=top, min_nvenc=min_nvenc, codec=codec, budget=budget, explain=explain, region=region, model=model, params=params, dtype=dtype, kv_dtype=kv_dtype, context=context, batch=batch, mode=mode, tokens_in=tokens_in, tokens_out=tokens_out, engine=engine,
                         chart=plot is not None)
    if plot is not None:
        from gpuadvisor.charts import draw

        return draw(view, plot)
    _emit(view, as_json, fmt)
    return 0


@app.command("cost", cls=_Command)
def cost_cmd(
    requests_per_day: Annotated[Optional[float], opt(COST["requests_per_day"])] = None,
    rps: Annotated[Optional[float], opt(COST["rps"])] = None,
    shape: Annotated[str, opt(COST["shape"])] = "flat",
    burstiness: Annotated[float, opt(COST["burstiness"])] = 1.0,
    seconds_per_request: Annotated[Optional[float], opt(COST["seconds_per_request"])] = None,
    tokens_in: Annotated[Optional[int], opt(COST["tokens_in"])] = None,
    tokens_out: Annotated[Optional[int], opt(COST["tokens_out"])] = None,
    engine: Annotated[Optional[str], opt(COST["engine"])] = None,
    idle_timeout: Annotated[Optional[float], opt(COST["idle_timeout"])] = None,
    min_workers: Annotated[Optional[int], opt(COST["min_workers"])] = None,
    max_workers: Annotated[Optional[int], opt(COST["max_workers"])] = None,
    concurrency: Annotated[Optional[int], opt(COST["concurrency"])] = None,
    cold_start: Annotated[Optional[float], opt(COST["cold_start"])] = None,
    vram: Annotated[Optional[float], opt(COST["vram"])] = None,
    gpu: Annotated[Optional[list[str]], opt(COST["gpu"])] = None,
    provider: ProviderOpt = None,
    price_basis: Annotated[str, opt(COST["price_basis"])] = "list",
    top: Annotated[int, opt(COST["top"])] = 5,
    explain: Annotated[bool, opt(COST["explain"])] = False,
    plot: Annotated[Optional[str], opt(COST["plot"])] = None,
    model: Annotated[Optional[str], opt(COST["model"])] = None,
    params: Annotated[Optional[str], opt(COST["params"])] = None,
    dtype: Annotated[Optional[str], opt(COST["dtype"])] = None,
    kv_dtype: Annotated[Optional[str], opt(COST["kv_dtype"])] = None,
    context: Annotated[Optional[str], opt(COST["context"])] = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """What a traffic profile costs per month on each serverless option, by each provider's billing rules.

    Busy, idle, cold-start and always-on time, billed as each provider bills them, against one
    dedicated always-on worker, with the traffic where they break even.

    **Examples**

    * `gpuadvisor cost -r 10000 -s 2 --gpu t4 --gpu h100`
    * `gpuadvisor cost --rps 0.5 -s 4 -p modal --idle-timeout 300`
    * `gpuadvisor cost -r 50000 -m llama-3.1-8b --tokens-in 500 --tokens-out 200 --shape business-hours`
    * `gpuadvisor cost -r 20000 -m sdxl` (each GPU timed per image by the performance model)
    """
    from gpuadvisor.commands.advise import run_cost

    if plot is not None:
        from gpuadvisor.charts import check_plot

        check_plot(plot, as_json, fmt)
    view = run_cost(_catalog(), requests_per_day=requests_per_day, rps=rps, shape=shape, burstiness=burstiness, seconds_per_request=seconds_per_request, tokens_in=tokens_in, tokens_out=tokens_out, engine=engine, idle_timeout=idle_timeout, min_workers=min_workers, max_workers=max_workers, concurrency=concurrency, cold_start=cold_start, vram=vram, gpu=gpu, provider=provider, price_basis=price_basis, top=top, model=model, params=params, dtype=dtype, kv_dtype=kv_dtype, context=context,
                    explain=explain, chart=plot is not None)
    if plot is not None:
        from gpuadvisor.charts import draw

        return draw(view, plot)
    _emit(view, as_json, fmt)
    return 0
