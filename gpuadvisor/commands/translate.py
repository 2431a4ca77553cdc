"""translate and check: their options as data and the runners each front end calls. Writing files
(--write, --fix) stays with the CLI; an agent gets the translation and applies it itself."""

from __future__ import annotations

import sys
from pathlib import Path

from gpuadvisor.commands.common import EXPLAIN, JSON, PROG, note_overrides
from gpuadvisor.commands.spec import Command, Param

SEVERITY_LEVELS = ("error", "warning", "info", "never")

COUNT = Param("count", int, "GPU count (RunPod's gpu_count, fal's num_gpus; Modal: for items without :N).", ("--count", "-c"))
OUTPUT = Param("output", str, "Write the result here (a new file; never over an existing one).", ("--output", "-o"), metavar="PATH", cli_only=True)
IN_PLACE = Param("in_place", bool, "Edit the file itself, keeping the original as FILE.orig.", ("--in-place",), default=False, cli_only=True)
DIFF = Param("diff", bool, "Print the change as a unified diff; write nothing.", ("--diff",), default=False, cli_only=True)

TRANSLATE = Command("translate", "Translate a GPU config from one provider's syntax to another's, saying what changes.", (
    Param("args", str, "SOURCE TARGET SPEC, or with --file: [SOURCE] TARGET.", metavar="SOURCE TARGET SPEC", multiple=True,
          cli_only=True, complete="translate_args", extra={"show_default": False}),
    COUNT,
    Param("file", str, "Read the GPU configs from this Python file (parsed, never run); with --write, also an app directory.",
          ("--file", "-f"), metavar="PATH", cli_only=True),
    Param("write", bool, "With --file: write the translated file (app.TARGET.py beside it; see --output, --in-place, --diff).",
          ("--write",), default=False, cli_only=True),
    OUTPUT, IN_PLACE, DIFF, EXPLAIN, JSON,
))
# The tool's arguments beyond the shared ones: the CLI's positional SOURCE TARGET SPEC by name, and an
# app file's content with its file name in place of --file (an agent has the text, not our disk).
TRANSLATE_TOOL = {
    "source": Param("source", str, "The provider SPEC is written for (modal, runpod, fal, …); with content, optional.", complete="provider"),
    "target": Param("target", str, "The provider to translate to.", required=True, complete="provider"),
    "spec": Param("spec", str, "A GPU config as SOURCE writes it, e.g. \"A100:4\" for modal."),
    "content": Param("content", str, "An app file's text (instead of spec): every GPU config in it is translated."),
    "filename": Param("filename", str, "The app file's name (app.py, config.yaml, …): how its content is read.", default="app.py"),
}

CHECK = Command("check", "Lint the GPU specs in provider apps and config files (files are parsed, never run).", (
    Param("paths", str, "Python files, or directories to search for *.py; - reads one file from stdin.", metavar="PATH...", multiple=True, extra={"show_default": False}),
    Param("source", str, "Read every file as this provider's app (for snippets that import nothing).", ("--source",), complete="provider"),
    Param("fail_on", str, "Exit 1 when a finding is at least this severe: error, warning, info or never.", ("--fail-on",),
          default="error", choices=SEVERITY_LEVELS),
    Param("ignore", str, "Rule codes to skip (repeatable or comma-separated): GA110,GA109.", ("--ignore",), multiple=True),
    JSON,
    Param("fmt", str, "text (default), json, sarif or csv.", ("--format",), suggest=("text", "json", "sarif", "csv"), cli_only=True),
    Param("fix", bool, "Apply the suggested rewrites (app.fixed.py beside each file; see --in-place, --diff, --output).", ("--fix",),
          default=False, cli_only=True),
    OUTPUT, IN_PLACE, DIFF,
))
CHECK_TOOL = {
    "content": Param("content", str, "A file's text to check (instead of paths)."),
    "filename": Param("filename", str, "The file's name (app.py, config.yaml, …): how its content is read.", default="app.py"),
    "paths": Param("paths", str, "Files or directories under the server's --root (relative to it).", multiple=True),
}


def run_translate(cat, source: str, target: str, spec: str, count=None):
    """One spec, SOURCE's syntax to TARGET's."""
    from gpuadvisor.translate import translate
    from gpuadvisor.views.translate import translate_view

    tr = translate(cat, source, target, spec, count)
    note_overrides(cat, [o.offering for o in tr.source] + [o.offering for o in tr.target])
    return translate_view(tr)


def scan_and_translate(cat, path: Path, shown: str, target: str, source: str | None, count=None):
    """Every GPU config in one file, read (never run) and translated; NoMatch when there is none."""
    from gpuadvisor.apps.read.filescan import MAX_FINDINGS
    from gpuadvisor.apps.read.scan import scan_file
    from gpuadvisor.apps.write.apptranslate import translate_scan
    from gpuadvisor.errors import NoMatch

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
    return scan, results


def run_translate_file(cat, path: Path, shown: str, target: str, source: str | None = None, count=None,
                       explain: bool = False):
    """translate --file without --write: (view, outcome) — the outcome's code and summary line."""
    from gpuadvisor.apps.write.apptranslate import outcome
    from gpuadvisor.views.translate import file_view

    scan, results = scan_and_translate(cat, path, shown, target, source, count)
    note_overrides(cat, [o.offering for r in results for tr in r.translations if tr for o in (*tr.source, *tr.target)])
    return file_view(shown, target, results, scan, explain), outcome(results)


def run_check(cat, paths: list[Path], source=None, fail_on="error", ignore=None, progress=None, within: Path | None = None):
    """check without --fix: (view, exit code). `within`: a directory no file read may leave (a file
    that links outside it is bad input; local imports are looked up only inside it)."""
    from gpuadvisor.apps.check.lint import SEVERITIES, at_or_above, check_paths
    from gpuadvisor.errors import UnknownName
    from gpuadvisor.views.check import check_view

    level = fail_on.strip().lower()
    if level not in (*SEVERITIES, "never"):
        raise UnknownName("--fail-on level", fail_on, (*SEVERITIES, "never"))
    codes = ignore_codes(ignore)
    src = cat.provider(source).id if source else None
    if within is not None:
        from gpuadvisor.apps.check.lint import python_files
        from gpuadvisor.errors import UsageError
        from gpuadvisor.fsread import display_path

        for f in python_files(paths):
            if not f.resolve().is_relative_to(within):
                raise UsageError(f"{display_path(f)} leads outside {display_path(within)}; nothing outside it is read")
    report = check_paths(cat, paths, src, codes, progress, within)
    if not report.files:
        sys.stderr.write(f"{PROG}: warning: no Python files found\n")
    failing = at_or_above(report.issues, level) if level != "never" else []
    return check_view(report, level), 1 if failing else 0


def ignore_codes(ignore) -> frozenset[str]:
    return frozenset(c.strip().upper() for item in ignore or () for c in item.split(",") if c.strip())


MAX_CONTENT = 512 * 1024


def content_file(content: str, filename: str, run):
    """`run(path, shown)` on text that is no file of ours (an agent's content, `check -`'s stdin):
    written under its own name into a private temporary directory, run from there so every path
    shown is just the name, and removed afterwards."""
    import os
    import tempfile

    from gpuadvisor.errors import UsageError

    name = Path(filename or "app.py").name
    if name in ("", ".", ".."):
        raise UsageError(f"filename {filename!r} is not a file name, e.g. app.py")
    if len(content.encode("utf-8", "surrogatepass")) > MAX_CONTENT:
        raise UsageError(f"content is over {MAX_CONTENT // 1024} KiB")
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="gpuadvisor-") as tmp:
        (Path(tmp) / name).write_text(content, encoding="utf-8", errors="surrogateescape")
        os.chdir(tmp)
        try:
            return run(Path(name), name)
        finally:
            os.chdir(here)
