"""Maintainers' price refresh (`make refresh-prices`): run every provider's fetcher against its live
source and rewrite the built-in catalogs' price fields in place, for a release or the scheduled
pull request (.github/workflows/refresh-prices.yml).

Only values change: in each `price = { … }` / `price_low = { … }` line of the offerings a source
prices, `per_hour`, `per_second`, `as_of` and `source` are replaced; every comment, note, basis and
key order stays as written. The plausibility guard of `gpuadvisor catalog refresh` applies (a
change beyond ±60 % or a price no longer listed is held back and reported; --accept-changes takes
the changes); a price the catalog does not have yet, or one the source dropped, is reported for a
person to add or remove by hand. A source that cannot be read is reported and left as it was; the
others still refresh. The rewritten catalogs are validated before they are kept.

    python tools/refresh_prices.py [PROVIDER...] [--accept-changes] [--catalogs DIR] [--summary FILE]
        [--source PROVIDER=URL]   (a mirror, or a recorded file served locally)

Exit 0 when every source was read (changed or not), 1 when any could not be.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rewrite(text: str, updates: dict[tuple[str, str], object]) -> tuple[str, list[tuple[str, str]]]:
    """`text` of one catalog with each (offering, field) -> Price written into its existing inline
    table; returns the new text and the (offering, field) pairs that had no line to update."""
    lines = text.split("\n")
    name, done = None, set()
    for i, line in enumerate(lines):
        if line.strip() == "[[offering]]":
            name = None
            continue
        m = re.match(r'^name\s*=\s*"([^"]*)"', line)
        if m:
            name = m.group(1)
            continue
        m = re.match(r"^(price|price_low)\s*=\s*\{", line)
        if m and name is not None and (name, m.group(1)) in updates:
            lines[i] = _values(line, updates[(name, m.group(1))])
            done.add((name, m.group(1)))
    return "\n".join(lines), sorted(set(updates) - done)


def _values(line: str, p) -> str:
    def put(key: str, value: str, text: str) -> str:
        pattern = rf'(\b{key}\s*=\s*)("(?:[^"\\]|\\.)*"|[0-9.eE+-]+)'
        return re.sub(pattern, lambda m: m.group(1) + value, text, count=1) if re.search(pattern, text) else text

    line = put("per_hour", _num(p.per_hour), line)
    if p.per_second is not None:
        line = put("per_second", _num(p.per_second), line)
    line = put("as_of", f'"{p.as_of}"', line)
    return put("source", '"' + p.source.replace("\\", "\\\\").replace('"', '\\"') + '"', line)


def _num(x: float) -> str:
    return f"{x:.9f}".rstrip("0").rstrip(".") if x < 0.01 else f"{x:.6f}".rstrip("0").rstrip(".")


def main(argv: list[str] | None = None) -> int:
    from gpuadvisor.catalog import build_catalog, catalog_files, load_catalog
    from gpuadvisor.catalog.refresh import fetcher, providers
    from gpuadvisor.catalog.refresh.plan import make_plan
    from gpuadvisor.catalog.update import fetch
    from gpuadvisor.errors import GpuAdvisorError
    from gpuadvisor.freshness import today

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("providers", nargs="*")
    ap.add_argument("--accept-changes", action="store_true")
    ap.add_argument("--catalogs", type=Path, default=ROOT / "catalogs")
    ap.add_argument("--summary", type=Path, help="also write the report here (Markdown, for the pull request)")
    ap.add_argument("--source", action="append", default=[], metavar="PROVIDER=URL")
    args = ap.parse_args(argv)
    overrides = dict(s.split("=", 1) for s in args.source)
    cat = load_catalog(extra=[], use_cache=False)
    day = today()
    report, failed = [f"# Price refresh {day.isoformat()}", ""], 0
    for pid in args.providers or providers():
        f = fetcher(pid)
        if f is None or not f.SOURCE.url:
            report.append(f"- **{pid}**: no machine-readable source; prices are edited by hand.")
            continue
        url = overrides.get(pid, f.SOURCE.url)
        try:
            text = fetch(url).decode("utf-8", errors="replace")
            plan = make_plan(cat, f, text, url, day, accept=args.accept_changes)
        except GpuAdvisorError as e:
            failed += 1
            report.append(f"- **{pid}**: not refreshed: {e}")
            continue
        path = args.catalogs / f"{pid}.toml"
        updates = {(c.offering, c.field): c.new for c in plan.changes if not c.held and c.new is not None
                   and (c.status == "changed" or (c.status == "same" and c.new.as_of > c.old.as_of))}
        new_text, missing = rewrite(path.read_text(encoding="utf-8"), updates)
        report.append(f"- **{pid}** ({url}, as of {plan.as_of}): {plan.found} of {plan.known} known prices found; "
                      f"{sum(c.status == 'same' for c in plan.changes)} unchanged.")
        for c in plan.changes:
            if c.status == "same":
                continue
            old = "—" if c.old is None else f"${c.old.per_hour:,.4g}/h ({c.old.as_of})"
            new = "—" if c.new is None else f"${c.new.per_hour:,.4g}/h ({c.new.as_of})"
            pct = "" if c.pct is None else f" {c.pct:+.0f}%"
            todo = (" — held back (check, then rerun with --accept-changes)" if c.held else
                    " — the source is older than the catalog's figure: kept" if c.status == "older" else
                    " — not in the catalog: add by hand" if c.status == "new" else
                    " — no longer listed: remove by hand if the provider dropped it" if c.status == "vanished" else "")
            report.append(f"  - {c.offering} {c.field}: {old} → {new}{pct}{todo}")
        for label, ph in plan.unmapped:
            report.append(f"  - in the source, in no offering: {label} (${ph:,.4g}/h)")
        for name, fld in missing:
            report.append(f"  - {name} {fld}: no `{fld} = {{…}}` line to update; add by hand")
        if new_text != path.read_text(encoding="utf-8"):
            path.write_text(new_text, encoding="utf-8")
    built = build_catalog(catalog_files([("builtin", args.catalogs)]), strict_builtin=False)
    problems = [p for r in built.files for p in r.problems]
    if problems:
        report.append(f"\n**The rewritten catalogs do not validate**: {problems[0]}")
        failed += 1
    out = "\n".join(report) + "\n"
    sys.stdout.write(out)
    if args.summary:
        args.summary.write_text(out, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
