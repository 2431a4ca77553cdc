"""Views of the catalog files themselves: catalog info, validate, paths, import and update."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpuadvisor.render import View

if TYPE_CHECKING:
    from gpuadvisor.catalog import Catalog, FileReport


def info_view(info: dict) -> View:
    view = View(info)
    rows = []
    for p in info["providers"]:
        age = p.get("oldest_price_age_days")
        prices = (f"{p['priced']} of {p['offerings']}, {p['oldest_price']} … {p['newest_price']}"
                  + (f" (oldest {age} days)" if age is not None else "") if p["priced"] else f"none of {p['offerings']}")
        stale = f"{p['stale_prices']} older than {info['stale_after_days']} days" if p["stale_prices"] else "—"
        src = p.get("price_source") or {}
        source = ("—" if not src else (src["url"] and f"{src['url']}\n({'official' if src['official'] else 'third party'}; "
                                       f"last refresh {src['last_refresh'] or 'never'})") or "none: edit by hand")
        rows.append([p["id"], p["name"], p["as_of"] or "—", prices, stale, source, p["docs_url"] or "—",
                     "\n".join(p["files"])])
    view.table(["provider", "name", "as of", "dated prices", "stale", "price source", "docs", "files"], rows,
               title=f"Catalogs (today {info['today']})", keep={0, 6}, code={7}, head=2)
    view.text(f"{info['gpus']} GPUs, {info['workloads']} workload profiles, {info['models']} models.",
              *[f"{f['path']} ({', '.join(f['sections'])})" for f in info["other_files"]], style="dim")
    return view


def validate_view(reports: list[FileReport]) -> View:
    view = View({"files": [r.to_json() for r in reports], "ok": all(not r.problems for r in reports)})
    for r in reports:
        if r.problems:
            view.text(f"✗ {r.path}: {len(r.problems)} problem(s)", *[f"  {p}" for p in r.problems], style="warn")
        else:
            view.text(f"✓ {r.path}: ok ({', '.join(r.sections) or 'empty'})")
    return view


def paths_view(cat: Catalog, builtin: str, extra: list[tuple[str, str, bool]], builtin_only: bool = False) -> View:
    data = {"builtin": builtin, "extra": [{"origin": o, "path": p, "exists": e} for o, p, e in extra],
            "files": [r.to_json() for r in cat.files], "overrides": cat.overrides, "builtin_only": builtin_only}
    view = View(data)
    rows = [["builtin", builtin, "yes"]] + [[o, p, "yes" if e else "no"] for o, p, e in extra]
    view.table(["origin", "directory", "exists"], rows, title="Catalog directories, in load order", keep={1}, head=1)
    if builtin_only:
        view.text("Extra catalogs are not read (--builtin-only or GPUADVISOR_BUILTIN_ONLY).", style="dim")
    rows = [[r.origin, r.path, "ok" if not r.problems else f"skipped: {r.problems[0]}"] for r in cat.files]
    view.table(["origin", "file", "status"], rows, title="Files loaded", keep={1}, prose={2}, head=1)
    if cat.overrides:
        rows = [[r["kind"], r["id"] + (f" {r['field']}" if r["field"] else ""), r["file"], r["replaces"]]
                for r in cat.overrides]
        view.table(["kind", "what", "now from", "replaces"], rows, title="Built-in facts replaced by extra catalogs",
                   keep={1, 2}, head=2)
    else:
        view.text("No built-in fact is replaced by an extra catalog.", style="dim")
    return view


def import_view(imp) -> View:
    """What `catalog import` wrote, and every row it did not import, with why."""
    view = View(imp.to_json())
    head = f"Imported {imp.offerings} offering(s) as provider {imp.provider_id}: {imp.path}"
    lines = [head] + ([f"Replaced the previous file ({imp.replaced})."] if imp.replaced else [])
    view.text(*lines, style="title")
    if imp.unmapped:
        rows = sum(imp.unmapped.values())
        view.text(f"{rows} row(s) with {len(imp.unmapped)} accelerator name(s) no canonical GPU id matches (not imported):",
                  *[f"  {name}: {n} row(s)" for name, n in sorted(imp.unmapped.items())], style="warn")
    for why, n in sorted(imp.skipped.items()):
        view.text(f"Skipped {n} {why}.", style="dim")
    view.text(f"Try: gpuadvisor list --provider {imp.provider_id}", style="dim")
    return view


def update_view(plan, dry_run: bool) -> View:
    """What `catalog update` installed (or, with --dry-run, would install) and the offering changes."""
    view = View({**plan.to_json(), "dry_run": dry_run})
    verb = "Would install" if dry_run else "Installed"
    view.text(f"{verb} {len(plan.files)} catalog file(s) into {plan.directory}: {', '.join(sorted(plan.files))}"
              + (f" (replacing {', '.join(plan.replaced)})" if plan.replaced else ""), style="title")
    for label, items in (("added", plan.added), ("removed", plan.removed), ("price changed", plan.changed)):
        if items:
            view.text(f"{len(items)} offering(s) {label}:", *[f"  {x}" for x in items[:50]],
                      *([f"  … and {len(items) - 50} more"] if len(items) > 50 else []))
    if not (plan.added or plan.removed or plan.changed):
        view.text("No offering or price changes.", style="dim")
    return view


def _money(p) -> str:
    return "—" if p is None else f"${p.per_hour:,.4g}/h"


def refresh_view(result) -> View:  # noqa: C901 - one block per part of the diff
    """`catalog refresh`: per provider, the source, then the diff (offering, old → new $/h, %, as-of
    dates), new and vanished prices, rows the source has that no offering takes, and what was held."""
    from gpuadvisor.freshness import max_age

    view = View(result.to_json())
    for plan in result.plans:
        verb = "would write" if result.dry_run else "written"
        view.text(f"{plan.provider}: {plan.found} of {plan.known} known prices found at {plan.url}, "
                  f"as of {plan.as_of}" + (" (the source file's own date)" if plan.published else " (read today)"),
                  style="title")
        rows = []
        for c in plan.changes:
            if c.status == "same":
                continue
            pct = "—" if c.pct is None else f"{c.pct:+.0f}%"
            dates = f"{c.old.as_of if c.old else '—'} → {c.new.as_of if c.new else '—'}"
            what = {"changed": "changed", "new": "new price", "vanished": "no longer listed",
                    "older": "source is older than the price in use: kept"}[c.status]
            rows.append([c.offering + ("" if c.field == "price" else f" ({c.field})"), f"{_money(c.old)} → {_money(c.new)}",
                         pct, dates, what + (" — held back" if c.held else "")])
        same = [c for c in plan.changes if c.status == "same"]
        if rows:
            view.table(["offering", "$/h", "change", "as of", "status"], rows, keep={0}, head=1)
        if same:
            newest = max(c.new.as_of for c in same)
            view.text(f"{len(same)} price(s) unchanged, now dated {newest}.", style="dim")
        if plan.source_age is not None and plan.source_age > max_age():
            page = f" against {plan.page}" if plan.page else ""
            view.text(f"warning: this source is itself {plan.source_age} days old (as of {plan.as_of}): its prices stay "
                      f"stale; check them by hand{page}.", style="warn")
        if plan.unmapped:
            shown = ", ".join(f"{label} (${ph:,.4g}/h)" for label, ph in plan.unmapped[:8])
            more = f" and {len(plan.unmapped) - 8} more" if len(plan.unmapped) > 8 else ""
            view.text(f"In the source but in no offering: {shown}{more}.", style="dim")
        view.text(f"Overlay {verb}: {result.directory}/{plan.provider}.toml" if plan.overlay else "", style="dim")
    for provider, why in result.skipped:
        view.text(f"{provider}: skipped: {why}", style="warn")
    return view
