"""`translate` as a View: one translation, or every configuration of a `--file`."""

from __future__ import annotations

from gpuadvisor.render import View


def _translation_blocks(view: View, tr) -> None:
    rows = []
    for so, to, cost in zip(tr.source, tr.target, tr.costs, strict=True):
        src = f"{so.offering.name}{so.suffix}" + (f" ×{so.count}" if so.count > 1 and not so.offering.fixed_count else "")
        src += f"\n({so.hw.id})" if so.hw else "\n(CPU)"
        dst = f"{to.offering.name}{to.suffix}" + (f" ×{to.count}" if to.count > 1 and not to.offering.fixed_count else "")
        dst += f"\n({to.offering.hw.id})" if to.offering.hw else "\n(CPU)"
        notes = [*(f"source: {n}" for n in so.notes), *to.notes]
        rows.append([src, dst, to.match, cost.text().replace(" (", "\n("), "\n".join(notes)])
    view.table([f"{tr.source_provider.id}", f"{tr.target_provider.id}", "match", "$/h", "notes"], rows,
               keep={0, 1, 3}, prose={4}, head=3)
    if any(c.source and c.source.estimated or c.target and c.target.estimated for c in tr.costs):
        view.text("* estimated: the median on-demand price of the same GPU elsewhere (see --json for the sources).", style="dim")
    # provider name → a quote with its host charge (one host per provider: the same in every option)
    hosts = {p.name: charged[0] for p, quotes in ((tr.source_provider, [c.source for c in tr.costs]),
                                                 (tr.target_provider, [c.target for c in tr.costs]))
             if (charged := [q for q in quotes if q is not None and q.host_per_hour])}
    if hosts:
        vcpus, gb = next(iter(hosts.values())).host
        view.text(f"$/h includes the worker's CPU and RAM where billed apart from the GPU ({vcpus:g} vCPUs and {gb:g} GB "
                  "assumed): " + ", ".join(f"{name} +${q.host_per_hour:,.2f}/h" for name, q in hosts.items()) + ".", style="dim")
    if tr.notes:
        view.text(*[f"• {n}" for n in tr.notes], style="dim")
    view.text(f"{tr.target_provider.name} snippet:")
    view.text(*["    " + ln for ln in tr.snippet.splitlines()], style="code")
    for alt in tr.alternatives:
        view.text(f"Or, {alt['why']}:")
        view.text(f"    {alt['config']}", style="code")


def translate_view(tr) -> View:
    view = View(tr.to_json())
    view.text(f"{tr.source_provider.name} {tr.spec!r} → {tr.target_provider.name}: {tr.weakest_match}"
              + (f"; {tr.costs[0].text()}" if tr.costs and tr.costs[0].difference is not None else ""), style="title")
    _translation_blocks(view, tr)
    return view


def file_view(path: str, target: str, results: list, scan, explain: bool = False) -> View:
    """translate --file: one line per configuration and a summary (issue 25); with --explain, one
    block per configuration, headed by its line, call, value and how it was read; the headline match
    is the weakest of its options."""
    data = {"file": path, "target": target, "findings": [r.to_json() for r in results],
            "total": scan.total, "truncated": scan.truncated, "imports": list(scan.providers),
            "notes": list(scan.notes)}
    view = View(data)
    view.text(f"{path}: {len(results)} GPU configuration(s) found → {target}", style="title")
    if not explain:
        _file_summary(view, results, scan)
        return view
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


_LABELS = {"cpu": "CPU only", "unresolved": "not translated", "no-match": "no match", "invalid": "invalid",
           "no-gpu": "no GPU"}


def _file_summary(view: View, results: list, scan) -> None:
    """A row per site: its line, what the file says, what it becomes, the match and the price
    change; a site that was not translated says why under its row."""
    rows, problems = [], []
    for r in results:
        f = r.finding
        done = [tr for tr in r.translations if tr is not None]
        if r.status == "translated" and done:
            first = done[0].target
            name = first[0].offering.name + (f" ×{first[0].count}" if first[0].count > 1 else "")
            name += f" (+{len(first) - 1} more)" if len(first) > 1 else ""
            name += f", +{len(done) - 1} branch(es)" if len(done) > 1 else ""
            rows.append([str(f.line), f.code, name, r.match, _price_change(done[0]), ""])
        else:
            label = _LABELS.get(r.status, r.status)
            rows.append([str(f.line), f.code, "—", label, "—", r.message or ""])
            if r.status != "no-gpu":
                problems.append(f.line)
    view.table(["line", "source", "target", "match", "$/h"] + [""], rows, right={0, 4}, keep={0, 1, 2},
               prose={5}, moves=(4,))
    counts: dict[str, int] = {}
    for r in results:
        key = r.match if r.status == "translated" and r.match else _LABELS.get(r.status, r.status)
        counts[key] = counts.get(key, 0) + 1
    tail = []
    if scan.truncated:
        tail.append(f"Only the first {len(scan.findings):,} of {scan.total:,} configurations were read.")
    view.text(f"{len(results)} site(s): " + ", ".join(f"{n} {k}" for k, n in counts.items())
              + "; notes, snippets and alternatives: --explain.", *tail, style="dim")


def _price_change(tr) -> str:
    """The target's $/h and the change from the source's, e.g. "10.94 (+27%)"."""
    c = tr.costs[0] if tr.costs else None
    if c is None or c.after is None:
        return "—"
    text = f"{c.after:,.2f}" + ("*" if c.target.estimated else "")
    if c.ratio is not None:
        text += " (same)" if abs(c.ratio - 1) < 0.005 else f" ({(c.ratio - 1) * 100:+.0f}%)"
    return text


def _reading(f) -> str:
    text = repr(f.spec)
    if f.count is not None and not str(f.spec).endswith(f":{f.count}"):  # Modal's "A100:4" carries it already
        text += f" × {f.count}"
    return text + ("" if f.count_known else " (count unknown)")
