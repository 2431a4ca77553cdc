"""Plan, verify and write an app's rewrites (rewrite.py makes the edits): which sites get which config,
the re-read that every written file must pass, and where the result goes.

Output (never silently over an existing file):
  default     a new file next to the source: app.py -> app.<tag>.py, config.yaml -> config.<tag>.yaml
              (tag: the target provider for translate, `fixed` for check --fix)
  --output P  that path (a single file only)
  --in-place  the source itself, after copying it to <name>.orig
  --diff      a unified diff on stdout; nothing written
"""

from __future__ import annotations

import ast
import difflib
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from gpuadvisor.apps.evaluate.staticeval import Evaluator
from gpuadvisor.apps.read.configscan import _format, scan_config_text
from gpuadvisor.apps.read.filescan import PROVIDER_MODULES, _Reader
from gpuadvisor.apps.read.findings import Finding
from gpuadvisor.apps.write.rewrite import (
    Edit,
    RewriteFailed,
    Rewritten,
    Site,
    _Text,
    apply,
    config_pairs,
    count_key,
    plan_config,
    plan_python,
    shifted,
)
from gpuadvisor.errors import GpuAdvisorError, UsageError

SDK_MODULE = PROVIDER_MODULES  # where a target's SDK names come from (the file's own choice first)


@dataclass
class FilePlan:
    path: Path
    before: str
    after: str
    sites: list[Site]
    human: list[Site] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # sites not written, with why


def is_config(path: Path) -> bool:
    return _config_kind(path) is not None


def _config_kind(path: Path) -> str | None:
    fmt = _format(path)
    if fmt is None:
        return None
    return "hub" if fmt == "hub" else "toml" if fmt.endswith(".toml") else "yaml"


def rewrite_text(cat, path: Path, text: str, sites: list[Site], all_findings: list[Finding]) -> Rewritten:
    """The file's text with the sites rewritten, re-read and checked (RewriteFailed names the sites
    that do not read as intended; nothing is written then)."""
    kind = _config_kind(path)
    if kind is not None:
        edits = [e for s in sites for e in plan_config(kind, text, s, cat.providers[s.provider])]
        new = apply(text, edits)
        problems = _verify_config(cat, path, new, sites)
        imports: list[str] = []
    else:
        literals: dict = {}
        for f in all_findings:
            if f.anchor is not None and f.anchor.literal:
                literals[f.anchor.literal] = literals.get(f.anchor.literal, 0) + 1
        edits, imports = plan_python(text, sites, cat.providers, SDK_MODULE, literals)
        new = apply(text, edits)
        problems = _verify_python(cat, path, text, new, sites, edits)
    if problems:
        raise RewriteFailed(f"{path.name}: the rewrite would not read as intended, so nothing was written: "
                            + "; ".join(problems))
    return Rewritten(new, sites, [s for s in sites if s.human], imports)


# ---------------------------------------------------------------------------- verification

def _options(cat, provider: str, spec: str, count: int | None):
    from gpuadvisor.translate import parse_spec

    return [(o.offering.name, o.count, o.suffix) for o in parse_spec(cat, provider, spec, count)]


def _same(cat, provider: str, got: tuple, want: tuple) -> str:
    """'' when two (spec, count) readings name the same options, else what differs."""
    if got == want:
        return ""
    try:
        if _options(cat, provider, *got) == _options(cat, provider, *want):
            return ""
    except GpuAdvisorError as e:
        return f"reads as {got[0]!r} ({e})"
    return f"reads as {got[0]!r}" + (f" ×{got[1]}" if got[1] else "") + f", meant {want[0]!r}" + (
        f" ×{want[1]}" if want[1] else "")


def _assigned(stmt: ast.stmt) -> ast.expr:
    """The value of one line of _read_value's source (`v = ...`)."""
    assert isinstance(stmt, ast.Assign | ast.Expr), "the source is assignments"
    return stmt.value


def _read_value(cat, provider: str, value: str, count: str | None) -> tuple:
    """What a written value and count read as, through the scanner's own reader."""
    src = f"v = {value}\n" + (f"c = {count}\n" if count else "")
    tree = ast.parse(src)
    ev = Evaluator(tree, src)
    f = _Reader(ev, provider).finding("rewrite", 1, _assigned(tree.body[0]), _assigned(tree.body[1]) if count else None)
    return f.spec, f.count


def _verify_python(cat, path: Path, old: str, new: str, sites: list[Site], edits: list[Edit]) -> list[str]:
    try:
        compile(new, str(path), "exec")
        tree = ast.parse(new)
    except (SyntaxError, ValueError) as e:
        return [f"the result is not valid Python ({e})"]
    ev = Evaluator(tree, new)
    old_t, new_t = _Text(old), _Text(new)
    owners: dict[int, list[tuple[int, ast.Call | ast.ClassDef]]] = {}  # start -> (end, node): chained calls share a start
    for n in ast.walk(tree):
        if isinstance(n, ast.Call | ast.ClassDef):
            assert n.end_lineno is not None and n.end_col_offset is not None, "parsed nodes have positions"
            owners.setdefault(new_t.offset(n.lineno, n.col_offset), []).append((new_t.offset(n.end_lineno, n.end_col_offset), n))
    problems = []
    for site in sites:
        f, a = site.finding, site.finding.anchor
        assert a is not None, "a Python file's sites are anchored findings (skipped otherwise)"
        pairs = config_pairs(site.config)
        key, value = pairs[0]
        count = pairs[1][1] if len(pairs) > 1 else None
        ck = pairs[1][0] if len(pairs) > 1 else count_key(cat.providers[site.provider])
        start, end = old_t.span(a.owner)
        end = shifted(edits, end)
        value_node = count_node = None
        for _, owner in sorted(owners.get(shifted(edits, start), []), key=lambda c: abs(c[0] - end)):
            value_node, count_node = _site_nodes(ev, owner, a.form, key, ck)
            if value_node is not None:
                break
        if value_node is None:
            problems.append(f"line {f.line}: {key}= is not found at the site after the rewrite")
            continue
        got = _Reader(ev, site.provider).finding("rewrite", value_node.lineno, value_node, count_node)
        if got.status != "ok":
            problems.append(f"line {f.line}: {got.problem or got.status}")
            continue
        why = _same(cat, site.provider, (got.spec, got.count), _read_value(cat, site.provider, value, count))
        if why:
            problems.append(f"line {f.line}: {why}")
    return problems


def _site_nodes(ev: Evaluator, owner: ast.Call | ast.ClassDef, form: str, key: str, ck: str):
    """The value and count nodes of a site in the rewritten tree."""
    if form in ("dict", "dictcall"):
        for splat in (k.value for k in owner.keywords if k.arg is None):
            try:
                value, _ = ev.kwargs_entry(splat, key)
                count, _ = ev.kwargs_entry(splat, ck) if ck else (None, "")
            except Exception:  # noqa: BLE001  an unreadable dict is a failed re-read, said by the caller
                continue
            if value is not None:
                return value, count
        return None, None
    found = {k.arg: k.value for k in owner.keywords if k.arg}
    if isinstance(owner, ast.ClassDef):
        for stmt in owner.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                found[stmt.targets[0].id] = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                found[stmt.target.id] = stmt.value
    return found.get(key), found.get(ck) if ck else None


def _expected_config(kind: str, value: str) -> str:
    if kind == "toml":
        v = tomllib.loads(f"x = {value}")["x"]
        return v if isinstance(v, str) else "[" + ", ".join(repr(x) for x in v) + "]"
    if kind == "hub":
        import json

        return ",".join(p for p in json.loads(value).split(",") if not p.strip().startswith("-"))
    return value.strip()


def _verify_config(cat, path: Path, new: str, sites: list[Site]) -> list[str]:
    kind = _config_kind(path)
    assert kind is not None, "rewrite_text verifies config files only"
    try:
        scan = scan_config_text(str(path), new)
    except GpuAdvisorError as e:
        return [f"the result does not parse ({e})"]
    problems = []
    for site in sites:
        pairs = config_pairs(site.config)
        want = (_expected_config(kind, pairs[0][1]), int(pairs[1][1]) if len(pairs) > 1 else None)
        got = next((f for f in scan.findings if f.line == site.finding.line), None)
        if got is None or got.status != "ok":
            problems.append(f"line {site.finding.line}: no configuration reads there after the rewrite")
            continue
        n = got.count if got.count not in (None, 1) or want[1] else None
        why = _same(cat, site.provider, (got.spec, n), (want[0], want[1] if want[1] not in (None, 1) else None))
        if why:
            problems.append(f"line {site.finding.line}: {why}")
    return problems


# ---------------------------------------------------------------------------- output

def output_path(path: Path, tag: str, output: Path | None, in_place: bool) -> Path:
    """Where a file's result goes: itself (--in-place), --output, or app.<tag>.py beside it."""
    if in_place:
        return path
    if output is not None:
        return output
    stem, dot, suffix = path.name.rpartition(".")
    return path.with_name(f"{stem}.{tag}.{suffix}" if dot and stem else f"{path.name}.{tag}")


def diff_text(plan: FilePlan, shown: str) -> str:
    """A unified diff of the rewrite (a last line without a newline is marked, as diff(1) does)."""
    before = plan.before.splitlines(keepends=True)
    after = plan.after.splitlines(keepends=True)
    for lines in (before, after):
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n\\ No newline at end of file\n"
    return "".join(difflib.unified_diff(before, after, fromfile=f"a/{shown.lstrip('/')}", tofile=f"b/{shown.lstrip('/')}"))


def write_plan(plan: FilePlan, dest: Path, in_place: bool) -> Path | None:
    """Write one file's result; never over an existing file (a backup included) without being told.
    A path that cannot be written is bad input (one line, exit 2)."""
    try:
        return _write_plan(plan, dest, in_place)
    except OSError as e:
        raise UsageError(f"cannot write {e.filename or dest}: {e.strerror or e}") from None


def _write_plan(plan: FilePlan, dest: Path, in_place: bool) -> Path | None:
    if in_place:
        backup = plan.path.with_name(plan.path.name + ".orig")
        if backup.exists() or backup.is_symlink():
            raise UsageError(f"{backup} exists; move it away first (--in-place keeps the original there)")
        shutil.copy2(plan.path, backup)
        _atomic_write(plan.path.resolve(), plan.after, mode_from=plan.path)  # through a symlink, keeping the mode
        return backup
    if dest.exists() or dest.is_symlink():
        raise UsageError(f"{dest} exists; choose another --output or remove it (nothing is overwritten silently)")
    _atomic_write(dest, plan.after, exclusive=True)
    return None


def _atomic_write(path: Path, text: str, exclusive: bool = False, mode_from: Path | None = None) -> None:
    """exclusive: create the file, failing if it exists (never overwrites); else replace it whole."""
    if exclusive:
        try:
            with open(path, "x", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except FileExistsError:
            raise UsageError(f"{path} exists; choose another --output or remove it (nothing is overwritten silently)") from None
        return
    tmp = path.with_name(f".{path.name}.gpuadvisor-tmp")
    with open(tmp, "x", encoding="utf-8", newline="") as fh:
        fh.write(text)
    if mode_from is not None:
        shutil.copymode(mode_from, tmp)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------- what to write

def writable(config: str, provider) -> str:
    """'' when a config is a GPU value (and its count) that can be written at a site, else why not."""
    try:
        pairs = config_pairs(config)
    except (SyntaxError, ValueError):
        return f"{config} is not one keyword"
    counts = {"gpu_count", "num_gpus", "gpuCount", count_key(provider)} - {""}
    if not pairs or len(pairs) > 2 or (len(pairs) == 2 and pairs[1][0] not in counts):
        return f"{config} sets more than a GPU and its count, left for you"
    return ""


def translation_sites(cat, results, target: str, is_config: bool) -> tuple[list[Site], list[str]]:
    """A Site per translated finding (its Translation's config); the others said, not written."""
    dst = cat.providers[target]
    sites, skipped = [], []
    for r in results:
        f = r.finding
        if r.status == "no-gpu":
            continue
        if r.status != "translated":
            skipped.append(f"line {f.line}: {r.status}" + (f" ({r.message})" if r.message else ""))
            continue
        if len(r.translations) != 1 or r.translations[0] is None:
            skipped.append(f"line {f.line}: a conditional; each branch translates on its own, so it is left for you")
            continue
        if f.anchor is None and not is_config:
            skipped.append(f"line {f.line}: its value is not written in this file ({f.code})")
            continue
        if all(t.offering.kind == "cpu" for t in r.translations[0].target):
            skipped.append(f"line {f.line}: a CPU worker; {dst.name} writes it as {r.translations[0].config}, left for you")
            continue
        why = writable(r.translations[0].config, dst)
        if why:
            skipped.append(f"line {f.line}: {why}")
            continue
        src = cat.providers[f.provider]
        human = "" if f.provider == target else (
            f"the GPU below is {dst.name}'s; this {src.name} {f.kind} must be ported to {dst.name}'s API by hand")
        sites.append(Site(f, target, r.translations[0].config, human))
    return sites, skipped


def fix_sites(cat, findings: list[Finding], issues, is_config: bool) -> tuple[list[Site], list[str]]:
    """A Site per finding with a suggested rewrite (the most severe issue's, issues being sorted)."""
    by_line: dict[int, list[Finding]] = {}
    for f in findings:
        by_line.setdefault(f.line, []).append(f)
    sites, skipped, done = [], [], set()
    for i in issues:
        if not i.suggestion or i.line in done:
            continue
        fs = by_line.get(i.line, [])
        if len(fs) != 1:
            continue
        f = fs[0]
        done.add(i.line)
        if f.anchor is None and not is_config:
            skipped.append(f"line {i.line}: {i.code}: its value is not written in this file ({f.code})")
            continue
        why = writable(i.suggestion, cat.providers[f.provider])
        if why:
            skipped.append(f"line {i.line}: {i.code}: {why}")
            continue
        sites.append(Site(f, f.provider, i.suggestion))
    return sites, skipped


def plan_file(cat, path: Path, text: str, sites: list[Site], findings: list[Finding], skipped: list[str]) -> FilePlan:
    done = rewrite_text(cat, path, text, sites, findings)
    return FilePlan(path, text, done.text, sites, done.human, done.imports, skipped)


def fix_paths(cat, paths: list[Path], source: str | None = None, ignore: frozenset[str] = frozenset()) -> tuple[list[FilePlan], list[str]]:
    """`check --fix`: each file's suggested rewrites, applied and re-read (files with none are left
    alone). A file whose rewrite fails is named in RewriteFailed and nothing at all is written."""
    from gpuadvisor.apps.check.lint import MAX_FILE_BYTES, check_source, python_files
    from gpuadvisor.apps.read.project import Project, project_root
    from gpuadvisor.fsread import display_path, read_text_capped

    plans, failures = [], []
    for path in python_files(paths):
        try:
            text = read_text_capped(path, MAX_FILE_BYTES, "file")
            project = Project(project_root(path))
            issues, findings, _ = check_source(cat, display_path(path), text, source, project.for_file(path))
        except GpuAdvisorError:
            continue  # check itself reports files it cannot read
        sites, skipped = fix_sites(cat, findings, [i for i in issues if i.code not in ignore], is_config(path))
        if not sites:
            continue
        try:
            plans.append(plan_file(cat, path, text, sites, findings, skipped))
        except RewriteFailed as e:
            failures.append(str(e))
    if failures:
        raise RewriteFailed("; ".join(failures))
    return plans, []


def translate_dir(cat, root: Path, target: str, source: str | None = None, count: int | None = None) -> list[FilePlan]:
    """`translate --file DIR TARGET --write`: every app file under DIR (as `check DIR` finds them),
    its local imports followed, translated and re-read. RewriteFailed names every file that fails;
    then nothing is written."""
    from gpuadvisor.apps.check.lint import python_files
    from gpuadvisor.apps.read.project import Project
    from gpuadvisor.apps.read.scan import scan_file
    from gpuadvisor.apps.write.apptranslate import translate_scan
    from gpuadvisor.fsread import display_path, read_text_capped

    project = Project(root.resolve())
    plans, failures = [], []
    for path in python_files([root]):
        try:
            scan = scan_file(path, source, project)
        except GpuAdvisorError:
            continue  # not an app file gpuadvisor can read; left as it is
        config = is_config(path)
        if config and any(f.provider != target for f in scan.findings):
            continue  # a config file holds only its own provider's config
        results = translate_scan(cat, scan, target, count, source)
        sites, skipped = translation_sites(cat, results, target, config)
        if not sites:
            continue
        try:
            text = read_text_capped(path, 512 * 1024, "file")
            plans.append(plan_file(cat, path, text, sites, list(scan.findings), skipped))
        except RewriteFailed as e:
            failures.append(f"{display_path(path)}: {e}")
    if failures:
        raise RewriteFailed("; ".join(failures))
    return plans


def write_tree(root: Path, dest: Path, plans: list[FilePlan]) -> None:
    """A copy of the app directory at dest (which must not exist) with the rewritten files in it."""
    from gpuadvisor.apps.check.lint import SKIP_DIRS

    if dest.exists() or dest.is_symlink():
        raise UsageError(f"{dest} exists; choose another --output or remove it (nothing is overwritten silently)")
    try:
        shutil.copytree(root, dest, symlinks=True, ignore=shutil.ignore_patterns(*SKIP_DIRS))
        for plan in plans:
            out = dest / plan.path.relative_to(root)
            if out.is_symlink():
                out.unlink()
            _atomic_write(out, plan.after, mode_from=plan.path)
    except OSError as e:
        raise UsageError(f"cannot write {e.filename or dest}: {e.strerror or e}") from None
