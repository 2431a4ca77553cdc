"""The Translation result and translate(): the whole spec, fallback lists kept in order, one count
where the target writes one, plus the paste-ready config, snippet and the change in cost."""

from __future__ import annotations

from dataclasses import dataclass, field

from gpuadvisor.apps.write.syntax import Option, shared_count, write_config, write_host, write_snippet
from gpuadvisor.catalog import Catalog
from gpuadvisor.errors import UsageError
from gpuadvisor.models import Provider
from gpuadvisor.pricing import Change, change
from gpuadvisor.translate.match import TargetOption, match_option
from gpuadvisor.translate.spec import SourceOption, parse_spec


@dataclass
class Translation:
    source_provider: Provider
    target_provider: Provider
    spec: str
    source: list[SourceOption]
    target: list[TargetOption]
    snippet: str
    config: str
    notes: list[str] = field(default_factory=list)
    alternatives: list[dict] = field(default_factory=list)  # {"config", "why"}: other ways to write it
    costs: list[Change] = field(default_factory=list)  # per option: the bill before and after, on the list basis

    @property
    def match(self) -> str:
        return self.target[0].match

    @property
    def weakest_match(self) -> str:
        return max((t.match for t in self.target), key=MATCH_ORDER.index)

    def to_json(self) -> dict:
        return {
            "source": {"provider": self.source_provider.id, "spec": self.spec,
                       "options": [s.to_json() for s in self.source]},
            "target": {"provider": self.target_provider.id, "options": [t.to_json() for t in self.target]},
            "match": self.match, "weakest_match": self.weakest_match, "snippet": self.snippet, "config": self.config,
            "notes": self.notes, "alternatives": self.alternatives,
            "cost": self.costs[0].to_json() if self.costs else None,
            "costs": [c.to_json() for c in self.costs],
        }


MATCH_ORDER = ("exact", "equivalent", "upgrade", "downgrade")


def translate(cat: Catalog, source: str, target: str, spec: str, count: int | None = None,
              host: tuple[float, float] | None = None) -> Translation:
    """`host`: the (vCPUs, GB) the source gives its worker (translate --file reads cpu= and memory=);
    written in the target's syntax where it sizes the host itself, else said in a note."""
    src_p, dst_p = cat.provider(source), cat.provider(target)
    options = parse_spec(cat, src_p.id, spec, count)
    if not src_p.lists and len(options) > 1:
        raise UsageError(f"{src_p.name} takes one GPU option, not a list ({len(options)} given)")
    if not src_p.syntax.counted and len({o.count for o in options if not o.offering.fixed_count}) > 1:
        raise UsageError(f"{src_p.name} has one GPU count for the whole list; the items say "
                         + ", ".join(f"{o.text}" for o in options))
    targets = [match_option(cat, dst_p, o) for o in options]
    notes = []
    shared = shared_count(dst_p, [Option(t.offering, t.count) for t in targets])
    if shared is not None and len({t.count for t in targets if not t.offering.fixed_count}) > 1:
        raised = []
        for i, t in enumerate(targets):
            if t.count != shared and t.offering.kind != "cpu" and not t.offering.fixed_count:
                extra = f"count {t.count} → {shared}: {dst_p.name} has one count for the whole list"
                targets[i] = TargetOption(t.offering, shared, "upgrade" if t.match in ("exact", "equivalent") else t.match,
                                          (*t.notes, extra))
                raised.append(t.offering.name)
        notes.append(f"{dst_p.name} writes one GPU count for every option; {shared} applies to "
                     + ", ".join(raised) + " too")
    unique: list[Option] = []
    seen = set()
    for t in targets:
        key = (t.offering.name, t.count, t.suffix)
        if key not in seen:
            seen.add(key)
            unique.append(t.option)
    if len(unique) < len(targets):
        notes.append("options that map to the same target are written once, in first-seen order")
    if not dst_p.lists and len(unique) > 1:
        dropped = ", ".join(o.offering.name for o in unique[1:])
        notes.append(f"{dst_p.name} takes one GPU option, not a fallback list: only the first, "
                     f"{unique[0].offering.name}, is written ({dropped} dropped)")
        unique = unique[:1]
    config = write_config(dst_p, unique)
    if host is not None and any(o.offering.kind != "cpu" for o in unique):
        written = write_host(dst_p, *host)
        size = f"{host[0]:g} vCPUs and {host[1]:g} GB of memory"
        if written is not None:
            config += written
            notes.append(f"host kept: {size}, as the source gives them")
        else:
            notes.append(f"{dst_p.name} sizes the host with the GPU type: the source's {size} are not written")
    alternatives = []
    if len(unique) > 1 and dst_p.list_note and any(o.offering.kind != "cpu" for o in unique):
        notes.append(dst_p.list_note)
        single = unique[0]
        alternatives.append({"config": write_config(dst_p, [single]),
                             "why": f"to pin the card: {single.offering.name} alone (a list does not pin where workers run)"})
    by_config: dict[str, dict] = {}  # one alternative per config, naming every source option it is for
    for so, t in zip(options, targets, strict=True):
        for off, m, why in t.alternatives:
            cfg = write_config(dst_p, [Option(off, m)])
            if cfg in by_config:
                by_config[cfg]["for"].append(so.text)
                continue
            by_config[cfg] = {"config": cfg, "why": why, "name": off.name, "count": m,
                              "restricted": off.restricted or None, "for": [so.text]}
    for alt in by_config.values():
        if len(options) > 1:
            alt["why"] = f"for {', '.join(alt['for'])}, {alt['why']}"
        alternatives.append(alt)
    costs = [change(o.offering, o.count, t.offering, t.count, cat) for o, t in zip(options, targets, strict=True)]
    return Translation(src_p, dst_p, spec, options, targets, write_snippet(dst_p, config), config, notes, alternatives, costs)
