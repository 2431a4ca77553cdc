"""`gpuadvisor check`: lint the GPU specs of provider app files and config files.

Built on the `translate --file` scanner (gpuadvisor.apps.read.filescan): the same sites, with the same
readings; a file is parsed, never imported or run. Each finding has a stable code, a severity and,
where one exists, a rewrite in the same provider's syntax. The rules are provider-neutral: what a
name means (ambiguous, legacy, may be upgraded, a pool, a list that RunPod places by pool, an
unverified count) comes from the catalogs.

  GA101 warning  an ambiguous name (Modal `A100`: 40 or 80 GB by client version)
  GA102 warning  may land on other hardware: an upgradable name without its pin (Modal `H100`), a
                 pool whose members differ a lot, a list the provider places by pool (RunPod)
  GA103 error    a count over the provider's limit
  GA104 warning  a count above what a source confirms
  GA105 warning  a legacy name or alias (Modal `A10G`, `any`; fal `GPU-A6000`, `GPU`)
  GA106 error    a removed form (`modal.gpu.A100(...)`, removed in Modal 1.4.0)
  GA107 error    a CPU type where a GPU is asked for, or a GPU count on a CPU type
  GA108 error    a name the provider does not know
  GA109 info     a value the scanner cannot work out from the file (what it is, and why)
  GA110 info     the value is an environment variable's default: the deployed value may differ
  GA111 warning  the GPU count cannot be read: the config may not run on the count you think
  GA112 error    a GPU type where RunPod's wire format takes pool ids (create_endpoint's gpu_ids,
                 .runpod/hub.json gpuIds): runpod-workers/worker-sdxl#23
  GA113 error    a call that sets a GPU the way a provider's API does, in a file that imports no provider
                 (nor does any local module it imports): it cannot be read, so a clean run would mislead
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from gpuadvisor.apps.read.filescan import scan_source
from gpuadvisor.apps.read.findings import LIST_SYNTAX, MAX_FILE_BYTES, WIRE_SYNTAX, Finding
from gpuadvisor.apps.write.syntax import Option, shared_count, write_config, write_item
from gpuadvisor.errors import CountOverLimit, CpuGpuMixup, GpuAdvisorError, UnknownName, UsageError
from gpuadvisor.fsread import display_path, read_python_capped, read_text_capped
from gpuadvisor.models import Offering
from gpuadvisor.translate import SourceOption, count_caveat, parse_spec

SEVERITIES = ("error", "warning", "info")  # most severe first
RULES = {
    "GA101": ("ambiguous-name", "warning", "A name that means different hardware by client version"),
    "GA102": ("may-land-elsewhere", "warning", "A spec that may run on other hardware than it names"),
    "GA103": ("count-over-limit", "error", "A GPU count over the provider's limit"),
    "GA104": ("count-unverified", "warning", "A GPU count above what a source confirms"),
    "GA105": ("legacy-name", "warning", "A legacy name the provider may stop accepting"),
    "GA106": ("removed-form", "error", "A form the provider's client no longer accepts"),
    "GA107": ("cpu-gpu-mixup", "error", "A CPU type where a GPU is asked for, or the reverse"),
    "GA108": ("unknown-name", "error", "A GPU name the provider does not know"),
    "GA109": ("unresolved", "info", "A GPU value that cannot be worked out from the file"),
    "GA110": ("env-default", "info", "A GPU taken from an environment variable's default"),
    "GA111": ("count-unknown", "warning", "A GPU count that cannot be read from the file"),
    "GA112": ("type-for-pool-id", "error", "A GPU type where the provider's wire format takes pool ids"),
    "GA113": ("no-provider", "error", "A GPU setting in a file whose provider cannot be found"),
}
SPREAD = 0.7  # a pool whose weakest member has under 70% of the best one's bandwidth or compute is flagged
SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "build", "dist"}
MAX_FILES = 10_000
CONFIG_DIRS = {".runpod"}  # hidden directories that hold a provider's config (.runpod/hub.json)


@dataclass(frozen=True)
class Issue:
    file: str
    line: int
    code: str
    severity: str
    message: str
    suggestion: str | None = None

    def to_json(self) -> dict:
        return {"file": self.file, "line": self.line, "code": self.code, "severity": self.severity,
                "message": self.message, "suggestion": self.suggestion}


def _issue(file: str, f: Finding, code: str, message: str, suggestion: str | None = None) -> Issue:
    return Issue(file, f.line, code, RULES[code][1], message, suggestion)


def _rewrite(cat, f: Finding, options: list[Option], exclude: tuple[str, ...] = ()) -> str | None:
    """A config line in the provider's own syntax for this site, e.g. `gpu="H100!"`; at a wire-format
    site, pool ids (a GPU type as the pool that holds it), with `-type` exclusions."""
    if f.kind in LIST_SYNTAX:  # a list-valued keyword (RunPod's LiveServerless gpus=[...])
        provider = cat.providers[f.provider]
        key, count = LIST_SYNTAX[f.kind]
        n = shared_count(provider, options) or 1
        return key.format(", ".join(write_item(provider, o, with_count=False) for o in options)) + (
            ", " + count.format(n) if n > 1 else "")
    if f.kind not in WIRE_SYNTAX:
        return write_config(cat.providers[f.provider], options)
    ids = []
    for o in options:
        pool = o.offering if o.offering.kind == "pool" else _pool_of(cat, o.offering)
        if pool is None:
            return None
        ids.append(pool.name)
    ids = list(dict.fromkeys(ids)) + [f"-{x}" for x in exclude]
    key, count = WIRE_SYNTAX[f.kind]
    n = options[0].count if options else 1
    return key.format(",".join(ids)) + (", " + count.format(n) if n > 1 else "")


def _pool_of(cat, off: Offering) -> Offering | None:
    """The smallest pool of the provider that holds this GPU type."""
    pools = [o for o in cat.offerings_of(off.provider) if o.kind == "pool" and off.hw is not None
             and any(g is off.hw for g in o.gpus) and not o.legacy]
    return min(pools, key=lambda o: len(o.gpus), default=None)


def _typed(cat, provider: str, hw) -> Offering | None:
    """The provider's GPU type (not a pool) for this GPU, if it names one."""
    return next((o for o in cat.offerings_of(provider) if o.kind == "gpu" and o.hw is hw), None)


def _wire_name(cat, provider: str, hw) -> str | None:
    """A GPU type as RunPod's wire format writes it: its display name ("NVIDIA L4"); None when the
    provider gives it none (gpuadvisor's own ids, such as h100-pcie, are never written there)."""
    typed = _typed(cat, provider, hw)
    names = [a for a in (typed.aliases if typed else ()) if " " in a]
    return names[0] if names else None


def check_finding(cat, file: str, f: Finding) -> list[Issue]:
    """Every issue with one configuration site."""
    out: list[Issue] = []
    if f.status == "no-gpu":
        return out
    if f.status == "invalid":
        return [_issue(file, f, "GA108", f.problem or f"{f.code} is not a GPU name {f.provider} accepts")]
    if "modal.gpu." in f.resolved_from:
        out.append(_issue(file, f, "GA106", f"{f.code}: modal.gpu objects were removed from the client in Modal 1.4.0",
                          _modern_config(cat, f)))
    if f.overridable_by:
        names = ", ".join(f"${v}" for v in f.overridable_by)
        out.append(_issue(file, f, "GA110", f"the GPU is the default of {names}: the deployed value may differ"))
    if f.status == "unresolved":
        code = "GA111" if f.reason == "count-unknown" else "GA109"
        return out + [_issue(file, f, code, f.problem or f"{f.code} cannot be read from the file")]
    branches = [s for s in f.specs if s is not None]
    for spec in branches:
        found = _check_spec(cat, file, f, spec)
        if len(branches) > 1:  # a conditional: say which branch each issue is about
            found = [replace(i, message=f"(when {spec}) {i.message}") for i in found]
        out.extend(found)
    return out


def _check_spec(cat, file: str, f: Finding, spec: str) -> list[Issue]:
    provider = cat.providers[f.provider]
    try:
        options = parse_spec(cat, f.provider, spec, f.count)
    except UnknownName as e:
        return [_issue(file, f, "GA108", str(e), _renamed(cat, f, spec, e))]
    except CountOverLimit as e:  # the fix is the closest allowed count (the most GPUs, or the SKU of that count)
        return [_issue(file, f, "GA103", str(e), _rewrite(cat, f, [Option(*e.fix)]) if e.fix else None)]
    except CpuGpuMixup as e:
        return [_issue(file, f, "GA107", str(e), _rewrite(cat, f, [Option(*e.fix)]) if e.fix else None)]
    except GpuAdvisorError as e:
        return [_issue(file, f, "GA108", str(e))]
    out: list[Issue] = []
    written = [o.text.split(":")[0] for o in options]
    for so, name in zip(options, written, strict=True):
        out.extend(_check_option(cat, file, f, so, name, options))
    if f.kind in WIRE_SYNTAX:
        for so in options:
            if so.offering.kind == "gpu":
                pool = _pool_of(cat, so.offering)
                out.append(_issue(file, f, "GA112", f"{so.text.split(':')[0]!r} is a GPU type, but this field takes pool ids"
                                  + (f" ({so.offering.name} is in {pool.name})" if pool else "")
                                  + "; RunPod reads a type here only as a `-type` exclusion (runpod-workers/worker-sdxl#23)",
                                  _rewrite(cat, f, [Option(o.offering, o.count) for o in options])))
    if len(options) > 1 and provider.list_note and f.kind not in WIRE_SYNTAX:
        first = options[0]
        out.append(_issue(file, f, "GA102", provider.list_note,
                          _rewrite(cat, f, [Option(first.offering, first.count, first.suffix)])))
    return out


def _renamed(cat, f: Finding, spec: str, e: UnknownName) -> str | None:
    """The spec with the unknown name replaced by the closest known one, in the provider's syntax."""
    if not e.suggestions or e.name not in spec:
        return None
    try:
        options = parse_spec(cat, f.provider, spec.replace(e.name, e.suggestions[0], 1), f.count)
    except GpuAdvisorError:
        return None
    return _rewrite(cat, f, [Option(o.offering, o.count, o.suffix) for o in options])


def _check_option(cat, file: str, f: Finding, so: SourceOption, written: str,
                  site_options: list[SourceOption] | None = None) -> list[Issue]:
    off, n, provider = so.offering, so.count, cat.providers[f.provider]
    out: list[Issue] = []
    key = written.strip().lower()
    if key in (a.lower() for a in off.ambiguous_aliases):
        out.append(_issue(file, f, "GA101", f"{written!r} means different hardware by client version; read as {off.name}",
                          _rewrite(cat, f, [Option(off, n, so.suffix)])))
    if key in (a.lower() for a in off.legacy_aliases):
        out.append(_issue(file, f, "GA105", f"{written!r} is a legacy name for {off.name}",
                          _rewrite(cat, f, [Option(off, n, so.suffix)])))
    if off.legacy:
        modern = _modern(cat, off)
        why = off.notes[0].removeprefix("Legacy:").strip() if off.notes else "it may stop working"
        out.append(_issue(file, f, "GA105", f"{off.name!r} is a legacy name: {why}",
                          _rewrite(cat, f, [Option(o, n) for o in modern]) if modern else None))
    cpu_keyword = _separate_cpu_keyword(provider)
    if cpu_keyword and off.kind == "cpu" and not f.kind.startswith("cpu"):
        out.append(_issue(file, f, "GA107", f"{off.name} is a CPU machine type, given where a GPU is asked for",
                          _rewrite(cat, f, [Option(off)])))
    elif cpu_keyword and off.kind != "cpu" and f.kind.startswith("cpu"):
        out.append(_issue(file, f, "GA107", f"{off.name} is a GPU, given where a CPU machine type is asked for",
                          _rewrite(cat, f, [Option(off, n)])))
    if off.kind == "cpu" and f.count and f.count > 1:
        out.append(_issue(file, f, "GA107", f"a GPU count of {f.count} on {off.name}, a CPU machine type",
                          _rewrite(cat, f, [Option(off)])))
    if off.may_upgrade_to and not so.suffix:
        pin = next((s for s, _ in off.suffixes), "")
        targets = " or ".join(cat.gpus[g].name if g in cat.gpus else g for g in off.may_upgrade_to)
        out.append(_issue(file, f, "GA102", f"{provider.name} may run {off.name} on {targets}"
                          + (f"; {off.name}{pin} prevents that" if pin else ""),
                          _rewrite(cat, f, [Option(off, n, pin)]) if pin else None))
    if off.kind == "pool" and len(off.gpus) > 1 and not off.recommend and not off.legacy:  # legacy: GA105 says it
        low, high = off.gpu_hw, max(off.gpus, key=lambda g: (g.bandwidth_gb_s, g.fp16_tflops))
        out.append(_issue(file, f, "GA102", f"{off.name} may give any of {len(off.gpus)} GPUs, from {low.name} "
                          f"({low.vram_gb:g} GB) to {high.name}: name a pool or a type that holds the job"))
    elif off.kind == "pool" and len(off.gpus) > 1 and not off.legacy:
        if f.excluded:  # a wire-format pool narrowed with `-type` exclusions: judge what is left
            gone = {x.lower() for x in f.excluded}
            left = tuple(g for g in off.gpus if (_wire_name(cat, f.provider, g) or "").lower() not in gone and g.id not in gone)
            off = replace(off, gpus=left, hw=min(left, key=lambda g: (g.bandwidth_gb_s, g.fp16_tflops))) if left else off
        spread = _spread(off) if len(off.gpus) > 1 else ""
        if spread:
            best = max(off.gpus, key=lambda g: (g.bandwidth_gb_s, g.fp16_tflops))
            if f.kind in WIRE_SYNTAX:  # pool ids only: narrow the pool with `-type` exclusions, keep every pool
                weak = [_wire_name(cat, f.provider, g) for g in off.gpus if g is not best and _spread_below(g, best)]
                keep = [Option(o.offering, o.count) for o in (site_options or [so])]
                fix = (_rewrite(cat, f, keep, exclude=tuple(dict.fromkeys((*f.excluded, *(w for w in weak if w)))))
                       if weak and all(weak) else None)
            else:
                typed = _typed(cat, f.provider, best)
                fix = _rewrite(cat, f, [Option(typed, n)]) if typed else None
            out.append(_issue(file, f, "GA102", f"{off.name} may give any of {', '.join(g.id for g in off.gpus)}: "
                              f"its weakest, {off.gpu_hw.id}, has {spread}", fix))
    if n > 1 and off.unverified(n):
        out.append(_issue(file, f, "GA104", count_caveat(provider, off, n)))
    return out


def _separate_cpu_keyword(provider) -> bool:
    """Whether CPU machine types go in another keyword than GPUs (RunPod's cpu= vs gpu=)."""
    syn = provider.syntax
    return bool(syn.config_cpu) and syn.config_cpu.split("=")[0] != syn.config.split("=")[0]


def _spread(pool: Offering) -> str:
    weakest = pool.hw
    for attr, label, unit in (("bandwidth_gb_s", "bandwidth", " GB/s"), ("fp16_tflops", "FP16", " TFLOPS")):
        best = max(getattr(g, attr) for g in pool.gpus)
        if getattr(weakest, attr) < SPREAD * best:
            return f"{getattr(weakest, attr):,.0f} of the best member's {best:,.0f}{unit} {label}"
    return ""


def _spread_below(gpu, best) -> bool:
    return gpu.bandwidth_gb_s < SPREAD * best.bandwidth_gb_s or gpu.fp16_tflops < SPREAD * best.fp16_tflops


def _modern(cat, off: Offering) -> list[Offering]:
    """The provider's current names for a legacy offering: the same GPU, or for a legacy pool (Modal's
    `any`) each member, as a fallback list, when the provider names them all."""
    current = {o.hw.id: o for o in cat.offerings_of(off.provider) if not o.legacy and o.kind == "gpu" and o.hw}
    wanted = [g.id for g in off.gpus] if off.kind == "pool" else [off.hw.id] if off.hw else []
    found = [current[g] for g in wanted if g in current]
    return found if wanted and len(found) == len(wanted) else []


def _modern_config(cat, f: Finding) -> str | None:
    """A removed or legacy form rewritten with the provider's current names (Modal's A10G → A10)."""
    try:
        options = parse_spec(cat, f.provider, f.spec, f.count) if f.spec else []
    except GpuAdvisorError:
        return None
    rewritten: list[Option] = []
    for so in options:
        modern = _modern(cat, so.offering) if so.offering.legacy or so.text.split(":")[0].lower() in (
            a.lower() for a in so.offering.legacy_aliases) else [so.offering]
        if not modern:
            return None
        rewritten.extend(Option(o, so.count, so.suffix if o is so.offering else "") for o in modern)
    return _rewrite(cat, f, rewritten) if rewritten else None


# ---------------------------------------------------------------------------- files


def python_files(paths: list[Path]) -> list[Path]:
    """The files to check: each file named, and every *.py and provider config file (by name,
    gpuadvisor.apps.read.configscan) under each directory (sorted; tool directories such as .git and .venv
    skipped). UsageError for a path that does not exist."""
    from gpuadvisor.apps.read.configscan import handles

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and (not d.startswith(".") or d in CONFIG_DIRS))
                out.extend(Path(root) / name for name in sorted(files) if name.endswith(".py") or handles(Path(root) / name))
                if len(out) > MAX_FILES:
                    raise UsageError(f"more than {MAX_FILES:,} Python files under {display_path(p)}; name fewer")
        elif p.exists() or p.is_symlink():
            out.append(p)
        else:
            raise UsageError(f"no such file or directory: {display_path(p)}")
    return out


@dataclass
class Report:
    issues: list[Issue]
    files: int
    sites: list[dict] = field(default_factory=list)  # every GPU config read, as translate --file reads it
    suppressed: int = 0
    skipped: list[str] = field(default_factory=list)  # files the scanner could not read, with why


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def suppressions(text: str) -> dict[int, set[str] | None]:
    """Lines with a `# noqa` comment (ruff's convention): line → the codes it silences, None for all."""
    out: dict[int, set[str] | None] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if "noqa" not in line.lower():
            continue
        m = _NOQA.search(line)
        if m:
            codes = m.group("codes")
            out[n] = {c.strip().upper() for c in codes.split(",")} if codes else None
    return out


def check_source(cat, file: str, text: str, source: str | None = None,
                 local=None) -> tuple[list[Issue], list[Finding], int]:
    """(issues, sites, suppressed) for one file's text; `# noqa` / `# noqa: GA102` on a site's line silences it.
    A provider config file is read by its name (gpuadvisor.apps.read.configscan); `local` follows a
    Python file's imports of the app's own modules (gpuadvisor.apps.read.project)."""
    from gpuadvisor.apps.read.configscan import handles, scan_config_text

    scan = scan_config_text(file, text, source) if handles(file) else scan_source(text, source, local)
    issues = [i for f in scan.findings for i in check_finding(cat, file, f)]
    issues += [Issue(file, line, "GA113", RULES["GA113"][1],
                     "this sets a GPU the way a provider's API does, but neither the file nor a local module it "
                     "imports imports a provider, so it was not read; give --source PROVIDER")
               for line in scan.unattributed]
    quiet = suppressions(text)
    kept = [i for i in issues if not (i.line in quiet and ((codes := quiet[i.line]) is None or i.code in codes))]
    return kept, list(scan.findings), len(issues) - len(kept)


def check_paths(cat, paths: list[Path], source: str | None = None, ignore: frozenset[str] = frozenset(),
                progress=None, within: Path | None = None) -> Report:
    """Lint every file. A file named on the command line that cannot be read is bad input (UsageError);
    one found under a directory is skipped and listed, so one odd file does not stop a whole tree.
    `progress(done, total)`, if given, is called after each file. `within`: every file's project is
    this directory, so local imports are read only inside it (the MCP server's --root)."""
    unknown = sorted(c for c in ignore if c not in RULES)
    if unknown:
        raise UnknownName("rule code", unknown[0], sorted(RULES))
    from gpuadvisor.apps.read.project import Project, project_root

    files = python_files(paths)
    named = {p for p in paths if not p.is_dir()}
    report = Report([], len(files))
    projects: dict[Path, Project] = {}
    roots = [p.resolve() for p in paths if p.is_dir()]
    for n, path in enumerate(files, 1):
        shown = display_path(path)
        resolved = path.resolve()
        root = within or next((r for r in roots if r in resolved.parents), None) or project_root(path)
        project = projects.setdefault(root, Project(root))
        try:
            if _is_config(path):  # a size or encoding error names the right kind of file (N16)
                text = read_text_capped(path, MAX_FILE_BYTES, "config file")
            else:
                text = read_python_capped(path, MAX_FILE_BYTES, "Python file")
            try:
                issues, sites, quiet = check_source(cat, shown, text, source, project.for_file(path))
            except UsageError as e:
                raise UsageError(f"{shown}: {e}") from None
        except UsageError as e:
            if path in named:
                raise
            report.skipped.append(str(e))
            issues, sites, quiet = [], [], 0
        report.issues.extend(i for i in issues if i.code not in ignore)
        report.sites.extend({"file": shown, **f.to_json()} for f in sites)
        report.suppressed += quiet + sum(i.code in ignore for i in issues)
        if progress:
            progress(n, len(files))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    report.issues.sort(key=lambda i: (i.file, i.line, order[i.severity], i.code))
    return report


def at_or_above(issues: list[Issue], level: str) -> list[Issue]:
    limit = SEVERITIES.index(level)
    return [i for i in issues if SEVERITIES.index(i.severity) <= limit]


# ---------------------------------------------------------------------------- SARIF 2.1.0

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _is_config(path: Path) -> bool:
    from gpuadvisor.apps.read.configscan import handles

    return handles(path)


def sarif_uri(file: str) -> str:
    """A file as a SARIF `uri` (a URI reference, RFC 3986): spaces, backslashes, `%`, `#`, `?` and
    non-ASCII percent-encoded (UTF-8), `/` kept (audit N16)."""
    from urllib.parse import quote

    return quote(Path(file).as_posix(), safe="/-._~!$&'()*+,;=@")


def to_sarif(issues: list[Issue], version: str) -> dict:
    """A SARIF 2.1.0 log: one run, every rule described, results with file and line and, where a
    rewrite exists, the suggestion in the message (a rewrite spans more than the line, so no `fixes`)."""
    codes = sorted(RULES)
    rules = [{"id": c, "name": RULES[c][0], "shortDescription": {"text": RULES[c][2]},
              "defaultConfiguration": {"level": SARIF_LEVEL[RULES[c][1]]}} for c in codes]
    results = []
    for i in issues:
        text = i.message.rstrip(".") + (f". Suggested rewrite: {i.suggestion}" if i.suggestion else "")
        results.append({
            "ruleId": i.code, "ruleIndex": codes.index(i.code), "level": SARIF_LEVEL[i.severity],
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": sarif_uri(i.file)},
                                                "region": {"startLine": max(1, i.line)}}}],
        })
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "gpuadvisor", "version": version, "rules": rules}},
                      "results": results}]}
