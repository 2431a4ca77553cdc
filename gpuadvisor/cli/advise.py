"""Commands that advise on a job: estimate (memory), recommend (what to rent) and cost (a month of traffic)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from gpuadvisor.cli.common import (
    FormatOpt,
    JsonOpt,
    ProviderOpt,
    RegionOpt,
    _catalog,
    _Command,
    _complete,
    _emit,
    _note_overrides,
    app,
    complete_gpu,
    complete_model,
    complete_workload,
)

ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", help="A model from `gpuadvisor models` (e.g. llama-3.1-70b), "
                                                 "a config.json or model directory, or hf:ORG/NAME (needs gpuadvisor[hub]).",
                                                 autocompletion=complete_model)]
ParamsOpt = Annotated[Optional[str], typer.Option("--params", help="Parameter count of an unlisted model: 70B, 7.5b, 1.3T.")]
DtypeOpt = Annotated[Optional[str], typer.Option("--dtype", help="Weights: fp32, bf16, fp16, fp8, int8, int4, nf4, awq, gptq, fp4.")]
KvDtypeOpt = Annotated[Optional[str], typer.Option("--kv-dtype", help="KV cache: bf16 (default), fp16, fp8, int8, fp32.")]
ContextOpt = Annotated[Optional[str], typer.Option("--context", help="Context / sequence length: 8k, 32k, 128K, 1M, 4096.")]
BatchOpt = Annotated[int, typer.Option("--batch", help="Concurrent sequences (inference) or micro-batch (training).")]
ModeOpt = Annotated[str, typer.Option("--mode", help="inference, lora, qlora or full (fine-tuning).")]
OverheadOpt = Annotated[Optional[float], typer.Option("--overhead", help="Fragmentation overhead as a fraction of weights + KV (default 0.05).")]
OverheadGbOpt = Annotated[Optional[float], typer.Option("--overhead-gb", help="Fixed runtime overhead in GiB (default 1).")]
TokensInOpt = Annotated[Optional[int], typer.Option("--tokens-in", help="Prompt tokens per request (LLM; default 1,024 in recommend, timed per GPU with --model in cost).")]
TokensOutOpt = Annotated[Optional[int], typer.Option("--tokens-out", help="Generated tokens per request (LLM; default 256 in recommend).")]
EngineOpt = Annotated[Optional[str], typer.Option("--engine", help="LLM serving engine the speeds assume: vllm (default), trtllm or llamacpp.")]


def _tokens(tokens_in: int | None, tokens_out: int | None) -> tuple[int, int]:
    """LLM request lengths: given, or the default request (gpuadvisor.perf.job.DEFAULT_TOKENS)."""
    from gpuadvisor.errors import UsageError
    from gpuadvisor.perf.job import DEFAULT_TOKENS  # not perf.speed: `speed`'s records cost start-up

    tin = DEFAULT_TOKENS[0] if tokens_in is None else tokens_in
    tout = DEFAULT_TOKENS[1] if tokens_out is None else tokens_out
    if not 0 <= tin <= 10_000_000 or not 1 <= tout <= 10_000_000:
        raise UsageError(f"--tokens-in must be 0 or more and --tokens-out 1 or more (at most 10,000,000), not {tin:,} and {tout:,}")
    return tin, tout


def _engine(cat, engine: str | None) -> str:
    if engine is None:
        return ""
    from gpuadvisor.errors import UnknownName

    key = engine.strip().lower()
    if key not in dict(cat.perf.engines):
        raise UnknownName("engine (--engine)", engine, list(dict(cat.perf.engines)))
    return key


def _estimate(cat, model, params, dtype, kv_dtype, context, batch, mode, overhead, overhead_gb):
    from gpuadvisor.estimate import Assumptions, estimate
    from gpuadvisor.units import parse_context, parse_params_b

    base = Assumptions()
    a = Assumptions(overhead_gb=base.overhead_gb if overhead_gb is None else overhead_gb,
                    overhead_fraction=base.overhead_fraction if overhead is None else overhead)
    return estimate(cat, model=model, params=parse_params_b(params) if params is not None else None, dtype=dtype,
                    kv_dtype=kv_dtype, context=parse_context(context) if context is not None else None,
                    batch=batch, mode=mode, assumptions=a)


@app.command("estimate", cls=_Command)
def estimate_cmd(
    model: ModelOpt = None,
    params: ParamsOpt = None,
    dtype: DtypeOpt = None,
    kv_dtype: KvDtypeOpt = None,
    context: ContextOpt = None,
    batch: BatchOpt = 1,
    mode: ModeOpt = "inference",
    overhead: OverheadOpt = None,
    overhead_gb: OverheadGbOpt = None,
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
    from gpuadvisor.engine import job_for, resolve_workload, smallest_per_provider
    from gpuadvisor.views.estimate import estimate_view

    cat = _catalog()
    est = _estimate(cat, model, params, dtype, kv_dtype, context, batch, mode, overhead, overhead_gb)
    w = resolve_workload(cat, _WORKLOAD_FOR.get((est.kind, est.mode), "general"))
    smallest = smallest_per_provider(cat, est.total_gb, tuple(provider or ()), pow2=est.kind == "llm",
                                     single_gpu=est.kind != "llm", dtype=est.dtype,
                                     job=job_for(cat, w, est, est.total_gb))  # sharding buffers as recommend counts them
    _emit(estimate_view(est, smallest, cat), as_json)
    return 0


_WORKLOAD_FOR = {("llm", "inference"): "llm", ("llm", "lora"): "fine-tune", ("llm", "qlora"): "fine-tune",
                 ("llm", "full"): "training", ("diffusion", "inference"): "image", ("video", "inference"): "video",
                 ("audio", "inference"): "audio", ("embedding", "inference"): "embedding"}


@app.command("recommend", cls=_Command)
def recommend_cmd(
    vram: Annotated[Optional[float], typer.Option("--vram", help="Total GPU memory the job needs, in GiB (weights + cache + overhead).")] = None,
    workload: Annotated[Optional[str], typer.Option("--workload", "-w", help="llm, training, fine-tune, image, video, transcode, audio, embedding or general (default: general, or from --model).",
                                                    autocompletion=complete_workload)] = None,
    provider: ProviderOpt = None,
    optimize: Annotated[str, typer.Option("--optimize", "-o", help="value (cost per unit of work, default), cost ($/h) or speed.",
                                          autocompletion=lambda incomplete: _complete(("value", "cost", "speed"), incomplete))] = "value",
    min_throughput: Annotated[Optional[float], typer.Option("--min-throughput", help="Slowest acceptable option, in the workload's unit (tokens/s for the whole batch, images/h, streams, …).")] = None,
    price_basis: Annotated[str, typer.Option("--price-basis", help="list (on-demand, default) or lowest (discounted and committed figures where published).",
                                             autocompletion=lambda incomplete: _complete(("list", "lowest"), incomplete))] = "list",
    max_gpus: Annotated[Optional[int], typer.Option("--max-gpus", help="At most this many GPUs per container/worker.")] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="How many picks to show.")] = 5,
    min_nvenc: Annotated[int, typer.Option("--min-nvenc", help="Only GPUs with at least this many hardware video encoders.")] = 0,
    codec: Annotated[Optional[str], typer.Option("--codec", help="transcode: h264 (default), hevc or av1 (needs AV1 encode).")] = None,
    budget: Annotated[Optional[float], typer.Option("--budget", help="Most USD per hour for the whole configuration (options without a known price are left out).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each pick's throughput formula and inputs.")] = False,
    region: RegionOpt = None,
    model: ModelOpt = None,
    params: ParamsOpt = None,
    dtype: DtypeOpt = None,
    kv_dtype: KvDtypeOpt = None,
    context: ContextOpt = None,
    batch: BatchOpt = 1,
    mode: ModeOpt = "inference",
    tokens_in: TokensInOpt = None,
    tokens_out: TokensOutOpt = None,
    engine: EngineOpt = None,
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
    from gpuadvisor.engine import Requirement, job_for, rank, resolve_workload
    from gpuadvisor.errors import NoMatch, UsageError
    from gpuadvisor.views.recommend import recommend_view

    if top < 1:
        raise UsageError(f"--top must be 1 or more, not {top}")
    cat = _catalog()
    if region is not None:
        from gpuadvisor.catalog import in_region

        cat = in_region(cat, region)
    est = None
    if model is not None or params is not None:
        if vram is not None:
            raise UsageError("give --vram or --model/--params, not both (the model's estimate is the memory need)")
        est = _estimate(cat, model, params, dtype, kv_dtype, context, batch, mode, None, None)
        vram = est.total_gb
        workload = workload or _WORKLOAD_FOR.get((est.kind, est.mode), "general")
    elif vram is None:
        raise UsageError("give --vram GIB or --model NAME (e.g. --vram 70 or --model llama-3.1-70b)")
    elif any(v is not None for v in (dtype, kv_dtype, context)):
        raise UsageError("--dtype, --kv-dtype and --context size a model: add --model NAME or --params SIZE")
    w = resolve_workload(cat, workload)
    codec_key = None
    if codec is not None:
        from gpuadvisor.errors import UnknownName
        from gpuadvisor.profiles import CODECS

        codec_key = codec.strip().lower()
        if codec_key not in CODECS:
            raise UnknownName("codec (--codec)", codec, CODECS)
    tokens = _tokens(tokens_in, tokens_out) if w.throughput == "llm" else (0, 0)
    if w.throughput != "llm" and (tokens_in is not None or tokens_out is not None or engine is not None):
        raise UsageError(f"--tokens-in, --tokens-out and --engine time LLM serving, not the {w.id} workload")
    req = Requirement(vram, w, tuple(provider or ()), max_gpus, min_nvenc, budget, optimize.strip().lower(),
                      min_throughput, price_basis.strip().lower(),
                      job_for(cat, w, est, vram, codec_key, tokens, _engine(cat, engine)), codec_key)
    try:
        ranking = rank(cat, req)
    except NoMatch as e:
        if est is None:
            raise
        from gpuadvisor.estimate import what_makes_it_big

        raise NoMatch(" — ".join([str(e), what_makes_it_big(est), *est.warnings])) from None
    _note_overrides(cat, [c.offering for c in ranking.candidates[:top]], req.workload, est.model if est else None)
    names = {k: p.id for p in cat.providers.values() for k in (p.id, p.name.lower())}
    tips = ranking.requirement.workload.tips(names, {c.offering.provider for c in ranking.candidates[:top]}, vram)
    _emit(recommend_view(ranking, top, explain, est, tips), as_json, fmt)
    return 0


@app.command("cost", cls=_Command)
def cost_cmd(
    requests_per_day: Annotated[Optional[float], typer.Option("--requests-per-day", "-r", help="Requests per day.")] = None,
    rps: Annotated[Optional[float], typer.Option("--rps", help="Requests per second while traffic flows (all day if flat, the 8 business hours otherwise).")] = None,
    shape: Annotated[str, typer.Option("--shape", help="flat (default) or business-hours (all requests between 09:00 and 17:00).",
                                       autocompletion=lambda incomplete: _complete(("flat", "business-hours"), incomplete))] = "flat",
    burstiness: Annotated[float, typer.Option("--burstiness", help="Mean number of requests that arrive together (1 = independent arrivals).")] = 1.0,
    seconds_per_request: Annotated[Optional[float], typer.Option("--seconds-per-request", "-s", help="GPU seconds one request takes.")] = None,
    tokens_in: Annotated[Optional[int], typer.Option("--tokens-in", help="Prompt tokens per request (with --model: timed per GPU by the performance model).")] = None,
    tokens_out: Annotated[Optional[int], typer.Option("--tokens-out", help="Generated tokens per request (with --model).")] = None,
    engine: EngineOpt = None,
    idle_timeout: Annotated[Optional[float], typer.Option("--idle-timeout", help="Seconds an idle worker waits before shutting down (default: each provider's).")] = None,
    min_workers: Annotated[Optional[int], typer.Option("--min-workers", help="Workers kept on all the time (default: each provider's, 0).")] = None,
    max_workers: Annotated[Optional[int], typer.Option("--max-workers", help="Most workers at once (default: each provider's).")] = None,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", help="Requests one worker serves at once (default: each provider's, 1).")] = None,
    cold_start: Annotated[Optional[float], typer.Option("--cold-start", help="Seconds from a worker's start to serving (default: the middle of each provider's published range).")] = None,
    vram: Annotated[Optional[float], typer.Option("--vram", help="Only options with this many GiB (instead of --model).")] = None,
    gpu: Annotated[Optional[list[str]], typer.Option("--gpu", "-g", help="Only this GPU, or this pool (repeatable; any name or alias).",
                                                     autocompletion=complete_gpu)] = None,
    provider: ProviderOpt = None,
    price_basis: Annotated[str, typer.Option("--price-basis", help="list (on-demand, default) or lowest (discounted figures where published).",
                                             autocompletion=lambda incomplete: _complete(("list", "lowest"), incomplete))] = "list",
    top: Annotated[int, typer.Option("--top", "-n", help="How many options to show.")] = 5,
    model: ModelOpt = None,
    params: ParamsOpt = None,
    dtype: DtypeOpt = None,
    kv_dtype: KvDtypeOpt = None,
    context: ContextOpt = None,
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
    from gpuadvisor.cost import SHAPES, CostQuery, Settings, Traffic, add_crossovers, cost
    from gpuadvisor.errors import UsageError
    from gpuadvisor.views.cost import cost_view

    if top < 1:
        raise UsageError(f"--top must be 1 or more, not {top}")
    key = shape.strip().lower()
    if (requests_per_day is None) == (rps is None):
        raise UsageError("give the traffic as --requests-per-day N or --rps N (one of them)")
    if rps is not None:
        if key not in SHAPES:
            from gpuadvisor.errors import UnknownName

            raise UnknownName("traffic shape (--shape)", shape, list(SHAPES))
        if not (rps > 0 and rps < float("inf")):
            raise UsageError(f"--rps must be a positive number, not {rps:g}")
        requests_per_day = rps * 3600 * sum(h for h, share in SHAPES[key] if share)
    tokens = tokens_in is not None or tokens_out is not None
    if tokens and (tokens_in is None or tokens_out is None or tokens_in < 0 or tokens_out < 1):
        raise UsageError("give both --tokens-in (0 or more) and --tokens-out (1 or more)")
    if seconds_per_request is not None and tokens:
        raise UsageError("give --seconds-per-request or --tokens-in/--tokens-out, not both")
    if seconds_per_request is None and not tokens and model is None and params is None:
        raise UsageError("give the work per request: --seconds-per-request S, or --tokens-in N --tokens-out N with --model")
    cat = _catalog()
    est = None
    if model is not None or params is not None:
        if vram is not None:
            raise UsageError("give --vram or --model/--params, not both (the model's estimate is the memory need)")
        ctx = context if context is not None else (str(tokens_in + tokens_out) if tokens else None)
        est = _estimate(cat, model, params, dtype, kv_dtype, ctx, concurrency or 1, "inference", None, None)
        if tokens and est.kind != "llm":
            raise UsageError(f"{est.name} is not a language model: --tokens-in/--tokens-out time LLM requests")
        if seconds_per_request is None and not tokens and est.kind == "llm":
            raise UsageError(f"give the work per request for {est.name}: --tokens-in N --tokens-out N (or --seconds-per-request S)")
    elif tokens:
        raise UsageError("--tokens-in/--tokens-out are timed with a model: add --model NAME (or --params SIZE)")
    elif any(v is not None for v in (dtype, kv_dtype, context)):
        raise UsageError("--dtype, --kv-dtype and --context size a model: add --model NAME or --params SIZE")
    if vram is not None and not (vram > 0 and vram < float("inf")):
        raise UsageError(f"--vram must be a positive number of GiB, not {vram:g}")
    if engine is not None and (est is None or est.kind != "llm" or seconds_per_request is not None):
        raise UsageError("--engine times LLM requests: use it with --model and --tokens-in/--tokens-out")
    q = CostQuery(Traffic(requests_per_day, key, burstiness), seconds_per_request, tokens_in, tokens_out, est, vram,
                  Settings(idle_timeout, min_workers, max_workers, concurrency, cold_start), tuple(provider or ()),
                  tuple(gpu or ()), price_basis.strip().lower(), _engine(cat, engine))
    report = cost(cat, q)
    add_crossovers(cat, report, top)
    _note_overrides(cat, [o.offering for o in report.options[:top]], None, est.model if est else None)
    _emit(cost_view(report, top), as_json, fmt)
    return 0
