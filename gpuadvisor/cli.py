"""Command-line interface. Parses options, calls the library, prints a View. No decisions here.

Errors: library code raises GpuAdvisorError; `_Group.main` turns it (and click's usage errors)
into one line on stderr and the contract's exit code (2 bad input, 1 nothing matched).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from gpuadvisor import __version__
from gpuadvisor.errors import GpuAdvisorError

PROG = "gpuadvisor"


class _Group(TyperGroup):
    """Runs commands in non-standalone mode so every failure becomes one clear stderr line."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from typer import Abort
        from typer._click import exceptions as cx

        try:
            rv = super().main(args=args, prog_name=prog_name or PROG, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except SystemExit:  # completion, --install-completion and --help exit on their own
            raise
        except GpuAdvisorError as e:
            _fail(str(e), e.exit_code)
        except cx.NoArgsIsHelpError:  # `gpuadvisor`, `gpuadvisor catalog`: the help was printed; that is all
            sys.exit(0)
        except cx.NoSuchOption as e:
            hint = f"; did you mean {' or '.join(e.possibilities)}?" if e.possibilities else ""
            _fail(f"no such option {e.option_name}{hint} (see --help)", 2)
        except cx.UsageError as e:
            cmd = e.ctx.command_path if e.ctx else PROG
            _fail(f"{e.format_message()} (see `{cmd} --help`)", 2)
        except (Abort, KeyboardInterrupt):
            _fail("aborted", 130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
        except Exception as e:  # a bug: still one line, never a traceback
            if os.environ.get("GPUADVISOR_DEBUG"):
                raise
            _fail(f"internal error: {type(e).__name__}: {e} (set GPUADVISOR_DEBUG=1 for details)", 3)
        code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


class _Command(TyperCommand):
    """Usage lines as people write them: `show [OPTIONS] NAME`, not Typer's `{NAME}`."""

    def collect_usage_pieces(self, ctx):
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in super().collect_usage_pieces(ctx)]


def _fail(message: str, code: int):
    message = message.strip() or "invalid command line"  # never an empty error
    if len(message) > 900:  # an echoed 100 KB argument is no help: one readable line
        message = f"{message[:800]}… ({len(message):,} characters)"
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.exit(code)


app = typer.Typer(
    cls=_Group, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=True, rich_markup_mode="markdown",
    help="Which GPU to rent on Modal, RunPod or fal.ai — and how to write it in that provider's syntax.",
    epilog="**Examples**\n\n"
           "* `gpuadvisor recommend --model llama-3.1-8b --context 8k`\n"
           "* `gpuadvisor translate modal runpod \"A100:4\"`\n"
           "* `gpuadvisor estimate --model llama-3.1-70b --dtype fp8`\n"
           "* `gpuadvisor check app.py`\n"
           "* `gpuadvisor list --provider runpod`",
)
catalog_app = typer.Typer(cls=_Group, no_args_is_help=True, rich_markup_mode="markdown", help="Inspect and validate catalog files.")
app.add_typer(catalog_app, name="catalog")

def _complete(names, incomplete: str) -> list[str]:
    key = incomplete.lower()
    return sorted({n for n in names if n.lower().startswith(key)}, key=str.lower)[:200]


def _quiet_catalog():
    """The catalogs for shell completion: no warnings printed into the user's prompt."""
    from gpuadvisor.catalog import get_catalog

    try:
        return get_catalog()
    except Exception:
        return None


def complete_provider(incomplete: str) -> list[str]:
    cat = _quiet_catalog()
    return _complete(cat.providers, incomplete) if cat else []


def complete_gpu(incomplete: str) -> list[str]:
    cat = _quiet_catalog()
    return _complete(cat.all_names(), incomplete) if cat else []


def complete_translate_args(ctx: typer.Context, incomplete: str) -> list[str]:
    """SOURCE and TARGET complete provider ids; SPEC completes the SOURCE provider's names."""
    cat = _quiet_catalog()
    if cat is None:
        return []
    done = list(ctx.params.get("args") or [])
    if ctx.params.get("file") is not None or len(done) < 2:
        return _complete(cat.providers, incomplete)
    if len(done) == 2 and done[0].lower() in cat.providers:
        return _complete([n for o in cat.offerings_of(done[0].lower()) for n in (o.name, *o.aliases)], incomplete)
    return []


def complete_sort(incomplete: str) -> list[str]:
    from gpuadvisor.browse import SORT_KEYS

    return _complete(SORT_KEYS, incomplete)


def complete_workload(incomplete: str) -> list[str]:
    from gpuadvisor.catalog import record_names

    cat = _quiet_catalog()
    return _complete(record_names(cat.workloads), incomplete) if cat else []


def complete_model(incomplete: str) -> list[str]:
    cat = _quiet_catalog()
    return _complete(cat.models, incomplete) if cat else []


# Shared options, declared once.
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout (short for --format json).")]
FormatOpt = Annotated[Optional[str], typer.Option("--format", help="table (default), json or csv.",
                                                  autocompletion=lambda incomplete: _complete(("table", "json", "csv"), incomplete))]
ProviderOpt = Annotated[Optional[list[str]], typer.Option("--provider", "-p", help="Only this provider (repeatable): modal, runpod, fal, …",
                                                          autocompletion=complete_provider)]

RegionOpt = Annotated[Optional[str], typer.Option("--region", help="Only offerings known to run in this region, at its prices "
                                                  "(regions come from imported catalogs).")]


def _version(value: bool):
    if value:
        sys.stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
    builtin_only: Annotated[bool, typer.Option("--builtin-only", help="Read only the built-in catalogs: no extra catalog "
                                               "directory at all (also GPUADVISOR_BUILTIN_ONLY=1).")] = False,
):
    """gpuadvisor: sourced GPU facts, recommendations and translations for Modal, RunPod and fal.ai."""
    from gpuadvisor.catalog import set_builtin_only

    set_builtin_only(builtin_only)


def _catalog():
    """The loaded catalogs; warnings about skipped extra catalogs go to stderr once."""
    from gpuadvisor.catalog import get_catalog

    cat = get_catalog()
    if not getattr(cat, "_warned", False):
        for w in cat.warnings:
            sys.stderr.write(f"{PROG}: {w}\n")
        cat._warned = True
    return cat


def _note_overrides(cat, offerings, workload=None, model=None) -> None:
    """One stderr note when a result rests on a built-in fact that an extra catalog replaced."""
    from gpuadvisor.catalog import override_notes

    notes = override_notes(cat, offerings, workload, model)
    if notes:
        more = f" (+{len(notes) - 1} more; see `gpuadvisor catalog paths`)" if len(notes) > 1 else ""
        sys.stderr.write(f"{PROG}: note: {notes[0]}{more}\n")


def _user_path(text: str, what: str) -> Path:
    """A path the user typed; an empty one is a mistake (Path("") would quietly mean ".")."""
    from gpuadvisor.errors import UsageError

    if not text.strip():
        raise UsageError(f"{what} is empty: give a file name, e.g. app.py")
    return Path(text)


class _progress:
    """A progress bar on stderr for a long loop (only on a terminal, and only past 50 steps):
    `with _progress("checking") as tick: work(tick)` where work calls tick(done, total)."""

    def __init__(self, label: str, threshold: int = 50):
        self.label, self.threshold, self.bar, self.task = label, threshold, None, None

    def __enter__(self):
        return self.tick

    def tick(self, done: int, total: int) -> None:
        if self.bar is None:
            from gpuadvisor.render import _isatty

            if total < self.threshold or not _isatty(sys.stderr):
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _emit(view, as_json: bool, fmt: str | None = None) -> None:
    from gpuadvisor.errors import UnknownName, UsageError
    from gpuadvisor.render import emit

    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in view.formats():
            raise UnknownName("format", fmt, view.formats())
        if as_json and fmt != "json":
            raise UsageError(f"--json and --format {fmt} contradict each other")
        fmt = "table" if fmt == "text" else fmt
    emit(view, as_json, fmt or ("json" if as_json else "table"))


@app.command("list", cls=_Command)
def list_cmd(
    provider: ProviderOpt = None,
    min_vram: Annotated[Optional[float], typer.Option("--min-vram", help="Only offerings with at least this many GiB per GPU.")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", help="gpu, pool or cpu (repeatable).",
                                                      autocompletion=lambda incomplete: _complete(("gpu", "pool", "cpu"), incomplete))] = None,
    arch: Annotated[Optional[list[str]], typer.Option("--arch", help="Architecture: turing, ampere, ada, hopper, blackwell (repeatable).",
                                                      autocompletion=lambda incomplete: _complete(("turing", "ampere", "ada", "hopper", "blackwell"), incomplete))] = None,
    gpu: Annotated[Optional[str], typer.Option("--gpu", help="Only offerings that may give this GPU (any name or alias).",
                                               autocompletion=complete_gpu)] = None,
    max_price: Annotated[Optional[float], typer.Option("--max-price", help="Only offerings with a known price of at most this many USD per GPU-hour.")] = None,
    region: RegionOpt = None,
    sort: Annotated[str, typer.Option("--sort", "-s", help="provider, name, vram, bandwidth, price or arch.",
                                      autocompletion=complete_sort)] = "provider",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the sort order.")] = False,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """List what each provider offers: GPU types, pools and CPU workers, with prices.

    **Examples**

    * `gpuadvisor list --provider runpod --kind pool`
    * `gpuadvisor list --min-vram 80 --sort price`
    * `gpuadvisor list --gpu h100 --format csv`
    """
    from gpuadvisor.browse import OfferingFilter, list_offerings
    from gpuadvisor.views import offerings_view

    flt = OfferingFilter(tuple(provider or ()), min_vram, tuple(kind or ()), tuple(arch or ()), gpu, max_price)
    cat = _catalog()
    if region is not None:
        from gpuadvisor.catalog import in_region

        cat = in_region(cat, region)
    rows = list_offerings(cat, flt, sort=sort.strip().lower(), reverse=reverse)
    _emit(offerings_view(rows), as_json, fmt)
    return 0


@app.command("show", cls=_Command)
def show_cmd(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A canonical id (h100-sxm) or any provider's name for it (H100, GPU-H100, AMPERE_80).",
                                        autocompletion=complete_gpu)],
    as_json: JsonOpt = False,
):
    """Show one GPU's facts, where sources disagree, and every provider's offering of it.

    NAME is a canonical id (`h100-sxm`) or any provider's name for it (`H100`, `GPU-H100`, `AMPERE_80`).

    **Examples**

    * `gpuadvisor show h100`
    * `gpuadvisor show GpuGroup.AMPERE_80`
    * `gpuadvisor show b200 --json`
    """
    from gpuadvisor.browse import show_gpu
    from gpuadvisor.views import gpu_view

    cat = _catalog()
    _emit(gpu_view(show_gpu(cat, name), cat), as_json)
    return 0


@app.command("compare", cls=_Command)
def compare_cmd(
    names: Annotated[list[str], typer.Argument(metavar="NAME...", help="Two or more GPU names or aliases.", autocompletion=complete_gpu)],
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Compare GPUs side by side; the facts that differ are highlighted.

    **Examples**

    * `gpuadvisor compare rtx-4090 rtx-5090 l40s`
    * `gpuadvisor compare H100 H200 --format csv`
    """
    from gpuadvisor.browse import compare_gpus
    from gpuadvisor.views import compare_view

    gpus, differs = compare_gpus(_catalog(), names)
    _emit(compare_view(gpus, differs), as_json, fmt)
    return 0


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
    from gpuadvisor.engine import smallest_per_provider
    from gpuadvisor.views import estimate_view

    cat = _catalog()
    est = _estimate(cat, model, params, dtype, kv_dtype, context, batch, mode, overhead, overhead_gb)
    smallest = smallest_per_provider(cat, est.total_gb, tuple(provider or ()), pow2=est.kind == "llm",
                                     single_gpu=est.kind != "llm")
    _emit(estimate_view(est, smallest, cat), as_json)
    return 0


@app.command("models", cls=_Command)
def models_cmd(as_json: JsonOpt = False):
    """List the models `estimate` and `recommend --model` know, with their architecture facts.

    **Examples**

    * `gpuadvisor models`
    * `gpuadvisor models --json | jq -r '.[].id'`
    """
    from gpuadvisor.views import models_view

    _emit(models_view(list(_catalog().models.values())), as_json)
    return 0


_WORKLOAD_FOR = {("llm", "inference"): "llm", ("llm", "lora"): "fine-tune", ("llm", "qlora"): "fine-tune",
                 ("llm", "full"): "training", ("diffusion", "inference"): "image", ("video", "inference"): "video"}


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
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Rank what to rent for a job by work done per dollar, with reasons and a paste-ready config.

    Give the memory the job needs (--vram) or a model (--model), and the workload. Each pick's
    throughput comes from a sourced performance model; `--explain` shows the formula.

    **Examples**

    * `gpuadvisor recommend --model llama-3.1-8b --context 8k`
    * `gpuadvisor recommend --vram 70 -w llm --optimize speed`
    * `gpuadvisor recommend --model sdxl -p fal --explain`
    * `gpuadvisor recommend --vram 8 -w transcode --codec av1`
    """
    from gpuadvisor.engine import Requirement, job_for, rank, resolve_workload
    from gpuadvisor.errors import NoMatch, UsageError
    from gpuadvisor.views import recommend_view

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
    req = Requirement(vram, w, tuple(provider or ()), max_gpus, min_nvenc, budget, optimize.strip().lower(),
                      min_throughput, price_basis.strip().lower(), job_for(cat, w, est, vram, codec_key), codec_key)
    try:
        ranking = rank(cat, req)
    except NoMatch as e:
        if est is None:
            raise
        from gpuadvisor.estimate import what_makes_it_big

        raise NoMatch(" — ".join([str(e), what_makes_it_big(est), *est.warnings])) from None
    _note_overrides(cat, [c.offering for c in ranking.candidates[:top]], req.workload, est.model if est else None)
    _emit(recommend_view(ranking, top, explain, est), as_json, fmt)
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
    """
    from gpuadvisor.cost import SHAPES, CostQuery, Settings, Traffic, add_crossovers, cost
    from gpuadvisor.costview import cost_view
    from gpuadvisor.errors import UsageError

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
    if seconds_per_request is None and not tokens:
        raise UsageError("give the work per request: --seconds-per-request S, or --tokens-in N --tokens-out N with --model")
    cat = _catalog()
    est = None
    if model is not None or params is not None:
        if vram is not None:
            raise UsageError("give --vram or --model/--params, not both (the model's estimate is the memory need)")
        ctx = context if context is not None else (str(tokens_in + tokens_out) if tokens else None)
        est = _estimate(cat, model, params, dtype, kv_dtype, ctx, concurrency or 1, "inference", None, None)
        if tokens and est.kind != "llm":
            raise UsageError(f"{est.name} is not a language model: give --seconds-per-request")
    elif tokens:
        raise UsageError("--tokens-in/--tokens-out are timed with a model: add --model NAME (or --params SIZE)")
    elif any(v is not None for v in (dtype, kv_dtype, context)):
        raise UsageError("--dtype, --kv-dtype and --context size a model: add --model NAME or --params SIZE")
    if vram is not None and not (vram > 0 and vram < float("inf")):
        raise UsageError(f"--vram must be a positive number of GiB, not {vram:g}")
    q = CostQuery(Traffic(requests_per_day, key, burstiness), seconds_per_request, tokens_in, tokens_out, est, vram,
                  Settings(idle_timeout, min_workers, max_workers, concurrency, cold_start), tuple(provider or ()),
                  tuple(gpu or ()), price_basis.strip().lower())
    report = cost(cat, q)
    add_crossovers(cat, report, top)
    _note_overrides(cat, [o.offering for o in report.options[:top]], None, est.model if est else None)
    _emit(cost_view(report, top), as_json, fmt)
    return 0


@app.command("translate", cls=_Command)
def translate_cmd(
    args: Annotated[Optional[list[str]], typer.Argument(metavar="SOURCE TARGET SPEC", help="SOURCE TARGET SPEC, or with --file: [SOURCE] TARGET.",
                                                        show_default=False, autocompletion=complete_translate_args)] = None,
    count: Annotated[Optional[int], typer.Option("--count", "-c", help="GPU count (RunPod's gpu_count, fal's num_gpus; Modal: for items without :N).")] = None,
    file: Annotated[Optional[str], typer.Option("--file", "-f", metavar="PATH", help="Read the GPU configs from this Python file (parsed, never run).")] = None,
    as_json: JsonOpt = False,
):
    """Translate a GPU config from one provider's syntax to another's, saying what changes.

    Give SOURCE TARGET SPEC, with SPEC written as SOURCE writes it; or `--file app.py [SOURCE] TARGET`
    to translate every GPU config in a Python file (parsed, never run).

    **Examples**

    * `gpuadvisor translate modal runpod "A100:4"`
    * `gpuadvisor translate modal fal '["H100", "A100-40GB:2"]'`
    * `gpuadvisor translate runpod modal AMPERE_48 --count 2`
    * `gpuadvisor translate --file app.py fal`
    """
    from gpuadvisor.errors import UsageError

    args = list(args or [])
    cat = _catalog()
    if file is not None:
        if len(args) not in (1, 2):
            raise UsageError("with --file, give the target provider (optionally preceded by the source): "
                             "gpuadvisor translate --file app.py fal")
        return _translate_file(cat, _user_path(file, "--file"), args, count, as_json)
    if len(args) != 3:
        raise UsageError(f"translate needs SOURCE TARGET SPEC (got {len(args)} argument(s)), "
                         "e.g. gpuadvisor translate modal runpod \"A100:4\"")
    from gpuadvisor.translate import translate
    from gpuadvisor.views import translate_view

    source, target, spec = args
    tr = translate(cat, source, target, spec, count)
    _note_overrides(cat, [o.offering for o in (*tr.source, *tr.target)])
    _emit(translate_view(tr), as_json)
    return 0


def _translate_file(cat, path: Path, args: list[str], count, as_json: bool) -> int:
    """Every GPU config in the file, translated; exit code and summary from apptranslate.outcome."""
    from gpuadvisor.apptranslate import outcome, translate_scan
    from gpuadvisor.errors import NoMatch
    from gpuadvisor.filescan import MAX_FINDINGS, scan_file
    from gpuadvisor.fsread import display_path
    from gpuadvisor.views import file_view

    target = cat.provider(args[-1]).id
    source = cat.provider(args[0]).id if len(args) == 2 else None
    shown = display_path(path)
    scan = scan_file(path, source)
    results = translate_scan(cat, scan, target, count, source)
    if not results:
        from gpuadvisor.filescan import PROVIDER_MODULES

        modules = ", ".join("/".join(mods) for mods in PROVIDER_MODULES.values())
        why = (f" for {source}" if source else "" if scan.providers else
               f" (it imports none of {modules}; name the source provider to read a snippet: "
               f"gpuadvisor translate --file {shown} {next(iter(PROVIDER_MODULES))} {target})")
        why += "".join(f"; {n}" for n in scan.notes[:1])
        raise NoMatch(f"no GPU configuration found in {shown}{why}")
    if scan.truncated:
        sys.stderr.write(f"{PROG}: warning: {shown} has {scan.total:,} GPU configurations; "
                         f"only the first {MAX_FINDINGS:,} are read\n")
    result = outcome(results)
    _note_overrides(cat, [o.offering for r in results for tr in r.translations if tr for o in (*tr.source, *tr.target)])
    _emit(file_view(shown, target, results, scan), as_json)
    if result.summary:
        kind = "error" if result.code else "note"
        sys.stderr.write(f"{PROG}: {kind}: {result.summary}\n")
    return result.code


@app.command("check", cls=_Command)
def check_cmd(
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="PATH...", help="Python files, or directories to search for *.py.", show_default=False)] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Read every file as this provider's app (for snippets that import nothing).",
                                                  autocompletion=complete_provider)] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe: error, warning, info or never.",
                                         autocompletion=lambda incomplete: _complete(("error", "warning", "info", "never"), incomplete))] = "error",
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Rule codes to skip (repeatable or comma-separated): GA110,GA109.")] = None,
    as_json: JsonOpt = False,
    fmt: Annotated[Optional[str], typer.Option("--format", help="text (default), json, sarif or csv.",
                                               autocompletion=lambda incomplete: _complete(("text", "json", "sarif", "csv"), incomplete))] = None,
):
    """Lint the GPU specs in Modal, RunPod and fal apps (files are parsed, never run).

    Finds ambiguous or legacy names, specs that may land on other hardware, counts over a limit,
    CPU/GPU mix-ups and values that cannot be read, each with a code (GA101…) and a rewrite.
    Exit 0: nothing at `--fail-on` or above; 1: findings; 2: bad input. Silence one line with
    `# noqa: GA102` (or `# noqa` for all).

    **Examples**

    * `gpuadvisor check app.py`
    * `gpuadvisor check src/ --fail-on warning`
    * `gpuadvisor check . --format sarif > gpuadvisor.sarif`
    * `gpuadvisor check app.py --ignore GA110`
    """
    from gpuadvisor.check import SEVERITIES, at_or_above, check_paths
    from gpuadvisor.errors import UnknownName, UsageError
    from gpuadvisor.views import check_view

    if not paths:
        raise UsageError("name at least one file or directory, e.g. gpuadvisor check app.py")
    level = fail_on.strip().lower()
    if level not in (*SEVERITIES, "never"):
        raise UnknownName("--fail-on level", fail_on, (*SEVERITIES, "never"))
    codes = frozenset(c.strip().upper() for item in ignore or () for c in item.split(",") if c.strip())
    cat = _catalog()
    src = cat.provider(source).id if source else None
    with _progress("checking") as tick:
        report = check_paths(cat, [_user_path(p, "PATH") for p in paths], src, codes, tick)
    if not report.files:
        sys.stderr.write(f"{PROG}: warning: no Python files found\n")
    _emit(check_view(report, level), as_json, fmt)
    failing = at_or_above(report.issues, level) if level != "never" else []
    return 1 if failing else 0


@app.command("detect", cls=_Command)
def detect_cmd(
    provider: ProviderOpt = None,
    as_json: JsonOpt = False,
):
    """Read this machine's GPUs with nvidia-smi and show what to rent on each provider to get the same.

    **Examples**

    * `gpuadvisor detect`
    * `gpuadvisor detect --provider modal --json`
    """
    from gpuadvisor.detect import detect, equivalents
    from gpuadvisor.views import detect_view

    cat = _catalog()
    local = detect(cat)
    _emit(detect_view(local, equivalents(cat, local, tuple(provider or ())), cat), as_json)
    return 0


@catalog_app.command("info", cls=_Command)
def catalog_info_cmd(as_json: JsonOpt = False):
    """Show each provider catalog's sources and as-of date, and warn about prices older than 180 days.

    **Examples**

    * `gpuadvisor catalog info`
    * `gpuadvisor catalog info --json`
    """
    from datetime import date

    from gpuadvisor.catalog import STALE_PRICE_DAYS, catalog_info
    from gpuadvisor.views import info_view

    info = catalog_info(_catalog(), date.today())
    for p in info["providers"]:
        if p["stale_prices"]:
            sys.stderr.write(f"{PROG}: warning: {p['stale_prices']} {p['id']} price(s) are older than {STALE_PRICE_DAYS} days "
                             f"(oldest {p['oldest_price']}); check {p['docs_url'] or 'the provider'} before relying on them\n")
    _emit(info_view(info), as_json)
    return 0


@catalog_app.command("validate", cls=_Command)
def catalog_validate(
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="[PATH]...", help="Files or directories (default: every catalog directory).")] = None,
    as_json: JsonOpt = False,
):
    """Check catalog files; exit 2 if any has a problem, each named by file, line and key.

    **Examples**

    * `gpuadvisor catalog validate`
    * `gpuadvisor catalog validate ~/.config/gpuadvisor/catalogs/acme.toml`
    """
    from gpuadvisor.catalog import builtin_dir, extra_dirs, validate_paths
    from gpuadvisor.views import validate_view

    targets = [_user_path(p, "PATH") for p in paths] if paths else [builtin_dir()] + [d for _, d in extra_dirs() if d.exists()]
    reports = validate_paths(targets)
    _emit(validate_view(reports), as_json)
    bad = [r for r in reports if r.problems]
    if bad:
        sys.stderr.write(f"{PROG}: error: {len(bad)} catalog file(s) have problems; first: {bad[0].problems[0]}\n")
        return 2
    return 0


@catalog_app.command("paths", cls=_Command)
def catalog_paths(as_json: JsonOpt = False):
    """Show where catalogs are read from, in load order, and which files loaded.

    **Examples**

    * `gpuadvisor catalog paths`
    * `gpuadvisor --builtin-only catalog paths`
    """
    from gpuadvisor.catalog import builtin_dir, builtin_only, extra_dirs
    from gpuadvisor.fsread import display_path
    from gpuadvisor.views import paths_view

    cat = _catalog()
    extra = [(o, display_path(d), d.is_dir()) for o, d in extra_dirs()]
    _emit(paths_view(cat, display_path(builtin_dir()), extra, builtin_only()), as_json)
    return 0


@catalog_app.command("import", cls=_Command)
def catalog_import_cmd(
    fmt: Annotated[str, typer.Argument(help="skypilot (a vms.csv) or gpuhunt (a <provider>.csv).", show_default=False)],
    csv_path: Annotated[Optional[Path], typer.Argument(help="The CSV file (or give --from-url).", show_default=False)] = None,
    provider_id: Annotated[Optional[str], typer.Option("--id", help="Provider id for the new catalog (default: the cloud name).")] = None,
    cloud: Annotated[Optional[str], typer.Option("--cloud", help="The cloud's name as SkyPilot/dstack write it in snippets "
                                                 "(default: the CSV's directory for vms.csv, else the file name).")] = None,
    from_url: Annotated[Optional[str], typer.Option("--from-url", help="Download the CSV over HTTPS instead of reading a file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing catalog file of the same id.")] = False,
    as_json: JsonOpt = False,
):
    """Turn a SkyPilot or gpuhunt catalog CSV into a provider TOML in the user catalog directory.

    Accelerator names map to canonical GPU ids; unmapped names are counted and listed, never guessed.

    **Examples**

    * `gpuadvisor catalog import skypilot ~/.sky/catalogs/v8/lambda/vms.csv`
    * `gpuadvisor catalog import gpuhunt runpod.csv --id runpod-pods`
    """
    from datetime import date

    from gpuadvisor.catalog import user_dir
    from gpuadvisor.catalog.importers import import_csv, install
    from gpuadvisor.catalog.importers.common import MAX_CSV_BYTES
    from gpuadvisor.errors import UsageError
    from gpuadvisor.views import import_view

    if (csv_path is None) == (from_url is None):
        raise UsageError("give a CSV file or --from-url URL (one of them)")
    if from_url:
        from gpuadvisor.catalog.update import fetch

        text = fetch(from_url, MAX_CSV_BYTES).decode("utf-8", errors="replace")
        source, stem = from_url, from_url.rstrip("/").rsplit("/", 2)
    else:
        from gpuadvisor.fsread import display_path, read_text_capped

        text = read_text_capped(csv_path, MAX_CSV_BYTES, "CSV file")
        source, stem = display_path(csv_path), [csv_path.parent.name, csv_path.name]
    name = stem[-1].rsplit(".", 1)[0]
    cloud = cloud or (stem[-2] if name == "vms" and len(stem) > 1 else name)
    pid = (provider_id or cloud).strip().lower()
    if not pid or any(c.isspace() or c in "/\\." for c in pid):
        raise UsageError(f"provider id {pid!r} must be a lowercase name without spaces, dots or slashes (use --id)")
    directory = user_dir()
    if directory is None:
        raise UsageError("no home directory: set XDG_CONFIG_HOME to choose where catalogs go")
    imp = import_csv(fmt.strip().lower(), text, source=source, provider_id=pid, cloud=cloud, as_of=date.today().isoformat())
    _emit(import_view(install(imp, directory, force)), as_json)
    return 0


@catalog_app.command("update", cls=_Command)
def catalog_update_cmd(
    urls: Annotated[Optional[list[str]], typer.Argument(metavar="[URL]...", help="HTTPS URLs of .toml files or a .tar.gz of them "
                                                        "(default: $GPUADVISOR_CATALOG_URL).", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Download and validate, print what would change, write nothing.")] = False,
    as_json: JsonOpt = False,
):
    """Download catalog files, validate them with the catalogs in use, and install them.

    Files go into the user catalog directory. On any failure (network, size cap, bad TOML,
    validation) nothing changes.

    **Examples**

    * `gpuadvisor catalog update https://example.org/gpuadvisor-catalogs.tar.gz --dry-run`
    * `GPUADVISOR_CATALOG_URL=https://example.org/acme.toml gpuadvisor catalog update`
    """
    from gpuadvisor.catalog import user_dir
    from gpuadvisor.catalog.update import default_urls, fetch, install, plan, unpack
    from gpuadvisor.errors import UsageError
    from gpuadvisor.views import update_view

    directory = user_dir()
    if directory is None:
        raise UsageError("no home directory: set XDG_CONFIG_HOME to choose where catalogs go")
    files: dict[str, bytes] = {}
    for url in urls or default_urls():
        with _progress(f"downloading {url.rsplit('/', 1)[-1][:40]}", threshold=0) as tick:
            body = fetch(url, progress=tick)
        for name, data in unpack(url, body).items():
            if name in files:
                raise UsageError(f"{name} comes from two URLs; nothing changed")
            files[name] = data
    p = plan(files, directory)
    if not dry_run:
        install(p)
        from gpuadvisor import catalog as catalog_mod

        catalog_mod._CACHE.clear()
    _emit(update_view(p, dry_run), as_json)
    return 0


def _only_invoked_command(argv: list[str]) -> None:
    """Start-up: Typer builds a click command for every registered command (~1 ms each). When the
    first argument names a command, register only that one, so a run builds what it uses.
    Help, completion and unknown names keep the full app (and its "did you mean")."""
    while argv and argv[0] == "--builtin-only":  # the one root option that precedes a command
        argv = argv[1:]
    if os.environ.get("_GPUADVISOR_COMPLETE") or not argv or argv[0].startswith("-"):
        return
    name = argv[0]
    commands = [c for c in app.registered_commands if (c.name or c.callback.__name__) == name]
    if commands:
        app.registered_commands = commands
        app.registered_groups = []
    elif any(g.name == name for g in app.registered_groups):
        app.registered_commands = []


def main() -> None:
    _only_invoked_command(sys.argv[1:])
    app()
