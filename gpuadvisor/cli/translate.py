"""Commands on provider syntax: translate (a spec, or every config in a `--file`) and check (lint apps)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from gpuadvisor.cli.common import (
    PROG,
    JsonOpt,
    _catalog,
    _Command,
    _complete,
    _emit,
    _note_overrides,
    _progress,
    _user_path,
    app,
    complete_provider,
    complete_translate_args,
)


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
    from gpuadvisor.views.translate import translate_view

    source, target, spec = args
    tr = translate(cat, source, target, spec, count)
    _note_overrides(cat, [o.offering for o in (*tr.source, *tr.target)])
    _emit(translate_view(tr), as_json)
    return 0


def _translate_file(cat, path: Path, args: list[str], count, as_json: bool) -> int:
    """Every GPU config in the file, translated; exit code and summary from apptranslate.outcome."""
    from gpuadvisor.apps.read.filescan import MAX_FINDINGS
    from gpuadvisor.apps.read.scan import scan_file
    from gpuadvisor.apps.write.apptranslate import outcome, translate_scan
    from gpuadvisor.errors import NoMatch
    from gpuadvisor.fsread import display_path
    from gpuadvisor.views.translate import file_view

    target = cat.provider(args[-1]).id
    source = cat.provider(args[0]).id if len(args) == 2 else None
    shown = display_path(path)
    scan = scan_file(path, source)
    results = translate_scan(cat, scan, target, count, source)
    if not results:
        from gpuadvisor.apps.read.filescan import PROVIDER_MODULES

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
    """Lint the GPU specs in provider apps and config files (files are parsed, never run).

    Finds ambiguous or legacy names, specs that may land on other hardware, counts over a limit,
    CPU/GPU mix-ups and values that cannot be read, each with a code (GA101…) and a rewrite.
    Reads Python apps by what they import, and provider config files by name (README: `check`).
    Exit 0: nothing at `--fail-on` or above; 1: findings; 2: bad input. Silence one line with
    `# noqa: GA102` (or `# noqa` for all).

    **Examples**

    * `gpuadvisor check app.py`
    * `gpuadvisor check src/ --fail-on warning`
    * `gpuadvisor check . --format sarif > gpuadvisor.sarif`
    * `gpuadvisor check app.py --ignore GA110`
    """
    from gpuadvisor.apps.check.lint import SEVERITIES, at_or_above, check_paths
    from gpuadvisor.errors import UnknownName, UsageError
    from gpuadvisor.views.check import check_view

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
