"""`check` as a View: findings as compilers print them, a summary, CSV and SARIF."""

from __future__ import annotations

from gpuadvisor.render import View
from gpuadvisor.views.common import csv_records


def check_view(report, fail_on: str) -> View:
    """`gpuadvisor check`: one line per finding, file:line first (as compilers and ruff print them, so
    editors link them), the suggested rewrite under it, then a summary."""
    from gpuadvisor.apps.check.lint import SEVERITIES, to_sarif

    counts = {s: sum(i.severity == s for i in report.issues) for s in SEVERITIES}
    data = {"findings": [i.to_json() for i in report.issues],
            "summary": {"files": report.files, "configs": len(report.sites), **counts,
                        "suppressed": report.suppressed, "fail_on": fail_on},
            "skipped": report.skipped, "configs": report.sites}

    def build(view: View) -> None:
        for i in report.issues:
            lines = [f"{i.file}:{i.line}: {i.code} {i.severity}: {i.message}"]
            if i.suggestion:
                lines.append(f"    suggestion: {i.suggestion}")
            view.text(*lines, style="warn" if i.severity == "error" else "")
        view.text(*report.skipped, style="dim")
        view.text(_check_summary(report, counts), style="title")

    from gpuadvisor import __version__

    return View(data, build, csv=csv_records(data["findings"], ("file", "line", "code", "severity", "message", "suggestion")),
                documents={"sarif": lambda: to_sarif(report.issues, __version__)})


def _check_summary(report, counts: dict) -> str:
    where = f"{len(report.sites):,} GPU config(s) in {report.files:,} file(s)"
    quiet = f"; {report.suppressed:,} silenced (noqa or --ignore)" if report.suppressed else ""
    skipped = f"; {len(report.skipped):,} file(s) not read" if report.skipped else ""
    if not report.issues:
        return f"No issues: {where}{quiet}{skipped}."
    parts = ", ".join(f"{n:,} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items() if n)
    return f"Found {len(report.issues):,} issue(s) ({parts}) in {where}{quiet}{skipped}."
