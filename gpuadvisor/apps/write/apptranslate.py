"""Translate every GPU configuration found in an app file, and decide what the file's result means.

Each finding ends in one status:
  translated  every reading of it was translated (a conditional: each branch that asks for a GPU)
  cpu         a CPU-only machine type (fal "M") with no CPU counterpart on the target: no GPU to translate
  no-gpu      gpu=None / False: not a GPU configuration; shown, not counted
  unresolved  its value cannot be known from the file (the reason says why). A count that cannot be
              read makes the config "count unknown": it is reported unresolved, never translated as 1,
              unless --count gives the count
  no-match    the target offers nothing for it (NoMatch, exit 1 for a single `translate`)
  invalid     a value no provider accepts, a count over the limit, an expression too deep to read
              (UsageError, exit 2 for a single `translate`)
File exit code (`exit_code`): any invalid -> 2; else 0 when at least one config was translated; else 1
(nothing found, nothing resolved, or nothing matched, a CPU-only config on a target without CPU
workers included: the same meanings as a single `translate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gpuadvisor.apps.read.filescan import Finding, Scan
from gpuadvisor.errors import GpuAdvisorError, NoMatch
from gpuadvisor.translate import MATCH_ORDER, Translation, parse_spec, translate


def weakest_match(matches) -> str | None:
    """The weakest of some per-option matches: a fallback list is only as faithful as its worst option."""
    known = [m for m in matches if m in MATCH_ORDER]
    return max(known, key=MATCH_ORDER.index) if known else None


@dataclass
class Result:
    finding: Finding
    status: str
    translations: list[Translation | None] = field(default_factory=list)  # one per reading (spec or branch)
    message: str = ""  # why it was not translated
    notes: list[str] = field(default_factory=list)

    @property
    def match(self) -> str | None:
        """The weakest match over every option of every reading."""
        return weakest_match(o.match for t in self.translations if t for o in t.target)

    def to_json(self) -> dict:
        f = self.finding
        trs = [t.to_json() if t else None for t in self.translations]
        first = next((t for t in trs if t), None)
        return {**f.to_json(), "status": self.status, "match": self.match, "notes": [*f.notes, *self.notes],
                "translation": first, "translations": trs, "message": self.message or None,
                "unresolved": self.message if self.status == "unresolved" else None,
                "error": self.message if self.status in ("invalid", "no-match") else None}


def _legacy_notes(cat, tr: Translation) -> list[str]:
    out: list[str] = []
    for so in tr.source:
        if so.offering.legacy:
            out.extend(n for n in so.offering.notes if n not in out)
    return out


def translate_finding(cat, f: Finding, target: str, count: int | None = None) -> Result:
    if f.status == "invalid":
        return Result(f, "invalid", message=f.problem)
    if f.status == "no-gpu":
        return Result(f, "no-gpu", message="asks for no GPU")
    notes = []
    use_count = f.count if f.count is not None else count
    if f.status == "unresolved":
        if f.reason != "count-unknown" or count is None or f.spec is None:
            hint = "; give --count N to translate it" if f.reason == "count-unknown" and f.spec else ""
            return Result(f, "unresolved", message=f.problem + hint)
        notes.append(f"count {count} from --count (the file's count cannot be read)")
        use_count = count
    translations: list[Translation | None] = []
    statuses: list[str] = []
    messages: list[str] = []
    for spec in f.specs:
        if spec is None:
            translations.append(None)
            continue
        try:
            tr = translate(cat, f.provider, target, spec, use_count, host=_host(cat, f))
        except NoMatch as e:
            cpu = _is_cpu(cat, f.provider, spec)
            statuses.append("cpu" if cpu else "no-match")
            messages.append(str(e))
            translations.append(None)
            continue
        except GpuAdvisorError as e:
            statuses.append("invalid")
            messages.append(str(e))
            translations.append(None)
            continue
        notes.extend(n for n in _legacy_notes(cat, tr) if n not in notes)
        statuses.append("translated")
        translations.append(tr)
    for worst in ("invalid", "no-match", "cpu"):
        if worst in statuses:
            return Result(f, worst, translations, "; ".join(messages), notes)
    return Result(f, "translated", translations, "", notes)


def _host(cat, f: Finding) -> tuple[float, float] | None:
    """(vCPUs, GB) the source file gives its worker (cpu=, memory=), read in its provider's units."""
    if not f.host or f.provider not in cat.providers:
        return None
    from gpuadvisor.apps.write.syntax import read_host

    h = dict(f.host)
    vcpus, ram = read_host(cat.providers[f.provider], h.get("cpu"), h.get("memory"))
    return None if vcpus is None or ram is None else (vcpus, ram)


def _is_cpu(cat, provider: str, spec: str) -> bool:
    try:
        return all(o.offering.kind == "cpu" for o in parse_spec(cat, provider, spec))
    except GpuAdvisorError:
        return False


def translate_scan(cat, scan: Scan, target: str, count: int | None = None, only: str | None = None) -> list[Result]:
    return [translate_finding(cat, f, target, count) for f in scan.findings if only is None or f.provider == only]


@dataclass(frozen=True)
class Outcome:
    code: int
    summary: str  # one line for stderr, "" when everything was translated


def outcome(results: list[Result]) -> Outcome:
    """The file's exit code and summary line (see the module docstring)."""
    n = {s: sum(r.status == s for r in results) for s in ("translated", "cpu", "no-gpu", "unresolved", "no-match", "invalid")}
    configs = len(results) - n["no-gpu"]
    done = n["translated"]  # a CPU worker the target cannot run is not translated: exit 1 alone, as for one spec
    parts = [f"{k} unresolved" if s == "unresolved" else f"{k} with no match" if s == "no-match" else
             f"{k} invalid" if s == "invalid" else f"{k} CPU-only (the target has no CPU workers)" for s, k in
             (("cpu", n["cpu"]), ("unresolved", n["unresolved"]), ("no-match", n["no-match"]), ("invalid", n["invalid"])) if k]
    if n["invalid"]:
        first = next(r for r in results if r.status == "invalid")
        return Outcome(2, f"{n['invalid']} config(s) have invalid values; first: line {first.finding.line}: {first.message}")
    if configs == 0:
        return Outcome(1, f"nothing to translate: {n['no-gpu']} config(s) ask for no GPU")
    line = f"translated {n['translated']} of {configs}" + ("; " + ", ".join(parts) if parts else "") + " (see notes)"
    if done:
        return Outcome(0, "" if done == configs else line)
    return Outcome(1, f"nothing translated: {line}")
