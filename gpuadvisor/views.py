"""Turn results into Views: the JSON document plus the text blocks a person reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpuadvisor.render import View, fmt

if TYPE_CHECKING:  # imported lazily at run time: each command loads only what it shows
    from gpuadvisor.browse import GpuDetail
    from gpuadvisor.catalog import Catalog, FileReport
    from gpuadvisor.models import Gpu, Offering


def price_cell(off: Offering) -> str:
    if off.price is None:
        return "—"
    return f"{off.price.per_hour:.2f}"


def codecs_cell(nvenc: int, nvdec: int, av1: bool) -> str:
    return f"{nvenc}/{nvdec}" + (" AV1" if av1 else "")


def what_cell(off: Offering) -> str:
    if off.kind == "cpu":
        return "CPU only"
    if off.kind == "pool":
        if len(off.gpus) > 4:
            return f"pool of {len(off.gpus)} GPUs (from {off.hw.id})"
        return "pool: " + ", ".join(g.id for g in off.gpus)
    return off.gpu or ""


OFFERING_CSV = ("provider", "name", "kind", "gpu", "members", "vram_gb", "max_count", "ram_gb", "vcpus",
                "bandwidth_gb_s", "nvenc", "nvdec", "av1_encode", "arch", "price_per_hour")


def _csv_value(v):
    """A CSV cell: lists joined with ";", multi-line text (fal's two-line config) with "; "."""
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, str) and "\n" in v:
        return "; ".join(line.strip() for line in v.splitlines() if line.strip())
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _csv_records(records: list[dict], columns: tuple[str, ...]):
    return lambda: (list(columns), [[_csv_value(r.get(c)) for c in columns] for r in records])


def offerings_view(offs: list[Offering]) -> View:
    data = [o.to_json() for o in offs]
    return View(data, lambda view: _offerings_blocks(view, offs), csv=_csv_records(data, OFFERING_CSV))


def _offerings_blocks(view: View, offs: list[Offering]) -> None:
    rows = []
    for o in offs:
        hw = o.hw
        rows.append([
            o.provider, o.name, o.kind, what_cell(o),
            fmt(o.vram_gb) if o.kind != "cpu" else "—",
            (f"{o.fixed_count} only" if o.fixed_count else fmt(o.max_count)) if o.kind != "cpu" else "—",
            fmt(o.bandwidth_gb_s) if hw else "—",
            codecs_cell(hw.nvenc, hw.nvdec, hw.av1_encode) if hw else "—",
            hw.arch if hw else "—",
            "sized" if o.sized else fmt(o.ram_gb), "sized" if o.sized else fmt(o.vcpus), price_cell(o),
        ])
    view.table(["provider", "name", "kind", "GPU", "VRAM GiB", "max", "BW GB/s", "enc/dec", "arch",
                "RAM GB", "vCPU", "$/h"], rows, right={4, 5, 6, 9, 10, 11}, keep={0, 1, 3}, head=2,
               sparse={4, 5, 6, 7, 8, 9, 10})
    priced = [o for o in offs if o.price]
    notes = [f"{len(offs)} offering(s)."]
    if priced:
        oldest = min(o.price.as_of for o in priced)
        notes.append(f"$/h: USD per GPU-hour where a dated price is known (oldest {oldest}); "
                     "check the provider's page before relying on it."
                     + (" Pools show their weakest member." if any(o.kind == "pool" for o in offs) else ""))
    view.text(*notes, style="dim")


def _value(g: Gpu, key: str, unit: str) -> str:
    v = getattr(g, key)
    if key in ("nvlink_gb_s", "nvlink_group") and not v:
        return "none"
    text = fmt(v, unit if v is not None and not isinstance(v, (bool, str)) else "")
    if key in g.unconfirmed:
        text += " (u)"
    return text


def gpu_view(detail: GpuDetail, cat: Catalog) -> View:
    from gpuadvisor.browse import COMPARE_FIELDS

    g = detail.gpu
    data = {"gpu": g.to_json(), "offerings": [o.to_json() for o in detail.offerings]}
    if detail.matched:
        m = detail.matched
        data["matched"] = {"provider": m.provider, "name": m.name, "kind": m.kind, "members": m.members,
                           "notes": list(m.notes)}
    view = View(data)
    view.text(f"{g.name}  [{g.id}]", style="title")
    if g.origin:
        view.text(f"These facts come from {g.origin}, not from the built-in catalog.", style="warn")
    if detail.matched:
        m = detail.matched
        if m.kind == "pool":
            view.text(f"{m.name} is a {m.provider} pool that may give any of: {', '.join(x.id for x in m.gpus)}.",
                      f"Showing its weakest member, {g.id}: the least the pool guarantees.", style="warn")
        else:
            view.text(f"{m.name} on {m.provider} is {g.id}.", style="dim")
        if m.notes:
            view.text(*[f"• {n}" for n in m.notes], style="dim")
    rows = [[label, _value(g, key, unit)] for key, label, unit in COMPARE_FIELDS if key != "name"]
    view.table(["fact", "value"], rows)
    if g.usable_note:
        view.text(f"Usable memory — {g.usable_note}", style="dim")
    if g.disputes:
        view.text("Sources disagree:", *[f"• {d.text()}" for d in g.disputes], style="warn")
    if g.notes:
        view.text(*[f"• {n}" for n in g.notes], style="dim")
    if g.unconfirmed:
        view.text("(u) = best known value, not verified against an NVIDIA datasheet.", style="dim")
    if detail.offerings:
        rows = []
        for o in detail.offerings:
            extra = [f"{k} stated as {v}" for k, v in o.claimed]
            extra += [f"{what} from {file}" for what, file in o.origin]
            rows.append([o.provider, o.name, o.kind, fmt(o.max_count), price_cell(o),
                         "\n".join([*extra, *o.notes]) or ""])
        view.table(["provider", "name", "kind", "max", "$/h", "notes"], rows, title="Offered as", right={3, 4},
                   keep={0, 1}, prose={5}, head=2)
    else:
        view.text("No provider in the catalogs offers this GPU.", style="dim")
    view.text("Sources:", *[f"  {s}" for s in g.sources], style="dim")
    return view


def compare_view(gpus: list[Gpu], differs: list[str]) -> View:
    from gpuadvisor.browse import COMPARE_FIELDS

    facts = [g.to_json() for g in gpus]

    def csv_rows():
        return (["field", *[g.id for g in gpus]],
                [[k, *[_csv_value(f[k]) for f in facts]] for k, _, _ in COMPARE_FIELDS])

    view = View({"gpus": facts, "differs": differs}, csv=csv_rows)
    rows, highlight = [], set()
    for i, (key, label, unit) in enumerate(COMPARE_FIELDS):
        rows.append([label, *[_value(g, key, unit) for g in gpus]])
        if key in differs:
            highlight.add(i)
    view.table(["", *[g.id for g in gpus]], rows, highlight=highlight, keep={0}, repeat=1)
    view.text(f"Highlighted (*): {len(differs)} fact(s) that differ." if differs else "These GPUs have the same facts.",
              style="dim")
    for g in gpus:
        if g.disputes:
            view.text(f"{g.id}, sources disagree:", *[f"• {d.text()}" for d in g.disputes], style="warn")
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


def recommend_view(ranking, top: int, explain: bool, est=None) -> View:
    """The contract's recommend JSON, a table of picks, and with --explain each pick's throughput
    formula. The header names the best value, the cheapest and the fastest option whatever the order."""
    req = ranking.requirement
    picks = ranking.candidates[:top]
    w = req.workload
    best = ranking.best()
    unit = picks[0].throughput.unit if picks else ""
    data = {
        "query": {"vram_gb": req.vram_gb, "workload": w.id, "providers": list(req.providers) or None,
                  "max_gpus": req.max_gpus, "top": top, "min_nvenc": req.min_nvenc,
                  "budget_per_hour": req.budget_per_hour, "headroom": w.headroom, "optimize": req.optimize,
                  "price_basis": req.price_basis, "min_throughput": req.min_throughput,
                  "floor": None if ranking.floor is None else {"value": round(ranking.floor, 4), "unit": unit},
                  "ceiling": None if ranking.ceiling is None else {"value": round(ranking.ceiling, 4), "unit": unit}},
        "recommendations": [c.to_json(i) for i, c in enumerate(picks, 1)],
        "best": best,
        "workload": w.to_json(),
        "considered": len(ranking.candidates),
        "excluded": {k: v for k, v in ranking.excluded.items() if v},
    }
    if est is not None:
        data["query"]["estimate"] = est.to_json()
    if ranking.job is not None and ranking.job.assumed:
        data["query"]["assumed"] = list(ranking.job.assumed)
    cols = ("rank", "provider", "name", "gpu", "count", "vram_gb", "total_vram_gb", "total_usable_gib", "score",
            "price_per_hour", "total_price_per_hour", "price_basis", "price_estimated", "config", "reasons")

    def csv_rows():
        rows = []
        for r in data["recommendations"]:
            row = [_csv_value(r[c]) if c != "reasons" else "; ".join(r[c]) for c in cols]
            rows.append(row + [r["throughput"]["value"], r["throughput"]["unit"],
                               (r["cost_per_unit"] or {}).get("value", ""), (r["cost_per_unit"] or {}).get("unit", "")])
        return list(cols) + ["throughput", "throughput_unit", "cost_per_unit", "cost_unit"], rows

    view = View(data, csv=csv_rows)
    if est is not None:
        view.text(f"{est.name} ({est.dtype}" + (f", {est.context:,} tokens" if est.context else "")
                  + f", batch {est.batch}, {est.mode}) needs ≈ {est.total_gb:,.1f} GiB — see `gpuadvisor estimate` for the breakdown",
                  style="dim")
        if est.warnings:
            view.text(*[f"warning: {w}" for w in est.warnings], style="warn")
    order = {"value": "best value first", "cost": "cheapest first", "speed": "fastest first"}[req.optimize]
    view.text(f"{w.name}, {_gib(req.vram_gb)} GiB — {len(ranking.candidates)} configurations fit; top {len(picks)}, {order}:",
              style="title")
    view.text(*_best_lines(ranking, best), style="dim")
    rows = []
    for i, c in enumerate(picks, 1):
        o = c.offering
        size = f"{c.count} × {_gib(o.usable_gib)}" if c.count > 1 else _gib(o.usable_gib)
        price = "—" if c.total_price_per_hour is None else f"{c.total_price_per_hour:,.2f}" + ("*" if c.quote.estimated else "")
        cpu = c.cost_per_unit
        rows.append([str(i), o.provider, o.name, c.hw.id, size, f"{_speed(c.throughput.value)}", price,
                     "—" if cpu is None else _cost(cpu), c.config, "\n".join(c.reasons)])
    view.table(["#", "provider", "name", "GPU", "GiB usable", unit, "$/h", picks[0].throughput.cost_unit if picks else "",
                "config", "why"], rows, right={0, 4, 5, 6, 7}, keep={1, 2, 3}, code={8}, prose={9}, head=4)
    if explain:
        for i, c in enumerate(picks, 1):
            lines = [f"#{i} {c.offering.provider} {c.offering.name}" + (f" ×{c.count}" if c.count > 1 else "") + ":",
                     f"  {c.throughput.formula}"]
            lines += [f"  {k}: {v}" for k, v in c.throughput.inputs]
            lines += [f"  {n}: {_speed(v)} {u}" for n, v, u in c.throughput.extra]
            if c.quote is not None:
                lines.append(f"  price: {c.quote.how}")
            view.text(*lines, style="dim")
    notes = []
    if any(c.quote is not None and c.quote.estimated for c in picks):
        notes.append("* estimated price: the median on-demand price of the same GPU elsewhere (see the reasons).")
    notes += [f"• {g}" for g in w.guidance]
    if ranking.excluded.get("no_price_for_budget"):
        notes.append(f"{ranking.excluded['no_price_for_budget']} option(s) without a known price were left out by --budget.")
    if w.legacy_weights:
        notes.append(f"Workload {w.id!r} still has `weights` from gpuadvisor 0.1; ranking is by work per dollar now and ignores them.")
    if notes:
        view.text(*notes, style="dim")
    return view


def _gib(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 else f"{x:,.1f}"


def _speed(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}" if x >= 10 else f"{x:,.2f}"


def _cost(x: float) -> str:
    return f"{x:,.2f}" if x >= 0.1 else f"{x:,.4f}".rstrip("0")


def _best_lines(ranking, best: dict) -> list[str]:
    """One line naming the best value, the cheapest and the fastest option, by rank."""
    parts = []
    for key, label in (("value", "best value"), ("cost", "cheapest"), ("speed", "fastest")):
        r = best.get(key)
        if r is None:
            continue
        c = ranking.candidates[r - 1]
        what = ("$" + _cost(c.cost_per_unit) + c.throughput.cost_unit.removeprefix("$") if key == "value" and c.cost_per_unit is not None
                else f"${c.total_price_per_hour:,.2f}/h" if key == "cost" and c.total_price_per_hour is not None
                else f"{_speed(c.throughput.value)} {c.throughput.unit}")
        parts.append(f"{label}: #{r} {c.offering.provider} {c.offering.name}" + (f" ×{c.count}" if c.count > 1 else "")
                     + f" ({what})")
    lines = ["; ".join(parts) + "."]
    if ranking.floor is not None or ranking.ceiling is not None:
        unit = ranking.candidates[0].throughput.unit
        bits = []
        if ranking.floor is not None:
            bits.append(f"slower than {_speed(ranking.floor)} {unit} is too slow (set with --min-throughput)")
        if ranking.ceiling is not None:
            bits.append(f"value counts at most {_speed(ranking.ceiling)} {unit}, what one stream can use")
        lines.append("; ".join(bits) + ".")
    return lines


def _translation_blocks(view: View, tr) -> None:
    rows = []
    for so, to, cost in zip(tr.source, tr.target, tr.costs, strict=True):
        src = f"{so.offering.name}{so.suffix}" + (f" ×{so.count}" if so.count > 1 and not so.offering.fixed_count else "")
        src += f"\n({so.hw.id})" if so.hw else "\n(CPU)"
        dst = f"{to.offering.name}" + (f" ×{to.count}" if to.count > 1 and not to.offering.fixed_count else "")
        dst += f"\n({to.offering.hw.id})" if to.offering.hw else "\n(CPU)"
        notes = [*(f"source: {n}" for n in so.notes), *to.notes]
        rows.append([src, dst, to.match, cost.text().replace(" (", "\n("), "\n".join(notes)])
    view.table([f"{tr.source_provider.id}", f"{tr.target_provider.id}", "match", "$/h", "notes"], rows,
               keep={0, 1, 3}, prose={4}, head=3)
    if any(c.source and c.source.estimated or c.target and c.target.estimated for c in tr.costs):
        view.text("* estimated: the median on-demand price of the same GPU elsewhere (see --json for the sources).", style="dim")
    if tr.notes:
        view.text(*[f"• {n}" for n in tr.notes], style="dim")
    view.text(f"{tr.target_provider.name} snippet:")
    view.text(*["    " + ln for ln in tr.snippet.splitlines()], style="code")


def translate_view(tr) -> View:
    view = View(tr.to_json())
    view.text(f"{tr.source_provider.name} {tr.spec!r} → {tr.target_provider.name}: {tr.weakest_match}"
              + (f"; {tr.costs[0].text()}" if tr.costs and tr.costs[0].difference is not None else ""), style="title")
    _translation_blocks(view, tr)
    return view


def file_view(path: str, target: str, results: list, scan) -> View:
    """translate --file: one block per configuration, headed by its line, call, value and how it was
    read; the headline match is the weakest of its options."""
    data = {"file": path, "target": target, "findings": [r.to_json() for r in results],
            "total": scan.total, "truncated": scan.truncated, "imports": list(scan.providers),
            "notes": list(scan.notes)}
    view = View(data)
    view.text(f"{path}: {len(results)} GPU configuration(s) found → {target}", style="title")
    for r in results:
        f = r.finding
        head = f"line {f.line} ({f.provider} {f.kind}): {f.code}"
        read = [] if f.resolved_from == "literal" or f.alternatives else [f"  read as {_reading(f)} from {f.resolved_from}"]
        notes = [f"  • {n}" for n in [*f.notes, *r.notes]]
        if r.status == "translated":
            view.text(f"{head}  → {r.match}", *read, *notes, style="title")
            for spec, tr in zip(f.specs, r.translations, strict=True):
                if tr is None:
                    view.text("  otherwise: no GPU, nothing to translate", style="dim")
                else:
                    if len(f.specs) > 1:
                        view.text(f"  branch {spec!r}:", style="dim")
                    _translation_blocks(view, tr)
        elif r.status == "no-gpu":
            view.text(f"{head}  → no GPU", *notes, style="dim")
        else:
            label = {"cpu": "CPU only", "unresolved": "not translated", "no-match": "no match",
                     "invalid": "invalid"}[r.status]
            view.text(head, *read, f"  {label}: {r.message}", *notes, style="warn")
    if scan.truncated:
        view.text(f"Only the first {len(scan.findings):,} of {scan.total:,} configurations were read.", style="warn")
    if scan.notes:
        view.text(*[f"• {n}" for n in scan.notes], style="dim")
    return view


def _reading(f) -> str:
    text = repr(f.spec)
    if f.count is not None and not str(f.spec).endswith(f":{f.count}"):  # Modal's "A100:4" carries it already
        text += f" × {f.count}"
    return text + ("" if f.count_known else " (count unknown)")


def estimate_view(est, smallest: dict, cat) -> View:
    """The breakdown with its formulas, then the smallest configuration per provider."""
    from gpuadvisor.syntax import Option, write_config
    from gpuadvisor.units import human_tokens

    fits = {}
    for pid, pick in smallest.items():
        if pick is None:
            fits[pid] = None
            continue
        off, count = pick
        fits[pid] = {"name": off.name, "gpu": off.hw.id, "count": count, "vram_gb": off.vram_gb,
                     "total_vram_gb": off.vram_gb * count, "usable_gib": off.usable_gib,
                     "total_usable_gib": round(off.usable_gib * count, 2),
                     "config": write_config(cat.providers[pid], [Option(off, count)]),
                     "price_per_hour": None if off.price_per_hour is None else round(off.price_per_hour * count, 4)}
    view = View({"estimate": est.to_json(), "smallest_fit": fits})
    ctx = f", {human_tokens(est.context)} context" if est.context else ""
    mode = "" if est.mode == "inference" else f", {est.mode} fine-tuning"
    view.text(f"{est.name}: {est.dtype}{ctx}, batch {est.batch}{mode}" + (" (approximate)" if est.approximate else ""),
              style="title")
    rows = [[ln.name, f"{ln.gb:,.1f}", ln.formula] for ln in est.lines]
    rows.append(["total", f"{est.total_gb:,.1f}", "sum of the above"])
    view.table(["component", "GiB", "how"], rows, right={1}, prose={2}, head=2)
    if est.warnings:
        view.text(*[f"warning: {w}" for w in est.warnings], style="warn")
    if est.notes:
        view.text(*[f"• {n}" for n in est.notes], style="dim")
    rows = []
    for pid, f in fits.items():
        if f is None:
            rows.append([pid, "nothing fits", "", "", "", ""])
        else:
            size = _gib(f["usable_gib"])
            rows.append([pid, f["name"], f"{f['count']} × {size}" if f["count"] > 1 else size,
                         _gib(f["total_usable_gib"]), f["config"], "—" if f["price_per_hour"] is None else f"{f['price_per_hour']:,.2f}"])
    view.table(["provider", "smallest fit", "GiB usable", "total", "config", "$/h"], rows, right={2, 3, 5},
               keep={0, 1}, code={4}, head=2,
               title=f"Smallest configuration per provider for {est.total_gb:,.1f} GiB "
                     "(run `gpuadvisor recommend --model …` to rank by workload)")
    return view


def models_view(models) -> View:
    view = View([m.to_json() for m in models])
    rows = []
    for m in models:
        size = f"{m.params_b:g}B" + (f" ({m.active_params_b:g}B active)" if m.is_moe else "")
        arch = (f"{m.layers} layers, {m.kv_heads} KV heads × {m.head_dim}" if m.kind == "llm" and m.kv_heads
                else f"documented {m.vram_gb:g} GB" if m.vram_gb else "")
        rows.append([m.id, m.name, m.kind, size, arch, f"{m.context:,}" if m.context else "—", m.dtype])
    view.table(["id", "name", "kind", "params", "architecture", "context", "dtype"], rows, keep={0}, head=2)
    view.text(f"{len(models)} model(s). Add your own as [model.<id>] tables in a catalog directory.", style="dim")
    return view


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


def detect_view(local, equivalents: dict, cat) -> View:
    from gpuadvisor.syntax import Option, write_config

    gpus = [{"name": lg.name, "memory_mib": lg.memory_mib, "gpu": lg.gpu.id if lg.gpu else None, "matched_by": lg.how}
            for lg in local]
    eq = {gid: {pid: {**t.to_json(), "config": write_config(cat.providers[pid], [Option(t.offering, t.count)])}
                for pid, t in picks} for gid, picks in equivalents.items()}
    view = View({"gpus": gpus, "equivalents": eq})
    rows = [[str(i), g["name"], fmt(g["memory_mib"]), g["gpu"] or "unknown", g["matched_by"]] for i, g in enumerate(gpus)]
    view.table(["#", "nvidia-smi name", "MiB", "gpu", "matched by"], rows, title="Local GPUs", keep={1, 3}, head=2)
    for gid, picks in eq.items():
        rows = [[pid, f"{t['name']} ×{t['count']}" if t["count"] > 1 else t["name"], t["match"], t["config"],
                 "\n".join(t["notes"][:3])] for pid, t in picks.items()]
        view.table(["provider", "rent", "match", "config", "notes"], rows, title=f"In the cloud: {gid}",
                   keep={0, 1}, code={3}, prose={4}, head=3)
    unknown = [g["name"] for g in gpus if not g["gpu"]]
    if unknown:
        view.text(f"Not in the catalogs: {', '.join(unknown)} (add it as a [gpu.<id>] table to match it)", style="warn")
    return view


def check_view(report, fail_on: str) -> View:
    """`gpuadvisor check`: one line per finding, file:line first (as compilers and ruff print them, so
    editors link them), the suggested rewrite under it, then a summary."""
    from gpuadvisor.check import SEVERITIES, to_sarif

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

    return View(data, build, csv=_csv_records(data["findings"], ("file", "line", "code", "severity", "message", "suggestion")),
                documents={"sarif": lambda: to_sarif(report.issues, __version__)})


def _check_summary(report, counts: dict) -> str:
    where = f"{len(report.sites):,} GPU config(s) in {report.files:,} file(s)"
    quiet = f"; {report.suppressed:,} silenced (noqa or --ignore)" if report.suppressed else ""
    skipped = f"; {len(report.skipped):,} file(s) not read" if report.skipped else ""
    if not report.issues:
        return f"No issues: {where}{quiet}{skipped}."
    parts = ", ".join(f"{n:,} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items() if n)
    return f"Found {len(report.issues):,} issue(s) ({parts}) in {where}{quiet}{skipped}."


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
