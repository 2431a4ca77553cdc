"""One `catalog refresh`: pick the providers, download every source, plan every provider, and
only then write (so a download or parse failure anywhere leaves every price as it was)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gpuadvisor.catalog.refresh import fetcher, providers
from gpuadvisor.catalog.refresh.plan import Plan, make_plan
from gpuadvisor.errors import UnknownName, UsageError

MAX_SOURCE_BYTES = 2 * 1024 * 1024


@dataclass
class Result:
    plans: list[Plan] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (provider, why)
    directory: Path | None = None
    written: list[str] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict:
        return {"providers": [p.to_json() for p in self.plans], "dry_run": self.dry_run,
                "directory": None if self.directory is None else str(self.directory), "files": self.written,
                "skipped": [{"provider": p, "why": why} for p, why in self.skipped],
                "held_back": sum(len(p.held) for p in self.plans)}


def choose(cat, names: list[str], every: bool, url: str | None) -> tuple[list, list[tuple[str, str]]]:
    """(fetcher modules to run, providers skipped with why). Bad names are a UsageError."""
    if every and names:
        raise UsageError("name providers or give --all, not both")
    if not every and not names:
        raise UsageError(f"name a provider to refresh ({', '.join(providers())}) or give --all")
    if url and (every or len(names) != 1):
        raise UsageError("--url replaces one provider's source: name exactly one provider")
    chosen, skipped = [], []
    for name in (providers() if every else names):
        pid = cat.provider(name).id  # UnknownName with "did you mean"
        module = fetcher(pid)
        if module is None:
            raise UnknownName("provider with a price source", name, providers(),
                              hint="imported catalogs are refreshed with `gpuadvisor catalog import` again")
        if not module.SOURCE.url:
            skipped.append((pid, module.SOURCE.why_none))
            continue
        if module not in chosen:
            chosen.append(module)
    return chosen, skipped


def refresh(cat, modules: list, today: date, download, url: str | None = None, accept: bool = False,
            previous: dict | None = None) -> list[Plan]:
    """Plans for every module; `download(url) -> bytes` (NetworkError/UsageError propagate, nothing
    planned is written by the caller). ParseTooSmall when a source parses into too few prices."""
    bodies = [(m, url or m.SOURCE.url) for m in modules]
    texts = [(m, u, download(u).decode("utf-8", errors="replace")) for m, u in bodies]
    previous = previous or {}
    return [make_plan(cat, m, text, u, today, accept, previous.get(m.SOURCE.provider)) for m, u, text in texts]


def write(plans: list[Plan], directory: Path) -> list[str]:
    from gpuadvisor.catalog.refresh.overlay import write as write_one

    out = []
    for p in plans:
        if p.overlay is not None:
            out.append(str(write_one(p.overlay, directory)))
            p.written = True
    return out
