"""Translate a GPU config from one provider's syntax to another's.

parse_spec    a spec as SOURCE writes it -> source options (offering, count, suffix)
match_option  one source option -> the best target offering and count, classified as
              exact | equivalent | upgrade | downgrade, with notes saying what changes
translate     the whole thing, fallback lists kept in order, plus a paste-ready snippet

Specs are parsed with `ast` (never eval): a name, `NAME:N`, a comma-separated list, or a Python
list literal whose items are strings or enum members (`GpuGroup.AMPERE_80`).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from gpuadvisor.catalog import Catalog, lookup_keys
from gpuadvisor.errors import NoMatch, UsageError
from gpuadvisor.models import Gpu, Offering, Provider
from gpuadvisor.syntax import Option, shared_count, write_config, write_snippet

MAX_SPEC_CHARS = 2000
MAX_OPTIONS = 32


@dataclass(frozen=True)
class SourceOption:
    offering: Offering
    count: int
    suffix: str = ""
    text: str = ""  # the item as written
    notes: tuple[str, ...] = ()

    @property
    def hw(self) -> Gpu | None:
        return self.offering.hw

    def to_json(self) -> dict:
        o = self.offering
        return {"name": o.name + self.suffix, "gpu": o.hw.id if o.hw else None, "count": self.count,
                "kind": o.kind, "members": o.members, "vram_gb": o.vram_gb,
                "total_vram_gb": o.vram_gb * self.count, "written": self.text, "notes": list(self.notes)}


@dataclass(frozen=True)
class TargetOption:
    offering: Offering
    count: int
    match: str
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        o = self.offering
        return {"name": o.name, "gpu": o.hw.id if o.hw else None, "count": self.count, "match": self.match,
                "notes": list(self.notes), "kind": o.kind, "members": o.members, "vram_gb": o.vram_gb,
                "total_vram_gb": o.vram_gb * self.count}


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

    @property
    def match(self) -> str:
        return self.target[0].match

    def to_json(self) -> dict:
        return {
            "source": {"provider": self.source_provider.id, "spec": self.spec,
                       "options": [s.to_json() for s in self.source]},
            "target": {"provider": self.target_provider.id, "options": [t.to_json() for t in self.target]},
            "match": self.match, "snippet": self.snippet, "config": self.config, "notes": self.notes,
        }


# ---------------------------------------------------------------------------- parsing

def _literal_items(spec: str) -> list[str] | None:
    """Items of a list literal (`["H100", "A100:2"]`, `[GpuGroup.AMPERE_80, GpuType.NVIDIA_A40]`), or None if
    the spec is not a list literal. Only string constants and dotted names are accepted."""
    text = spec.strip()
    if not (text.startswith("[") or text.startswith("(")):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UsageError(f"malformed list {_clip(spec)}: write it like '[\"H100\", \"A100-40GB:2\"]'") from None
    node = tree.body
    if not isinstance(node, (ast.List, ast.Tuple)):
        raise UsageError(f"malformed list {_clip(spec)}: expected [item, item, …]")
    items = []
    for elt in node.elts:
        value = expr_text(elt)
        if value is None:
            # the item's own text, not ast.unparse: unparse recurses and fails on deep expressions
            raise UsageError(f"list item {_clip(ast.get_source_segment(text, elt) or '?')} is not a GPU name")
        items.append(value)
    return items


def expr_text(node: ast.AST) -> str | None:
    """A string constant or dotted name (GpuType.NVIDIA_A40) as text; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _clip(text: str, n: int = 60) -> str:
    text = repr(text)
    return text if len(text) <= n else text[: n - 4] + "…" + text[-1]


def split_spec(spec: str) -> list[str]:
    if not isinstance(spec, str) or not spec.strip():
        raise UsageError("empty GPU spec: write a name such as \"H100\", \"AMPERE_80\" or \"GPU-H100\"")
    if len(spec) > MAX_SPEC_CHARS:
        raise UsageError(f"GPU spec is {len(spec):,} characters; at most {MAX_SPEC_CHARS:,} are accepted")
    items = _literal_items(spec)
    if items is None:
        items = [p for p in (x.strip() for x in spec.split(","))]
    items = [i.strip().strip("\"'").strip() for i in items]
    if not items or any(not i for i in items):
        raise UsageError(f"empty item in GPU spec {_clip(spec)}")
    if len(items) > MAX_OPTIONS:
        raise UsageError(f"{len(items)} options in one spec; at most {MAX_OPTIONS} are accepted")
    return items


def _parse_count(text: str, item: str) -> int:
    t = text.strip()
    if not (t[1:] if t[:1] in "+-" else t).isdigit() or not t.isascii():  # one sign at most: "---1" is no count
        raise UsageError(f"invalid GPU count {t!r} in {item!r}: write NAME:N with N a whole number")
    if len(t) > 6:
        raise UsageError(f"GPU count {t} in {item!r} is far beyond any provider's limit")
    n = int(t)
    if n < 1:
        raise UsageError(f"GPU count must be 1 or more, not {n} (in {item!r})")
    return n


def parse_item(cat: Catalog, provider: Provider, item: str, count: int | None) -> SourceOption:
    """`NAME`, `NAME:N`, `NAME!` … as the provider writes it."""
    if item.startswith("modal.gpu.") or (provider.id == "modal" and item.endswith(")")):
        raise UsageError(f"{item!r}: modal.gpu.* objects were removed in Modal 1.4.0; write a string such as gpu=\"H100\"")
    if item.startswith("-"):
        raise UsageError(f"{item!r}: negations are RunPod's wire format (gpuIds); write the GpuType or GpuGroup instead")
    name, explicit = item, None
    if ":" in item:
        name, _, tail = item.rpartition(":")
        explicit = _parse_count(tail, item)
        name = name.strip()
    if explicit is not None and count is not None and explicit != count:
        raise UsageError(f"{item!r} says {explicit} GPUs but --count says {count}")
    n = explicit or count or 1
    suffix = ""
    try:
        off = cat.lookup(provider.id, name)
    except UsageError:
        if name and not name[-1].isalnum():
            base, suffix = name[:-1], name[-1]
            try:
                off = cat.lookup(provider.id, base)
            except UsageError:
                raise UsageError(_unknown(cat, provider, name)) from None
            allowed = dict(off.suffixes)
            if suffix not in allowed:
                with_it = [o.name + s for o in cat.offerings_of(provider.id) for s, _ in o.suffixes]
                raise UsageError(f"{provider.name} has no {name!r}: the {suffix!r} suffix applies only to "
                                 + (", ".join(with_it) or "no GPU type")) from None
        else:
            raise UsageError(_unknown(cat, provider, name)) from None
    notes = []
    if off.kind == "cpu":
        if n != 1:
            raise UsageError(f"{off.name} is a CPU machine type; it takes no GPU count")
    elif n > off.max_count:
        raise UsageError(f"{off.name} allows at most {off.max_count} GPU(s) per container on {provider.name}, not {n}"
                         + (f" ({provider.count_note})" if provider.count_note and off.max_count == provider.max_count else ""))
    notes.extend(_source_notes(cat, provider, off, name, suffix))
    return SourceOption(off, n, suffix, item, tuple(notes))


def _unknown(cat: Catalog, provider: Provider, name: str) -> str:
    from gpuadvisor.errors import did_you_mean

    names = [k for o in cat.offerings_of(provider.id) for k in lookup_keys(o, provider)]
    msg = f"unknown {provider.id} GPU name {name!r}"
    hint = did_you_mean(name, names)
    if hint:
        return msg + hint
    try:
        gpu, off = cat.resolve(name)
        theirs = [o.name for o in cat.offerings_for_gpu(gpu.id) if o.provider == provider.id and o.kind == "gpu"]
        where = f"{off.provider}'s name" if off else "a canonical id"
        return msg + f" ({name!r} is {where} for {gpu.id}" + (f"; {provider.id} writes it {theirs[0]!r})" if theirs else ")")
    except UsageError:
        return msg + f"; run `gpuadvisor list --provider {provider.id}` to see its names"


def _source_notes(cat: Catalog, provider: Provider, off: Offering, written: str, suffix: str) -> list[str]:
    notes = []
    if suffix:
        notes.append(f"{off.name}{suffix}: {dict(off.suffixes)[suffix]}")
    elif off.may_upgrade_to:
        notes.append(f"{provider.name} may run {off.name} on {_gpu_names(cat, off.may_upgrade_to)} at no extra cost"
                     + (f"; {off.name}{s} pins it" if (s := next((k for k, _ in off.suffixes), "")) else ""))
    if off.kind == "pool":
        notes.append(f"{off.name} is a pool that may give any of {', '.join(g.id for g in off.gpus)}; "
                     f"translated from its weakest member, {off.hw.id}")
    alias = written.lower() != off.name.lower() and written.lower() in (a.lower() for a in off.aliases)
    if alias and any("ambiguous" in n for n in off.notes):
        notes.append(f"{written!r} is ambiguous on {provider.name}; read as {off.name} (see `gpuadvisor show {written}`)")
    for n in off.notes:
        if "unverified" in n:
            notes.append(n)
    return notes


def _gpu_names(cat: Catalog, ids) -> str:
    return " or ".join(f"an {cat.gpus[i].name}" if i in cat.gpus else i for i in ids)


def parse_spec(cat: Catalog, provider_id: str, spec: str, count: int | None = None) -> list[SourceOption]:
    provider = cat.provider(provider_id)
    if count is not None and (count < 1 or count > 10_000):
        raise UsageError(f"--count must be 1 or more, not {count}" if count < 1 else f"--count {count} is beyond any limit")
    options = [parse_item(cat, provider, item, count) for item in split_spec(spec)]
    kinds = {o.offering.kind == "cpu" for o in options}
    if len(kinds) > 1:
        raise UsageError("a list cannot mix CPU machine types and GPUs")
    return options


# ---------------------------------------------------------------------------- matching

def _pct(new: float, old: float) -> str:
    return f"{(new - old) / old * 100:+.0f}%" if old else ""


LOSS_BANDWIDTH = 0.80  # less than 80% of the source's bandwidth is a loss ("similar" is within 20%)
LOSS_COMPUTE = 0.75


def differences(src: Gpu, n: int, dst: Gpu, m: int) -> tuple[list[str], list[str], list[str]]:
    """(losses, gains, minor) going from n × src to m × dst, as notes. A loss is less of something that
    matters; minor differences are worth saying but change nothing material."""
    losses, gains, minor = [], [], []

    def ratio_note(label: str, a: float, b: float, unit: str, loss_below: float):
        if not a or not b or abs(b / a - 1) < 0.05:
            return
        text = f"{label} {a:,.0f} → {b:,.0f}{unit} ({_pct(b, a)})"
        if b / a < loss_below:
            losses.append(text)
        elif b / a > 1 / loss_below:
            gains.append(text)
        else:
            minor.append(text)

    if dst.vram_gb < src.vram_gb:
        losses.append(f"{src.vram_gb:g} GB → {dst.vram_gb:g} GB per GPU")
    elif dst.vram_gb > src.vram_gb:
        gains.append(f"{src.vram_gb:g} GB → {dst.vram_gb:g} GB per GPU")
    t_src, t_dst = src.vram_gb * n, dst.vram_gb * m
    if t_dst < t_src:
        losses.append(f"total {t_src:g} GB → {t_dst:g} GB: the model may no longer fit")
    elif t_dst > t_src and m != n:
        gains.append(f"total {t_src:g} GB → {t_dst:g} GB")
    if m != n:
        (gains if m < n else losses).append(f"{n} → {m} GPUs")
    ratio_note("bandwidth", src.bandwidth_gb_s, dst.bandwidth_gb_s, " GB/s", LOSS_BANDWIDTH)
    ratio_note("FP16", src.fp16_tflops, dst.fp16_tflops, " TFLOPS", LOSS_COMPUTE)
    if src.fp8_tflops and not dst.fp8_tflops:
        losses.append("no FP8 tensor cores")
    if src.nvenc and dst.nvenc < src.nvenc:
        losses.append(f"NVENC {src.nvenc} → {dst.nvenc}" + (": no hardware video encoding" if not dst.nvenc else ""))
    elif dst.nvenc > src.nvenc:
        gains.append(f"NVENC {src.nvenc} → {dst.nvenc}")
    if src.av1_encode and not dst.av1_encode and dst.nvenc:
        losses.append("no AV1 hardware encode")
    src_linked = src.nvlink_gb_s and src.nvlink_group >= n > 1
    dst_linked = dst.nvlink_gb_s and dst.nvlink_group >= m > 1
    if src_linked and not dst_linked and m > 1:
        losses.append(f"NVLink across {n} GPUs → " + ("bridge pairs only" if dst.nvlink_gb_s else "PCIe only"))
    if dst.arch_order > src.arch_order:
        gains.append(f"newer architecture ({src.arch} → {dst.arch})")
    elif dst.arch_order < src.arch_order:
        minor.append(f"older architecture ({src.arch} → {dst.arch})")
    return losses, gains, minor


def classify(src: Gpu, n: int, dst: Gpu, m: int, losses: list[str], gains: list[str]) -> str:
    if dst.id == src.id and m == n:
        return "exact"
    if losses:
        return "downgrade"
    if dst.vram_gb == src.vram_gb and dst.arch == src.arch and m == n:
        return "equivalent"
    return "upgrade"


def _distance(src: Gpu, n: int, dst: Gpu, m: int, losses: list[str]) -> float:
    """How far a target is from the source: small is close. Losses dominate, then size, speed, age."""
    d = 3.0 * len(losses)
    if dst.arch_order < src.arch_order:
        d += 0.5
    d += abs(math.log(dst.vram_gb / src.vram_gb))
    d += 0.7 * abs(math.log(dst.bandwidth_gb_s / src.bandwidth_gb_s))
    d += 0.3 * abs(math.log(dst.fp16_tflops / src.fp16_tflops))
    d += 0.4 * abs(m - n)
    if dst.id == src.id:
        d -= 1.0
    return d


def target_candidates(cat: Catalog, target: Provider, cpu: bool) -> list[Offering]:
    """Target offerings a translation may pick: GPU types and pools (not ANY, not legacy)."""
    out = []
    for o in cat.offerings_of(target.id):
        if o.legacy or (o.kind == "pool" and not o.recommend):
            continue
        if (o.kind == "cpu") == cpu:
            out.append(o)
    return out


def _count_for(dst: Offering, src_total: float, n: int) -> int:
    """Keep the source count when allowed; otherwise the fewest GPUs reaching the source's total VRAM."""
    if n <= dst.max_count:
        return n
    return min(dst.gpus_for(src_total), dst.max_count)


def match_option(cat: Catalog, target: Provider, so: SourceOption) -> TargetOption:
    if so.offering.kind == "cpu":
        return _match_cpu(cat, target, so)
    src, n = so.hw, so.count
    best = None
    for off in target_candidates(cat, target, cpu=False):
        dst = off.hw
        m = _count_for(off, src.vram_gb * n, n)
        losses = differences(src, n, dst, m)[0]
        d = _distance(src, n, dst, m, losses)
        if off.kind == "pool":
            d += 0.05  # a typed GPU is preferred to a pool at equal distance
        key = (d, off.name)
        if best is None or key < best[0]:
            best = (key, off, m)
    if best is None:
        raise NoMatch(f"{target.name} lists no GPU types in the catalogs")
    _, off, m = best
    off, pool_note = _prefer_pool(cat, target, off, src, n, m)
    losses, gains, minor = differences(src, n, off.hw, m)
    match = classify(src, n, off.hw, m, losses, gains)
    notes = [*losses, *gains, *minor]
    if pool_note:
        notes.append(pool_note)
    if match == "equivalent":
        notes.insert(0, f"same {src.vram_gb:g} GB {src.arch} class: {src.id} → {off.hw.id}")
    if off.kind == "pool":
        notes.append(f"{off.name} is a pool: may give any of {', '.join(g.id for g in off.gpus)} (matched by its weakest, {off.hw.id})")
    if off.may_upgrade_to:
        notes.append(f"{target.name} may run {off.name} on {_gpu_names(cat, off.may_upgrade_to)} at no extra cost")
    for note in off.notes:
        if "unverified" in note or "ambiguous" in note:
            notes.append(note)
    return TargetOption(off, m, match, tuple(notes))


def _prefer_pool(cat: Catalog, target: Provider, off: Offering, src: Gpu, n: int, m: int) -> tuple[Offering, str]:
    """For a non-exact match, a pool whose every member is at least as good widens availability.
    Returns the offering to use and, when a pool was passed over, a note saying why."""
    if off.kind != "gpu":
        return off, ""
    for pool in target_candidates(cat, target, cpu=False):
        if pool.kind != "pool" or len(pool.gpus) < 2 or off.hw not in pool.gpus or m > pool.max_count:
            continue
        lost = {g.id: differences(src, n, g, m)[0] for g in pool.gpus}
        if off.hw.id != src.id and not any(lost.values()):
            return pool, ""
        worse = [f"{gid} ({'; '.join(ls)})" for gid, ls in lost.items() if ls]
        if worse:
            return off, f"pool {pool.name} would widen availability but may give " + ", ".join(worse)
    return off, ""


def _match_cpu(cat: Catalog, target: Provider, so: SourceOption) -> TargetOption:
    cpus = target_candidates(cat, target, cpu=True)
    if not cpus:
        raise NoMatch(f"{so.offering.name} is a CPU-only machine type and {target.name} lists no CPU-only machine "
                      f"types; run without a GPU there (omit gpu=) and size CPU and memory in its own settings")
    want_ram, want_cpu = so.offering.ram_gb or 0, so.offering.vcpus or 0

    def key(o: Offering):
        short = (o.ram_gb or 0) < want_ram or (o.vcpus or 0) < want_cpu
        return (short, (o.ram_gb or 0) + (o.vcpus or 0), o.name)

    off = min(cpus, key=key)
    notes = []
    if (off.ram_gb or 0) < want_ram:
        notes.append(f"RAM {want_ram:g} → {off.ram_gb:g} GB")
    if (off.vcpus or 0) < want_cpu:
        notes.append(f"CPU cores {want_cpu:g} → {off.vcpus:g}")
    match = "exact" if (off.ram_gb, off.vcpus) == (so.offering.ram_gb, so.offering.vcpus) else (
        "downgrade" if notes else "upgrade")
    return TargetOption(off, 1, match, tuple(notes))


# ---------------------------------------------------------------------------- translate

def translate(cat: Catalog, source: str, target: str, spec: str, count: int | None = None) -> Translation:
    src_p, dst_p = cat.provider(source), cat.provider(target)
    options = parse_spec(cat, src_p.id, spec, count)
    if not src_p.syntax.counted and len({o.count for o in options}) > 1:
        raise UsageError(f"{src_p.name} has one GPU count for the whole list; the items say "
                         + ", ".join(f"{o.text}" for o in options))
    targets = [match_option(cat, dst_p, o) for o in options]
    notes = []
    shared = shared_count(dst_p, [Option(t.offering, t.count) for t in targets])
    if shared is not None and len({t.count for t in targets}) > 1:
        raised = []
        for i, t in enumerate(targets):
            if t.count != shared and t.offering.kind != "cpu":
                extra = f"count {t.count} → {shared}: {dst_p.name} has one count for the whole list"
                targets[i] = TargetOption(t.offering, shared, "upgrade" if t.match in ("exact", "equivalent") else t.match,
                                          (*t.notes, extra))
                raised.append(t.offering.name)
        notes.append(f"{dst_p.name} writes one GPU count for every option; {shared} applies to "
                     + ", ".join(raised) + " too")
    unique: list[Option] = []
    seen = set()
    for t in targets:
        key = (t.offering.name, t.count)
        if key not in seen:
            seen.add(key)
            unique.append(Option(t.offering, t.count))
    if len(unique) < len(targets):
        notes.append("options that map to the same target are written once, in first-seen order")
    config = write_config(dst_p, unique)
    return Translation(src_p, dst_p, spec, options, targets, write_snippet(dst_p, config), config, notes)
