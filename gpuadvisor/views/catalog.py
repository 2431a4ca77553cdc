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
        prices = (f"{p['priced']} of {p['offerings']}, {p['oldest_price']} … {p['newest_price']}" if p["priced"]
                  else f"none of {p['offerings']}")
        stale = f"{p['stale_prices']} older than {info['stale_after_days']} days" if p["stale_prices"] else "—"
        rows.append([p["id"], p["name"], p["as_of"] or "—", prices, stale, p["docs_url"] or "—",
                     "\n".join(p["files"])])
    view.table(["provider", "name", "as of", "dated prices", "stale", "docs", "files"], rows,
               title=f"Catalogs (today {info['today']})", keep={0, 5}, code={6}, head=2)
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
