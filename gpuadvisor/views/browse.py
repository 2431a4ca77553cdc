"""Views of the catalogs' facts: list, show, compare, models, and detect's local GPUs with their
equivalents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpuadvisor.render import View, fmt
from gpuadvisor.views.common import codecs_cell, csv_records, csv_value, offering_record, price_cell, what_cell

if TYPE_CHECKING:  # imported lazily at run time: each command loads only what it shows
    from gpuadvisor.browse import GpuDetail
    from gpuadvisor.catalog import Catalog
    from gpuadvisor.models import Gpu, Offering


OFFERING_CSV = ("provider", "name", "kind", "gpu", "members", "vram_gb", "max_count", "ram_gb", "vcpus",
                "bandwidth_gb_s", "nvenc", "nvdec", "av1_encode", "arch", "price_per_hour")


def offerings_view(offs: list[Offering], cat: Catalog) -> View:
    from gpuadvisor.pricing import shown_quote

    quotes = [shown_quote(o, cat.offerings) for o in offs]
    data = [offering_record(o, q) for o, q in zip(offs, quotes, strict=True)]
    return View(data, lambda view: _offerings_blocks(view, offs, quotes), csv=csv_records(data, OFFERING_CSV))


def _offerings_blocks(view: View, offs: list[Offering], quotes: list) -> None:
    rows = []
    for o, q in zip(offs, quotes, strict=True):
        hw = o.hw
        rows.append([
            o.provider, o.name, o.kind, what_cell(o),
            fmt(o.vram_gb) if o.kind != "cpu" else "—",
            (f"{o.fixed_count} only" if o.fixed_count else fmt(o.max_count)) if o.kind != "cpu" else "—",
            fmt(o.bandwidth_gb_s) if hw else "—",
            codecs_cell(hw.nvenc, hw.nvdec, hw.av1_encode) if hw else "—",
            hw.arch if hw else "—",
            "sized" if o.sized else fmt(o.ram_gb), "sized" if o.sized else fmt(o.vcpus), price_cell(q),
        ])
    view.table(["provider", "name", "kind", "GPU", "VRAM GB", "max", "BW GB/s", "enc/dec", "arch",
                "RAM GB", "vCPU", "$/h"], rows, right={4, 5, 6, 9, 10, 11}, keep={0, 1, 3}, head=2,
               sparse={4, 5, 6, 7, 8, 9, 10}, moves=(7, 6, 10, 9, 8, 5, 2, 4))  # $/h stays on the row
    priced = [o for o in offs if o.price]
    notes = [f"{len(offs)} offering(s)."]
    if priced:
        oldest = min(o.price.as_of for o in priced if o.price)  # all are
        notes.append(f"$/h: USD per GPU-hour where a dated price is known (oldest {oldest}); "
                     "check the provider's page before relying on it."
                     + (" Pools show their weakest member." if any(o.kind == "pool" for o in offs) else "")
                     + (" * estimated: the median on-demand price of the same GPU elsewhere (as recommend, "
                        "translate and cost use it)." if any(q and q.estimated for q in quotes) else ""))
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
    from gpuadvisor.pricing import shown_quote

    quotes = [shown_quote(o, cat.offerings) for o in detail.offerings]
    data = {"gpu": g.to_json(), "offerings": [offering_record(o, q) for o, q in zip(detail.offerings, quotes, strict=True)]}
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
        for o, q in zip(detail.offerings, quotes, strict=True):
            extra = [f"{k} stated as {v}" for k, v in o.claimed]
            extra += [f"{what} from {file}" for what, file in o.origin]
            if q is not None and q.estimated:
                extra.append(f"* {q.how}")
            rows.append([o.provider, o.name, o.kind, fmt(o.max_count), price_cell(q),
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
                [[k, *[csv_value(f[k]) for f in facts]] for k, _, _ in COMPARE_FIELDS])

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


def models_view(models) -> View:
    view = View([m.to_json() for m in models])
    rows = []
    for m in models:
        size = f"{m.params_b:g}B" + (f" ({m.active_params_b:g}B active)" if m.is_moe else "")
        arch = (f"{m.layers} layers, {m.kv_heads} KV heads × {m.head_dim}" if m.kind == "llm" and m.kv_heads
                else f"peak {m.vram_gb:g} GB" if m.vram_gb else "")
        rows.append([m.id, m.name, m.kind, size, arch, f"{m.context:,}" if m.context else "—", m.dtype])
    view.table(["id", "name", "kind", "params", "architecture", "context", "dtype"], rows, keep={0}, head=2)
    view.text(f"{len(models)} model(s). Add your own as [model.<id>] tables in a catalog directory.", style="dim")
    return view


def detect_view(local, equivalents: dict, cat) -> View:
    from gpuadvisor.apps.write.syntax import Option, write_config

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
