"""`gpuadvisor check`: lint the GPU specs of Modal, RunPod and fal app files.

Built on the `translate --file` scanner (gpuadvisor.filescan): the same sites, with the same
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
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from gpuadvisor.errors import GpuAdvisorError, UnknownName, UsageError
from gpuadvisor.filescan import Finding, Scan, scan_file
from gpuadvisor.fsread import display_path
from gpuadvisor.models import Offering
from gpuadvisor.syntax import Option, write_config
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
}
SPREAD = 0.7  # a pool whose weakest member has under 70% of the best one's bandwidth or compute is flagged
SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "build", "dist"}
MAX_FILES = 10_000


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


def _rewrite(cat, provider_id: str, options: list[Option]) -> str:
    """A config line in the provider's own syntax, e.g. `gpu="H100!"`."""
    return write_config(cat.providers[provider_id], options)


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
    for spec in f.specs:
        if spec is not None:
            out.extend(_check_spec(cat, file, f, spec))
    return out


def _check_spec(cat, file: str, f: Finding, spec: str) -> list[Issue]:
    provider = cat.providers[f.provider]
    try:
        options = parse_spec(cat, f.provider, spec, f.count)
    except UnknownName as e:
        return [_issue(file, f, "GA108", str(e), e.suggestions[0] if e.suggestions else None)]
    except UsageError as e:
        text = str(e)
        if "at most" in text:
            return [_issue(file, f, "GA103", text)]
        return [_issue(file, f, "GA108", text)]
    except GpuAdvisorError as e:
        return [_issue(file, f, "GA108", str(e))]
    out: list[Issue] = []
    written = [o.text.split(":")[0] for o in options]
    for so, name in zip(options, written, strict=True):
        out.extend(_check_option(cat, file, f, so, name))
    if len(options) > 1 and provider.list_note:
        first = options[0]
        out.append(_issue(file, f, "GA102", provider.list_note,
                          _rewrite(cat, f.provider, [Option(first.offering, first.count, first.suffix)])))
    return out


def _check_option(cat, file: str, f: Finding, so: SourceOption, written: str) -> list[Issue]:
    off, n, provider = so.offering, so.count, cat.providers[f.provider]
    out: list[Issue] = []
    key = written.strip().lower()
    if key in (a.lower() for a in off.ambiguous_aliases):
        out.append(_issue(file, f, "GA101", f"{written!r} means different hardware by client version; read as {off.name}",
                          _rewrite(cat, f.provider, [Option(off, n, so.suffix)])))
    if key in (a.lower() for a in off.legacy_aliases):
        out.append(_issue(file, f, "GA105", f"{written!r} is a legacy name for {off.name}",
                          _rewrite(cat, f.provider, [Option(off, n, so.suffix)])))
    if off.legacy:
        modern = _modern(cat, off)
        out.append(_issue(file, f, "GA105", f"{off.name!r} is a legacy name: " + (off.notes[0] if off.notes else "may stop working"),
                          _rewrite(cat, f.provider, [Option(o, n) for o in modern]) if modern else None))
    cpu_keyword = _separate_cpu_keyword(provider)
    if cpu_keyword and off.kind == "cpu" and not f.kind.startswith("cpu"):
        out.append(_issue(file, f, "GA107", f"{off.name} is a CPU machine type, given where a GPU is asked for",
                          _rewrite(cat, f.provider, [Option(off)])))
    elif cpu_keyword and off.kind != "cpu" and f.kind.startswith("cpu"):
        out.append(_issue(file, f, "GA107", f"{off.name} is a GPU, given where a CPU machine type is asked for",
                          _rewrite(cat, f.provider, [Option(off, n)])))
    if off.kind == "cpu" and f.count and f.count > 1:
        out.append(_issue(file, f, "GA107", f"a GPU count of {f.count} on {off.name}, a CPU machine type"))
    if off.may_upgrade_to and not so.suffix:
        pin = next((s for s, _ in off.suffixes), "")
        targets = " or ".join(cat.gpus[g].name if g in cat.gpus else g for g in off.may_upgrade_to)
        out.append(_issue(file, f, "GA102", f"{provider.name} may run {off.name} on {targets}"
                          + (f"; {off.name}{pin} prevents that" if pin else ""),
                          _rewrite(cat, f.provider, [Option(off, n, pin)]) if pin else None))
    if off.kind == "pool" and len(off.gpus) > 1 and off.recommend:
        spread = _spread(off)
        if spread:
            best = max(off.gpus, key=lambda g: (g.bandwidth_gb_s, g.fp16_tflops))
            typed = next((o for o in cat.offerings_of(f.provider) if o.kind == "gpu" and o.hw is best), None)
            out.append(_issue(file, f, "GA102", f"{off.name} may give any of {', '.join(g.id for g in off.gpus)}: "
                              f"its weakest, {off.hw.id}, has {spread}",
                              _rewrite(cat, f.provider, [Option(typed, n)]) if typed else None))
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
    rewritten = []
    for so in options:
        modern = _modern(cat, so.offering) if so.offering.legacy or so.text.split(":")[0].lower() in (
            a.lower() for a in so.offering.legacy_aliases) else [so.offering]
        if not modern:
            return None
        rewritten.extend(Option(o, so.count, so.suffix if o is so.offering else "") for o in modern)
    return _rewrite(cat, f.provider, rewritten) if rewritten else None


# ---------------------------------------------------------------------------- files


def python_files(paths: list[Path]) -> list[Path]:
    """The files to check: each file named, and every *.py under each directory (sorted; tool
    directories such as .git and .venv skipped). UsageError for a path that does not exist."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                out.extend(Path(root) / name for name in sorted(files) if name.endswith(".py"))
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
    sites: int


def check_scan(cat, file: str, scan: Scan) -> list[Issue]:
    return [i for f in scan.findings for i in check_finding(cat, file, f)]


def check_paths(cat, paths: list[Path], source: str | None = None) -> Report:
    """Lint every file: the scanner finds the sites (a file it cannot read is bad input: UsageError)."""
    issues, sites = [], 0
    files = python_files(paths)
    for path in files:
        scan = scan_file(path, source)
        sites += len(scan.findings)
        issues.extend(check_scan(cat, display_path(path), scan))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    issues.sort(key=lambda i: (i.file, i.line, order[i.severity], i.code))
    return Report(issues, len(files), sites)


def at_or_above(issues: list[Issue], level: str) -> list[Issue]:
    limit = SEVERITIES.index(level)
    return [i for i in issues if SEVERITIES.index(i.severity) <= limit]


# ---------------------------------------------------------------------------- SARIF 2.1.0

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def to_sarif(issues: list[Issue], version: str) -> dict:
    """A SARIF 2.1.0 log: one run, every rule described, results with file and line and, where a
    rewrite exists, the suggestion in the message (a rewrite spans more than the line, so no `fixes`)."""
    codes = sorted(RULES)
    rules = [{"id": c, "name": RULES[c][0], "shortDescription": {"text": RULES[c][2]},
              "defaultConfiguration": {"level": SARIF_LEVEL[RULES[c][1]]}} for c in codes]
    results = []
    for i in issues:
        text = i.message + (f" Suggested: {i.suggestion}" if i.suggestion else "")
        results.append({
            "ruleId": i.code, "ruleIndex": codes.index(i.code), "level": SARIF_LEVEL[i.severity],
            "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": Path(i.file).as_posix()},
                                                "region": {"startLine": max(1, i.line)}}}],
        })
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "gpuadvisor", "version": version, "rules": rules}},
                      "results": results}]}
