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
from typer.core import TyperGroup

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


def _fail(message: str, code: int):
    if len(message) > 900:  # an echoed 100 KB argument is no help: one readable line
        message = f"{message[:800]}… ({len(message):,} characters)"
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.exit(code)


app = typer.Typer(
    cls=_Group, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=True,
    help="Which GPU to rent on Modal, RunPod or fal.ai — and how to write it in that provider's syntax.",
    epilog="Examples: gpuadvisor list --provider runpod · gpuadvisor show h100 · "
           "gpuadvisor compare rtx-4090 rtx-5090 l40s · gpuadvisor catalog paths",
)
catalog_app = typer.Typer(cls=_Group, no_args_is_help=True, help="Inspect and validate catalog files.")
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


def _emit(view, as_json: bool, fmt: str | None = None) -> None:
    from gpuadvisor.errors import UnknownName, UsageError
    from gpuadvisor.render import FORMATS, emit

    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise UnknownName("format", fmt, FORMATS)
        if as_json and fmt != "json":
            raise UsageError(f"--json and --format {fmt} contradict each other")
    emit(view, as_json, fmt or ("json" if as_json else "table"))


@app.command("list")
def list_cmd(
    provider: ProviderOpt = None,
    min_vram: Annotated[Optional[float], typer.Option("--min-vram", help="Only offerings with at least this many GB per GPU.")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", help="gpu, pool or cpu (repeatable).")] = None,
    arch: Annotated[Optional[list[str]], typer.Option("--arch", help="Architecture: turing, ampere, ada, hopper, blackwell (repeatable).")] = None,
    gpu: Annotated[Optional[str], typer.Option("--gpu", help="Only offerings that may give this GPU (any name or alias).",
                                               autocompletion=complete_gpu)] = None,
    max_price: Annotated[Optional[float], typer.Option("--max-price", help="Only offerings with a known price of at most this many USD per GPU-hour.")] = None,
    sort: Annotated[str, typer.Option("--sort", "-s", help="provider, name, vram, bandwidth, price or arch.")] = "provider",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the sort order.")] = False,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """List what each provider offers: GPU types, pools and CPU machines.

    Examples: gpuadvisor list --provider runpod --kind pool · gpuadvisor list --min-vram 80 --sort price
    """
    from gpuadvisor.browse import OfferingFilter, list_offerings
    from gpuadvisor.views import offerings_view

    flt = OfferingFilter(tuple(provider or ()), min_vram, tuple(kind or ()), tuple(arch or ()), gpu, max_price)
    rows = list_offerings(_catalog(), flt, sort=sort.strip().lower(), reverse=reverse)
    _emit(offerings_view(rows), as_json, fmt)
    return 0


@app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="A canonical id (h100-sxm) or any provider's name for it (H100, GPU-H100, AMPERE_80).",
                                        autocompletion=complete_gpu)],
    as_json: JsonOpt = False,
):
    """Show one GPU's hardware facts, where sources disagree, and every offering of it.

    Examples: gpuadvisor show h100 · gpuadvisor show AMPERE_80 · gpuadvisor show GPU-L40 --json
    """
    from gpuadvisor.browse import show_gpu
    from gpuadvisor.views import gpu_view

    cat = _catalog()
    _emit(gpu_view(show_gpu(cat, name), cat), as_json)
    return 0


@app.command("compare")
def compare_cmd(
    names: Annotated[list[str], typer.Argument(help="Two or more GPU names or aliases.", autocompletion=complete_gpu)],
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Compare GPUs side by side; the facts that differ are highlighted.

    Example: gpuadvisor compare rtx-4090 rtx-5090 l40s
    """
    from gpuadvisor.browse import compare_gpus
    from gpuadvisor.views import compare_view

    gpus, differs = compare_gpus(_catalog(), names)
    _emit(compare_view(gpus, differs), as_json, fmt)
    return 0


ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", help="A model from `gpuadvisor models` (e.g. llama-3.1-70b).",
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


@app.command("estimate")
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
    """Work out the GPU memory a model needs (weights, KV cache, overhead), with the arithmetic,
    and the smallest configuration per provider that fits.

    Examples: gpuadvisor estimate --model llama-3.1-70b --dtype fp8 --context 32k ·
    gpuadvisor estimate --params 13B --context 8k · gpuadvisor estimate -m llama-3.1-8b --mode qlora
    """
    from gpuadvisor.engine import smallest_per_provider
    from gpuadvisor.views import estimate_view

    cat = _catalog()
    est = _estimate(cat, model, params, dtype, kv_dtype, context, batch, mode, overhead, overhead_gb)
    smallest = smallest_per_provider(cat, est.total_gb, tuple(provider or ()), pow2=est.kind == "llm")
    _emit(estimate_view(est, smallest, cat), as_json)
    return 0


@app.command("models")
def models_cmd(as_json: JsonOpt = False):
    """List the models `estimate` and `recommend --model` know, with their architecture facts.

    Example: gpuadvisor models --json | jq -r '.[].id'
    """
    from gpuadvisor.views import models_view

    _emit(models_view(list(_catalog().models.values())), as_json)
    return 0


_WORKLOAD_FOR = {("llm", "inference"): "llm", ("llm", "lora"): "fine-tune", ("llm", "qlora"): "fine-tune",
                 ("llm", "full"): "training", ("diffusion", "inference"): "image", ("video", "inference"): "video"}


@app.command("recommend")
def recommend_cmd(
    vram: Annotated[Optional[float], typer.Option("--vram", help="Total GPU memory the job needs, in GB (weights + cache + overhead).")] = None,
    workload: Annotated[Optional[str], typer.Option("--workload", "-w", help="llm, training, fine-tune, image, video, audio, embedding or general (default: general, or from --model).",
                                                    autocompletion=complete_workload)] = None,
    provider: ProviderOpt = None,
    max_gpus: Annotated[Optional[int], typer.Option("--max-gpus", help="At most this many GPUs per container/worker.")] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="How many picks to show.")] = 5,
    min_nvenc: Annotated[int, typer.Option("--min-nvenc", help="Only GPUs with at least this many hardware video encoders.")] = 0,
    budget: Annotated[Optional[float], typer.Option("--budget", help="Most USD per hour for the whole configuration (options without a dated price are left out).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Add the per-criterion score breakdown.")] = False,
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
    """Rank what to rent for a VRAM need (or a model) and workload, across providers, with reasons and a
    paste-ready config. With --model, LLM picks also get an upper bound on decode speed.

    Examples: gpuadvisor recommend --vram 70 --workload llm · gpuadvisor recommend --vram 30 -w video --explain ·
    gpuadvisor recommend --model llama-3.1-405b --dtype fp8 --workload llm --json
    """
    from gpuadvisor.engine import Requirement, rank, resolve_workload
    from gpuadvisor.errors import UsageError
    from gpuadvisor.views import recommend_view

    if top < 1:
        raise UsageError(f"--top must be 1 or more, not {top}")
    cat = _catalog()
    est = None
    if model is not None or params is not None:
        if vram is not None:
            raise UsageError("give --vram or --model/--params, not both (the model's estimate is the VRAM need)")
        est = _estimate(cat, model, params, dtype, kv_dtype, context, batch, mode, None, None)
        vram = est.total_gb
        workload = workload or _WORKLOAD_FOR.get((est.kind, est.mode), "general")
    elif vram is None:
        raise UsageError("give --vram GB or --model NAME (e.g. --vram 70 or --model llama-3.1-70b)")
    elif any(v is not None for v in (dtype, kv_dtype, context)):
        raise UsageError("--dtype, --kv-dtype and --context size a model: add --model NAME or --params SIZE")
    req = Requirement(vram, resolve_workload(cat, workload), tuple(provider or ()), max_gpus, min_nvenc, budget)
    ranking = rank(cat, req)
    _note_overrides(cat, [c.offering for c in ranking.candidates[:top]], req.workload, est.model if est else None)
    _emit(recommend_view(ranking, top, explain, est), as_json, fmt)
    return 0


@app.command("translate")
def translate_cmd(
    args: Annotated[Optional[list[str]], typer.Argument(help="SOURCE TARGET SPEC, or with --file: [SOURCE] TARGET.", show_default=False)] = None,
    count: Annotated[Optional[int], typer.Option("--count", "-c", help="GPU count (RunPod's gpu_count, fal's num_gpus; Modal: for items without :N).")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", "-f", help="Read the GPU configs from this Python file (parsed, never run).")] = None,
    as_json: JsonOpt = False,
):
    """Translate a GPU config from one provider's syntax to another's, saying what changes.

    Examples: gpuadvisor translate modal runpod "A100:4" · gpuadvisor translate modal fal '["H100", "A100-40GB:2"]' ·
    gpuadvisor translate runpod modal AMPERE_48 --count 2 · gpuadvisor translate --file app.py fal
    """
    from gpuadvisor.errors import UsageError

    args = list(args or [])
    cat = _catalog()
    if file is not None:
        if len(args) not in (1, 2):
            raise UsageError("with --file, give the target provider (optionally preceded by the source): "
                             "gpuadvisor translate --file app.py fal")
        return _translate_file(cat, file, args, count, as_json)
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
    from gpuadvisor.errors import GpuAdvisorError, NoMatch
    from gpuadvisor.filescan import scan_file
    from gpuadvisor.translate import translate
    from gpuadvisor.views import file_view

    target = cat.provider(args[-1]).id
    only = cat.provider(args[0]).id if len(args) == 2 else None
    found = [f for f in scan_file(path) if only is None or f.provider == only]
    if not found:
        raise NoMatch(f"no GPU configuration found in {path}" + (f" for {only}" if only else ""))
    results, translations, failures = [], [], []
    for f in found:
        res = {"line": f.line, "provider": f.provider, "code": f.code, "spec": f.spec, "count": f.count,
               "translation": None, "error": None, "unresolved": None}
        tr = None
        if f.spec is None:
            res["unresolved"] = f.problem
        else:
            try:
                tr = translate(cat, f.provider, target, f.spec, f.count if f.count is not None else count)
                res["translation"] = tr.to_json()
            except GpuAdvisorError as e:
                res["error"] = str(e)
                failures.append(f"line {f.line}: {e}")
        results.append(res)
        translations.append(tr)
    _note_overrides(cat, [o.offering for tr in translations if tr for o in (*tr.source, *tr.target)])
    _emit(file_view(str(path), target, results, translations), as_json)
    if failures:
        sys.stderr.write(f"{PROG}: error: {len(failures)} config(s) could not be translated; first: {failures[0]}\n")
        return 2
    return 0


@app.command("detect")
def detect_cmd(
    provider: ProviderOpt = None,
    as_json: JsonOpt = False,
):
    """Read this machine's GPUs with nvidia-smi and show what to rent on each provider to get the same.

    Example: gpuadvisor detect · gpuadvisor detect --provider modal --json
    """
    from gpuadvisor.detect import detect, equivalents
    from gpuadvisor.views import detect_view

    cat = _catalog()
    local = detect(cat)
    _emit(detect_view(local, equivalents(cat, local, tuple(provider or ())), cat), as_json)
    return 0


@catalog_app.command("info")
def catalog_info_cmd(as_json: JsonOpt = False):
    """Show each provider catalog's sources and as-of date, and warn about prices older than 180 days.

    Example: gpuadvisor catalog info
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


@catalog_app.command("validate")
def catalog_validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or directories (default: every catalog directory).")] = None,
    as_json: JsonOpt = False,
):
    """Check catalog files; exit 2 if any has a problem (each named by file, line and key).

    Example: gpuadvisor catalog validate ~/.config/gpuadvisor/catalogs/acme.toml
    """
    from gpuadvisor.catalog import builtin_dir, extra_dirs, validate_paths
    from gpuadvisor.views import validate_view

    targets = list(paths) if paths else [builtin_dir()] + [d for _, d in extra_dirs() if d.exists()]
    reports = validate_paths(targets)
    _emit(validate_view(reports), as_json)
    bad = [r for r in reports if r.problems]
    if bad:
        sys.stderr.write(f"{PROG}: error: {len(bad)} catalog file(s) have problems; first: {bad[0].problems[0]}\n")
        return 2
    return 0


@catalog_app.command("paths")
def catalog_paths(as_json: JsonOpt = False):
    """Show where catalogs are read from, in load order, and which files loaded.

    Example: GPUADVISOR_CATALOG_PATH=./my-catalogs gpuadvisor catalog paths
    """
    from gpuadvisor.catalog import builtin_dir, builtin_only, extra_dirs
    from gpuadvisor.fsread import display_path
    from gpuadvisor.views import paths_view

    cat = _catalog()
    extra = [(o, display_path(d), d.is_dir()) for o, d in extra_dirs()]
    _emit(paths_view(cat, display_path(builtin_dir()), extra, builtin_only()), as_json)
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
