"""Commands on provider syntax: translate (a spec, or every config in a `--file`) and check (lint apps)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

from gpuadvisor.cli.common import (
    PROG,
    JsonOpt,
    _catalog,
    _Command,
    _emit,
    _progress,
    _user_path,
    app,
    opt,
)
from gpuadvisor.commands.common import note_overrides
from gpuadvisor.commands.translate import CHECK, DIFF, IN_PLACE, OUTPUT, TRANSLATE, ignore_codes


@app.command("translate", cls=_Command)
def translate_cmd(
    args: Annotated[Optional[list[str]], opt(TRANSLATE["args"])] = None,
    count: Annotated[Optional[int], opt(TRANSLATE["count"])] = None,
    file: Annotated[Optional[str], opt(TRANSLATE["file"])] = None,
    write: Annotated[bool, opt(TRANSLATE["write"])] = False,
    output: WriteOutput = None,
    in_place: InPlace = False,
    diff: DiffOpt = False,
    explain: Annotated[bool, opt(TRANSLATE["explain"])] = False,
    as_json: JsonOpt = False):
    """Translate a GPU config from one provider's syntax to another's, saying what changes.

    Give SOURCE TARGET SPEC, with SPEC written as SOURCE writes it; or `--file app.py [SOURCE] TARGET`
    to translate every GPU config in a Python file (parsed, never run).

    **Examples**

    * `gpuadvisor translate modal runpod "A100:4"`
    * `gpuadvisor translate modal fal '["H100", "A100-40GB:2"]'`
    * `gpuadvisor translate --file app.py fal`
    * `gpuadvisor translate --file app.py runpod --write`
    """
    from gpuadvisor.errors import UsageError

    args = list(args or [])
    cat = _catalog()
    if file is not None:
        if len(args) not in (1, 2):
            raise UsageError("with --file, give the target provider (optionally preceded by the source): "
                             "gpuadvisor translate --file app.py fal")
        mode = WriteMode(write or in_place or diff or output is not None, output, in_place, diff)
        return _translate_file(cat, _user_path(file, "--file"), args, count, as_json, mode, explain)
    if write or in_place or diff or output is not None:
        raise UsageError("--write, --output, --in-place and --diff go with --file: gpuadvisor translate --file app.py runpod --write")
    if len(args) != 3:
        raise UsageError(f"translate needs SOURCE TARGET SPEC (got {len(args)} argument(s)), "
                         "e.g. gpuadvisor translate modal runpod \"A100:4\"")
    from gpuadvisor.commands.translate import run_translate

    source, target, spec = args
    _emit(run_translate(cat, source, target, spec, count), as_json)
    return 0


class WriteMode:
    """How a rewrite is delivered (apps.write.writeback): a new file, --output, --in-place or --diff."""

    def __init__(self, on: bool, output: str | None = None, in_place: bool = False, diff: bool = False):
        from gpuadvisor.errors import UsageError

        if in_place and output is not None:
            raise UsageError("--in-place and --output both say where to write; give one")
        if diff and (in_place or output is not None):
            raise UsageError("--diff prints the change and writes nothing; leave out --in-place and --output")
        self.on, self.output, self.in_place, self.diff = on, output, in_place, diff


WriteOutput = Annotated[Optional[str], opt(OUTPUT)]
InPlace = Annotated[bool, opt(IN_PLACE)]
DiffOpt = Annotated[bool, opt(DIFF)]


def _deliver(cat, plans, tag: str, mode: WriteMode, as_json: bool, written: dict | None = None) -> int:
    """Write (or diff) each file's verified rewrite and say what was done, what needs a person, and
    what was not written. `written`: files already written (plan path -> where), for a directory copy."""
    import json

    from gpuadvisor.apps.write.writeback import diff_text, output_path, write_plan
    from gpuadvisor.fsread import display_path

    if mode.output is not None and len(plans) > 1 and written is None:
        from gpuadvisor.errors import UsageError

        raise UsageError("--output names one file; with several files, use the default names or --in-place")
    report = []
    for plan in plans:
        shown = display_path(plan.path)
        backup = None
        if written is not None:
            dest = written[plan.path]
        elif mode.diff:
            dest = None
            if not as_json:
                sys.stdout.write(diff_text(plan, shown))
        else:
            dest = output_path(plan.path, tag, Path(mode.output) if mode.output else None, mode.in_place)
            backup = write_plan(plan, dest, mode.in_place)
        report.append({"file": shown, "written": display_path(dest) if dest else None,
                       "backup": display_path(backup) if backup else None,
                       "sites": [{"line": s.finding.line, "config": s.config} for s in plan.sites],
                       "needs_human": [{"line": s.finding.line, "why": s.human} for s in plan.human],
                       "imports_added": plan.imports, "not_written": plan.skipped,
                       "diff": diff_text(plan, shown) if mode.diff and as_json else None})
    if as_json:
        sys.stdout.write(json.dumps({"rewrites": report}, indent=2) + "\n")
    for r in report:
        where = f"wrote {r['written']}" + (f" (original kept as {r['backup']})" if r["backup"] else "") if r["written"] else "diff only, nothing written"
        sys.stderr.write(f"{PROG}: {r['file']}: {where}: {len(r['sites'])} site(s) rewritten, re-read as intended"
                         + (f"; imports added: {'; '.join(r['imports_added'])}" if r["imports_added"] else "") + "\n")
        for h in r["needs_human"]:
            sys.stderr.write(f"{PROG}: {r['file']}:{h['line']}: needs a person: {h['why']}\n")
        for n in r["not_written"]:
            sys.stderr.write(f"{PROG}: {r['file']}: not written: {n}\n")
    return 0


def _translate_file(cat, path: Path, args: list[str], count, as_json: bool, mode: WriteMode | None = None,
                    explain: bool = False) -> int:
    """Every GPU config in the file, translated; exit code and summary from apptranslate.outcome."""
    from gpuadvisor.apps.write.apptranslate import outcome
    from gpuadvisor.commands.translate import scan_and_translate
    from gpuadvisor.fsread import display_path
    from gpuadvisor.views.translate import file_view

    target = cat.provider(args[-1]).id
    source = cat.provider(args[0]).id if len(args) == 2 else None
    shown = display_path(path)
    if path.is_dir() and mode is not None and mode.on:
        return _translate_dir_write(cat, path, target, source, count, mode, as_json)
    scan, results = scan_and_translate(cat, path, shown, target, source, count)
    result = outcome(results)
    if mode is not None and mode.on:
        return _translate_write(cat, path, scan, results, target, mode, as_json, result)
    note_overrides(cat, [o.offering for r in results for tr in r.translations if tr for o in (*tr.source, *tr.target)])
    _emit(file_view(shown, target, results, scan, explain), as_json)
    if result.summary:
        kind = "error" if result.code else "note"
        sys.stderr.write(f"{PROG}: {kind}: {result.summary}\n")
    return result.code


def _translate_write(cat, path: Path, scan, results, target: str, mode: WriteMode, as_json: bool, result) -> int:
    from gpuadvisor.apps.write.writeback import is_config, plan_file, translation_sites
    from gpuadvisor.errors import NoMatch, UsageError
    from gpuadvisor.fsread import read_text_capped

    config = is_config(path)
    if config and any(f.provider != target for f in scan.findings):
        names = {cat.providers[f.provider].name for f in scan.findings}
        raise UsageError(f"{path.name} is a {'/'.join(sorted(names))} config file; it cannot hold a "
                         f"{cat.providers[target].name} config, so --write has nothing to write (drop --write for the translation)")
    sites, skipped = translation_sites(cat, results, target, config)
    if not sites:
        raise NoMatch("nothing to write: " + ("; ".join(skipped) or "no translated configuration"))
    text = read_text_capped(path, 512 * 1024, "file")
    return _deliver(cat, [plan_file(cat, path, text, sites, list(scan.findings), skipped)], target, mode, as_json)


def _translate_dir_write(cat, root: Path, target: str, source, count, mode: WriteMode, as_json: bool) -> int:
    """An app directory: DIR.TARGET/ beside it (a copy with the rewritten files), or --in-place / --diff per file."""
    from gpuadvisor.apps.write.writeback import translate_dir, write_tree
    from gpuadvisor.errors import NoMatch
    from gpuadvisor.fsread import display_path

    plans = translate_dir(cat, root, target, source, count)
    if not plans:
        raise NoMatch(f"nothing to write: no GPU configuration under {display_path(root)} translates to {target}")
    if mode.diff or mode.in_place:
        return _deliver(cat, plans, target, mode, as_json)
    dest = Path(mode.output) if mode.output else root.resolve().with_name(f"{root.resolve().name}.{target}")
    write_tree(root, dest, plans)
    return _deliver(cat, plans, target, mode, as_json, {p.path: dest / p.path.relative_to(root) for p in plans})


@app.command("check", cls=_Command)
def check_cmd(
    paths: Annotated[Optional[list[str]], opt(CHECK["paths"])] = None,
    source: Annotated[Optional[str], opt(CHECK["source"])] = None,
    fail_on: Annotated[str, opt(CHECK["fail_on"])] = "error",
    ignore: Annotated[Optional[list[str]], opt(CHECK["ignore"])] = None,
    as_json: JsonOpt = False,
    fmt: Annotated[Optional[str], opt(CHECK["fmt"])] = None,
    fix: Annotated[bool, opt(CHECK["fix"])] = False,
    output: WriteOutput = None,
    in_place: InPlace = False,
    diff: DiffOpt = False):
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
    * `gpuadvisor check app.py --fix --diff`
    """
    from gpuadvisor.apps.check.lint import SEVERITIES
    from gpuadvisor.errors import UnknownName, UsageError

    if not paths:
        raise UsageError("name at least one file or directory, e.g. gpuadvisor check app.py")
    level = fail_on.strip().lower()
    if level not in (*SEVERITIES, "never"):
        raise UnknownName("--fail-on level", fail_on, (*SEVERITIES, "never"))
    codes = ignore_codes(ignore)
    cat = _catalog()
    src = cat.provider(source).id if source else None
    if fix or in_place or diff or output is not None:
        if not fix:
            raise UsageError("--in-place, --diff and --output go with --fix: gpuadvisor check app.py --fix --diff")
        from gpuadvisor.apps.write.writeback import fix_paths

        targets = [_user_path(p, "PATH") for p in paths]
        plans, _ = fix_paths(cat, targets, src, codes)
        if not plans:
            sys.stderr.write(f"{PROG}: note: no suggested rewrites to apply\n")
            return 0
        mode = WriteMode(True, output, in_place, diff)
        if len(targets) == 1 and targets[0].is_dir() and not (in_place or diff):  # an app directory: DIR.fixed/
            from gpuadvisor.apps.write.writeback import write_tree

            root = targets[0]
            dest = Path(output) if output else root.resolve().with_name(f"{root.resolve().name}.fixed")
            write_tree(root, dest, plans)
            return _deliver(cat, plans, "fixed", mode, as_json, {p.path: dest / p.path.relative_to(root) for p in plans})
        return _deliver(cat, plans, "fixed", mode, as_json)
    from gpuadvisor.commands.translate import run_check

    if paths == ["-"]:  # `check -`: the text on stdin, read as a Python file named stdin.py
        from gpuadvisor.commands.translate import MAX_CONTENT, content_file

        text = sys.stdin.read(MAX_CONTENT + 1)
        view, code = content_file(text, "stdin.py", lambda p, shown: run_check(cat, [p], source, level, ignore))
    else:
        with _progress("checking") as tick:
            view, code = run_check(cat, [_user_path(p, "PATH") for p in paths], source, level, ignore, tick)
    _emit(view, as_json, fmt)
    return code
