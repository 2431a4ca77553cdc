"""What every command room shares: the app and its error handling, shared options, shell completion,
catalog loading and printing a View.

Errors: library code raises GpuAdvisorError; `_Group.main` turns it (and click's usage errors)
into one line on stderr and the contract's exit code (2 bad input, 1 nothing matched).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from typer.core import TyperCommand, TyperGroup

from gpuadvisor import __version__
from gpuadvisor.commands import common as _spec
from gpuadvisor.errors import GpuAdvisorError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

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
        except OSError as e:  # the environment or a path the user gave (a name over 255 bytes, …): not a bug
            from gpuadvisor.errors import clip

            where = f": {clip(os.fsdecode(e.filename), 80)}" if isinstance(e.filename, (str, bytes)) else ""
            _fail(f"{e.strerror or type(e).__name__}{where}", 2)
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
    try:
        sys.stderr.write(f"{PROG}: error: {message}\n")
    except (AttributeError, OSError, ValueError):  # stderr closed (2>&-): the exit code still says it
        pass
    sys.exit(code)


HELP = {"help_option_names": ["-h", "--help"]}  # `-h` works everywhere

app = typer.Typer(
    cls=_Group, context_settings=HELP, no_args_is_help=True, pretty_exceptions_enable=False, add_completion=True, rich_markup_mode="markdown",
    help="Which GPU to rent on Modal, RunPod, fal.ai and every other provider in the catalogs (`gpuadvisor catalog info`) — and how to write it in that provider's syntax.",
    epilog="**Examples**\n\n"
           "* `gpuadvisor recommend --model llama-3.1-8b --context 8k`\n"
           "* `gpuadvisor translate modal runpod \"A100:4\"`\n"
           "* `gpuadvisor estimate --model llama-3.1-70b --dtype fp8`\n"
           "* `gpuadvisor check app.py`\n"
           "* `gpuadvisor list --provider runpod`",
)
catalog_app = typer.Typer(cls=_Group, context_settings=HELP, no_args_is_help=True, rich_markup_mode="markdown", help="Inspect and validate catalog files.")
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
    """GPU names and aliases; not the count/shape strings (A100:8, A100:2x24x288) lookups also accept."""
    cat = _quiet_catalog()
    return _complete([n for n in cat.all_names() if ":" not in n], incomplete) if cat else []


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


# Options are described once, as data, in gpuadvisor.commands (the MCP server reads the same Params).
_COMPLETERS = {"gpu": complete_gpu, "provider": complete_provider, "model": complete_model, "workload": complete_workload,
               "sort": complete_sort, "translate_args": complete_translate_args}


def opt(param):
    """The Typer option (or argument) for a gpuadvisor.commands Param: its flags, help, completion."""
    kw = dict(param.extra)
    if param.metavar:
        kw["metavar"] = param.metavar
    values = param.choices or param.suggest
    if param.complete:
        kw["autocompletion"] = _COMPLETERS[param.complete]
    elif values:
        kw["autocompletion"] = lambda incomplete: _complete(values, incomplete)
    if param.argument:
        return typer.Argument(help=param.help, **kw)
    return typer.Option(*param.flags, help=param.help, **kw)


# Shared options, declared once (as data in gpuadvisor.commands.common).

JsonOpt = Annotated[bool, opt(_spec.JSON)]
FormatOpt = Annotated[Optional[str], opt(_spec.FORMAT)]
ProviderOpt = Annotated[Optional[list[str]], opt(_spec.PROVIDER)]
RegionOpt = Annotated[Optional[str], opt(_spec.REGION)]


def _version(value: bool):
    if value:
        sys.stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit(0)


_INVOKED: list[str | None] = [None]  # the command this process runs (set by the root callback)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
    builtin_only: Annotated[bool, typer.Option("--builtin-only", help="Read only the built-in catalogs: no extra catalog "
                                               "directory at all (also GPUADVISOR_BUILTIN_ONLY=1).")] = False,
    max_price_age: Annotated[Optional[int], typer.Option("--max-price-age", metavar="DAYS", show_default=False,
                                                         help="Warn when a price behind an answer is older than this "
                                                         "(default 120 days; also GPUADVISOR_MAX_PRICE_AGE).")] = None,
    wide: Annotated[bool, typer.Option("--wide", help="One line per table row: nothing moved under the row or "
                                       "wrapped to the terminal's width (or 100 columns in a pipe).")] = False,
):
    """gpuadvisor: sourced GPU facts, recommendations and translations for serverless GPU providers."""
    from gpuadvisor.catalog import set_builtin_only
    from gpuadvisor.freshness import set_max_age

    set_builtin_only(builtin_only)
    set_max_age(max_price_age)
    from gpuadvisor.render import set_wide

    set_wide(wide)  # always: tests run many commands in one process
    _INVOKED[0] = ctx.invoked_subcommand


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
        self.label, self.threshold = label, threshold
        self.bar: Progress | None = None  # rich is imported only when a bar is drawn
        self.task: TaskID | None = None

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
        assert self.task is not None, "made with the bar"
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
    fmt = fmt or ("json" if as_json else "table")
    emit(view, as_json, fmt)
    if fmt == "table":  # under the text answer; JSON carries price.age_days / price.stale instead
        _stale_prices(view)


DATED_COMMANDS = ("recommend", "cost", "translate", "compare", "show")


def _stale_prices(view) -> None:
    """Under the answer of a command that shows prices: one stderr line naming the providers whose
    prices behind it are older than the limit (freshness.max_age), and the command that refreshes them."""
    if _INVOKED[0] not in DATED_COMMANDS:
        return
    from gpuadvisor.freshness import stale_line

    dates: list[tuple[str, str]] = []

    def walk(node, provider: str | None) -> None:
        if isinstance(node, dict):
            here = node.get("provider") if isinstance(node.get("provider"), str) else provider
            if node.get("stale") is True and isinstance(node.get("as_of"), str) and here:
                dates.append((here, node["as_of"]))
            for k, v in node.items():
                if k != "price_low":  # a discount's date: refresh cannot renew what a source stopped publishing
                    walk(v, here)
        elif isinstance(node, list):
            for v in node:
                walk(v, provider)

    walk(view.data, None)
    line = stale_line(dates)
    if line:  # name the refresh command only for providers that have a source
        from gpuadvisor.catalog.refresh import refreshable

        line = stale_line(dates, refreshable=refreshable())
    if line:
        sys.stderr.write(f"{PROG}: {line}\n")

