"""estimate, recommend, cost: their options as data and the runner each front end calls (the logic
that was in the CLI's command bodies, unchanged)."""

from __future__ import annotations

from gpuadvisor.commands.common import (
    BATCH,
    CONTEXT,
    DTYPE,
    ENGINE,
    EXPLAIN,
    FORMAT,
    JSON,
    KV_DTYPE,
    MODE,
    MODEL,
    PARAMS,
    PLOT,
    PROVIDER,
    REGION,
    note_overrides,
)
from gpuadvisor.commands.spec import Command, Param

TOKENS_IN = Param("tokens_in", int, "Prompt tokens per request (LLM; default 1,024 in recommend, timed per GPU with --model in cost).", ("--tokens-in",))
TOKENS_OUT = Param("tokens_out", int, "Generated tokens per request (LLM; default 256 in recommend).", ("--tokens-out",))
PRICE_BASIS = ("list", "lowest")

ESTIMATE = Command("estimate", "Work out the GPU memory a model needs, with the arithmetic, and the smallest fit per provider.", (
    MODEL, PARAMS, DTYPE, KV_DTYPE, CONTEXT, BATCH, MODE,
    Param("overhead", float, "Fragmentation overhead as a fraction of weights + KV (default 0.05).", ("--overhead",)),
    Param("overhead_gb", float, "Fixed runtime overhead in GiB (default 1).", ("--overhead-gb",)),
    PROVIDER, JSON,
))

RECOMMEND = Command("recommend", "Rank what to rent for a job by work done per dollar, with reasons and a paste-ready config.", (
    Param("vram", float, "Total GPU memory the job needs, in GiB (weights + cache + overhead).", ("--vram",)),
    Param("workload", str, "llm, training, fine-tune, image, video, transcode, audio, embedding or general (default: general, or from --model).",
          ("--workload", "-w"), complete="workload"),
    PROVIDER,
    Param("optimize", str, "value (cost per unit of work, default), cost ($/h) or speed.", ("--optimize",), default="value",
          choices=("value", "cost", "speed")),
    Param("min_throughput", float, "Slowest acceptable option, in the workload's unit (tokens/s for the whole batch, images/h, streams, …).",
          ("--min-throughput",)),
    Param("price_basis", str, "list (on-demand, default) or lowest (discounted and committed figures where published).",
          ("--price-basis",), default="list", choices=PRICE_BASIS),
    Param("max_gpus", int, "At most this many GPUs per container/worker.", ("--max-gpus",)),
    Param("top", int, "How many picks to show.", ("--top", "-n"), default=5),
    Param("min_nvenc", int, "Only GPUs with at least this many hardware video encoders.", ("--min-nvenc",), default=0),
    Param("codec", str, "transcode: h264 (default), hevc or av1 (needs AV1 encode).", ("--codec",), suggest=("h264", "hevc", "av1")),
    Param("budget", float, "Most USD per hour for the whole configuration (options without a known price are left out).", ("--budget",)),
    EXPLAIN, PLOT,
    REGION, MODEL, PARAMS, DTYPE, KV_DTYPE, CONTEXT, BATCH, MODE, TOKENS_IN, TOKENS_OUT, ENGINE, JSON, FORMAT,
))

COST = Command("cost", "What a traffic profile costs per month on each serverless option, by each provider's billing rules.", (
    Param("requests_per_day", float, "Requests per day.", ("--requests-per-day", "-r")),
    Param("rps", float, "Requests per second while traffic flows (all day if flat, the 8 business hours otherwise).", ("--rps",)),
    Param("shape", str, "flat (default) or business-hours (all requests between 09:00 and 17:00).", ("--shape",), default="flat",
          choices=("flat", "business-hours")),
    Param("burstiness", float, "Mean number of requests that arrive together (1 = independent arrivals).", ("--burstiness",), default=1.0),
    Param("seconds_per_request", float, "GPU seconds one request takes.", ("--seconds-per-request", "-s")),
    Param("tokens_in", int, "Prompt tokens per request (with --model: timed per GPU by the performance model).", ("--tokens-in",)),
    Param("tokens_out", int, "Generated tokens per request (with --model).", ("--tokens-out",)),
    ENGINE,
    Param("idle_timeout", float, "Seconds an idle worker waits before shutting down (default: each provider's).", ("--idle-timeout",)),
    Param("min_workers", int, "Workers kept on all the time (default: each provider's, 0).", ("--min-workers",)),
    Param("max_workers", int, "Most workers at once (default: each provider's).", ("--max-workers",)),
    Param("concurrency", int, "Requests one worker serves at once (default: each provider's, 1).", ("--concurrency",)),
    Param("cold_start", float, "Seconds from a worker's start to serving (default: the middle of each provider's published range).",
          ("--cold-start",)),
    Param("vram", float, "Only options with this many GiB (instead of --model).", ("--vram",)),
    Param("gpu", str, "Only this GPU, or this pool (repeatable; any name or alias).", ("--gpu", "-g"), multiple=True, complete="gpu"),
    PROVIDER,
    Param("price_basis", str, "list (on-demand, default) or lowest (discounted figures where published).", ("--price-basis",),
          default="list", choices=PRICE_BASIS),
    Param("top", int, "How many options to show.", ("--top", "-n"), default=5),
    EXPLAIN, PLOT,
    MODEL, PARAMS, DTYPE, KV_DTYPE, CONTEXT, JSON, FORMAT,
))


def _tokens(tokens_in: int | None, tokens_out: int | None) -> tuple[int, int]:
    """LLM request lengths: given, or the default request (gpuadvisor.perf.job.DEFAULT_TOKENS)."""
    from gpuadvisor.errors import UsageError
    from gpuadvisor.perf.job import DEFAULT_TOKENS

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


_WORKLOAD_FOR = {("llm", "inference"): "llm", ("llm", "lora"): "fine-tune", ("llm", "qlora"): "fine-tune",
                 ("llm", "full"): "training", ("diffusion", "inference"): "image", ("video", "inference"): "video",
                 ("audio", "inference"): "audio", ("embedding", "inference"): "embedding"}


def run_estimate(cat, model=None, params=None, dtype=None, kv_dtype=None, context=None, batch=1, mode="inference",
                 overhead=None, overhead_gb=None, provider=None):
    from gpuadvisor.engine import job_for, resolve_workload, smallest_per_provider
    from gpuadvisor.views.estimate import estimate_view

    est = _estimate(cat, model, params, dtype, kv_dtype, context, batch, mode, overhead, overhead_gb)
    w = resolve_workload(cat, _WORKLOAD_FOR.get((est.kind, est.mode), "general"))
    smallest = smallest_per_provider(cat, est.total_gb, tuple(provider or ()), pow2=est.kind == "llm",
                                     single_gpu=est.kind != "llm", dtype=est.dtype,
                                     job=job_for(cat, w, est, est.total_gb))  # sharding buffers as recommend counts them
    return estimate_view(est, smallest, cat)


def run_recommend(cat, vram=None, workload=None, provider=None, optimize="value", min_throughput=None, price_basis="list",
                  max_gpus=None, top=5, min_nvenc=0, codec=None, budget=None, explain=False, region=None, model=None,
                  params=None, dtype=None, kv_dtype=None, context=None, batch=1, mode="inference", tokens_in=None,
                  tokens_out=None, engine=None, chart=False):
    """The recommend View; with `chart`, the chart data instead (gpuadvisor.charts)."""
    from gpuadvisor.engine import Requirement, job_for, rank, resolve_workload
    from gpuadvisor.errors import NoMatch, UsageError
    from gpuadvisor.views.recommend import recommend_view

    if top < 1:
        raise UsageError(f"--top must be 1 or more, not {top}")
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
    note_overrides(cat, [c.offering for c in ranking.candidates[:top]], req.workload, est.model if est else None)
    names = {k: p.id for p in cat.providers.values() for k in (p.id, p.name.lower())}
    tips = ranking.requirement.workload.tips(names, {c.offering.provider for c in ranking.candidates[:top]}, vram)
    if chart:
        from gpuadvisor.charts import recommend_chart

        return recommend_chart(ranking, top)
    return recommend_view(ranking, top, explain, est, tips)


def run_cost(cat, requests_per_day=None, rps=None, shape="flat", burstiness=1.0, seconds_per_request=None, tokens_in=None,
             tokens_out=None, engine=None, idle_timeout=None, min_workers=None, max_workers=None, concurrency=None,
             cold_start=None, vram=None, gpu=None, provider=None, price_basis="list", top=5, model=None, params=None,
             dtype=None, kv_dtype=None, context=None, explain=False, chart=False):
    """The cost View; with `chart`, the chart data instead (gpuadvisor.charts)."""
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
    note_overrides(cat, [o.offering for o in report.options[:top]], None, est.model if est else None)
    if chart:
        from gpuadvisor.charts import cost_chart

        return cost_chart(report, top)
    return cost_view(report, top, explain)
