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
import re
from dataclasses import dataclass, field

from gpuadvisor.catalog import Catalog, lookup_keys
from gpuadvisor.errors import CountOverLimit, CpuGpuMixup, NoMatch, UnknownName, UsageError
from gpuadvisor.models import Gpu, Offering, Provider
from gpuadvisor.pricing import Change, change
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
    vcpus: float | None = None  # a sized CPU request (Modal's cpu= and memory=), in vCPUs and GB
    ram_gb: float | None = None

    @property
    def hw(self) -> Gpu | None:
        return self.offering.hw

    @property
    def cpu_size(self) -> tuple[float, float]:
        """(vCPUs, RAM GB) this CPU option asks for: its own figures, or the machine type's."""
        return (self.vcpus if self.vcpus is not None else self.offering.vcpus or 0,
                self.ram_gb if self.ram_gb is not None else self.offering.ram_gb or 0)

    def to_json(self) -> dict:
        o = self.offering
        out = {"name": o.name + self.suffix, "gpu": o.hw.id if o.hw else None, "count": self.count,
               "kind": o.kind, "members": o.members, "vram_gb": o.vram_gb,
               "total_vram_gb": o.vram_gb * self.count, "written": self.text, "notes": list(self.notes)}
        if o.kind == "cpu":
            out["vcpus"], out["ram_gb"] = self.cpu_size
        return out


@dataclass(frozen=True)
class TargetOption:
    offering: Offering
    count: int
    match: str
    notes: tuple[str, ...] = ()
    suffix: str = ""  # kept from the source on a same-provider rewrite (Modal's `!`, `+`)
    vcpus: float | None = None  # a sized CPU target (Modal): what it is written with
    ram_gb: float | None = None

    @property
    def option(self) -> Option:
        return Option(self.offering, self.count, self.suffix, self.vcpus, self.ram_gb)

    def to_json(self) -> dict:
        o = self.offering
        return {"name": o.name + self.suffix, "gpu": o.hw.id if o.hw else None, "count": self.count, "match": self.match,
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
    whole = _lookup_whole(cat, provider, item) if ":" in item else None  # a name with a colon (H100:2 as a SKU)
    if ":" in item and whole is None:
        name, _, tail = item.rpartition(":")
        explicit = _parse_count(tail, item)
        name = name.strip()
    if whole is not None and whole.fixed_count:
        explicit = whole.fixed_count
    if explicit is not None and count is not None and explicit != count:
        raise UsageError(f"{item!r} says {explicit} GPUs but --count says {count}")
    suffix = ""
    try:
        off = whole or cat.lookup(provider.id, name)
    except UsageError:
        if name and not name[-1].isalnum():
            base, suffix = name[:-1], name[-1]
            try:
                off = cat.lookup(provider.id, base)
            except UsageError:
                raise _unknown(cat, provider, name) from None
            allowed = dict(off.suffixes)
            if suffix not in allowed:
                known = {s: (o.name + s, meaning) for o in cat.offerings_of(provider.id) for s, meaning in o.suffixes}
                if suffix in known:  # a real suffix on a GPU that does not take it
                    takes = ", ".join(o.name + suffix for o in cat.offerings_of(provider.id) if suffix in dict(o.suffixes))
                    raise UsageError(f"{provider.name} has no {name!r}: only {takes} take{'s' if ',' not in takes else ''} "
                                     f"the {suffix!r} suffix; write {off.name!r}") from None
                accepted = "; ".join(f"{s} ({ex}: {m})" for s, (ex, m) in known.items()) or "none"
                raise UsageError(f"{provider.name} has no {name!r}: {suffix!r} is not a suffix {provider.name} accepts "
                                 f"(its suffixes: {accepted}); write {off.name!r}") from None
        else:
            raise _unknown(cat, provider, name) from None
    n = explicit or count or off.fixed_count or 1  # a fixed-count SKU's name says its count
    notes = []
    if off.kind == "cpu":
        if n != 1:
            raise CpuGpuMixup(f"{off.name} is a CPU machine type; it takes no GPU count")
    elif off.fixed_count and n != off.fixed_count:
        skus = [o for o in cat.offerings_of(provider.id) if o.fixed_count and o.hw is off.hw and not o.legacy]
        same = next((o for o in skus if o.fixed_count == n), None)
        raise CountOverLimit(f"{off.name} is always {off.fixed_count} GPU(s) on {provider.name}, not {n}: the count is "
                             "part of the name; " + (f"write {same.name}" if same else "it comes as " + ", ".join(
                                 f"{o.name} ({o.fixed_count})" for o in sorted(skus, key=lambda o: o.fixed_count))))
    elif n > off.max_count:
        raise CountOverLimit(f"{off.name} allows at most {off.max_count} GPU(s) per container on {provider.name}, not {n}"
                         + (f" ({provider.count_note})" if provider.count_note and off.max_count == provider.max_count else ""))
    notes.extend(_source_notes(cat, provider, off, name, suffix))
    if off.unverified(n):
        notes.append(count_caveat(provider, off, n))
    return SourceOption(off, n, suffix, item, tuple(notes))


def _lookup_whole(cat: Catalog, provider: Provider, item: str) -> Offering | None:
    """The offering whose name is the whole item, colon included (a SKU named `H100:2`), or None."""
    try:
        return cat.lookup(provider.id, item)
    except UsageError:
        return None


def _unknown(cat: Catalog, provider: Provider, name: str) -> UnknownName:
    """The error for a name the provider does not know: a close name if there is one, else whose name it is."""
    names = [k for o in cat.offerings_of(provider.id) for k in lookup_keys(o, provider)]
    try:
        gpu, off = cat.resolve(name)
        theirs = [o.name for o in cat.offerings_for_gpu(gpu.id) if o.provider == provider.id and o.kind == "gpu"]
        where = f"{off.provider}'s name" if off else "a canonical id"
        hint = f"{name!r} is {where} for {gpu.id}" + (f"; {provider.id} writes it {theirs[0]!r}" if theirs else "")
    except UsageError:
        hint = f"run `gpuadvisor list --provider {provider.id}` to see its names"
    return UnknownName(f"{provider.id} GPU name", name, names, hint)


def _source_notes(cat: Catalog, provider: Provider, off: Offering, written: str, suffix: str) -> list[str]:
    notes = []
    if suffix:
        notes.append(f"{off.name}{suffix}: {dict(off.suffixes)[suffix]}")
    elif off.may_upgrade_to:
        notes.append(f"{provider.name} may run {off.name} on {_gpu_names(cat, off.may_upgrade_to)} at no extra cost"
                     + (f"; {off.name}{s} pins it" if (s := next((k for k, _ in off.suffixes), "")) else ""))
    if off.kind == "pool":
        members = off.gpus
        if len(members) > 6:
            ordered = sorted(members, key=lambda g: (g.vram_gb, g.bandwidth_gb_s, g.fp16_tflops))
            which = f"any of {len(members)} GPUs, from {ordered[0].id} to {ordered[-1].id}"
        else:
            which = "any of " + ", ".join(g.id for g in members)
        notes.append(f"{off.name} is a pool that may give {which}; translated from its weakest member, {off.hw.id}")
    if off.legacy and off.notes:
        notes.append(off.notes[0])
    if written.lower() in (a.lower() for a in off.ambiguous_aliases):
        notes.append(f"{written!r} is ambiguous on {provider.name}; read as {off.name} (see `gpuadvisor show {written}`)")
    # what the catalog cannot confirm about the hardware itself (fal's GPU-L40: an L40 or an L40S);
    # an unverified count limit is said by count_caveat, only when the count is above it
    notes.extend(n for n in off.notes if "unverified" in n and "count" not in n.lower())
    return notes


def _gpu_names(cat: Catalog, ids) -> str:
    return " or ".join(f"an {cat.gpus[i].name}" if i in cat.gpus else i for i in ids)


_SIZED = re.compile(r"^\s*(cpu|memory)\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*$", re.IGNORECASE)


def parse_sized_cpu(cat: Catalog, provider: Provider, spec: str) -> SourceOption | None:
    """A CPU request written as the provider's keywords, `cpu=2, memory=4096` (Modal: physical cores,
    two vCPUs each, and MiB), for a provider whose CPU machine type is sized by the user; None if
    the spec is not one."""
    sized = next((o for o in cat.offerings_of(provider.id) if o.kind == "cpu" and o.sized), None)
    if sized is None or len(spec) > 200:
        return None
    if "=" not in spec:
        if spec.strip().lower() not in {sized.name.lower(), *(a.lower() for a in sized.aliases)}:
            return None
        spec = f"cpu={(sized.vcpus or 0.25) / 2:g}, memory={(sized.ram_gb or 0.125) * 1024:g}"
    vals = {}
    for part in spec.split(","):
        m = _SIZED.match(part)
        if not m:
            raise UsageError(f"{_clip(spec)}: write a {provider.name} CPU request as cpu=N[, memory=MiB]")
        vals[m.group(1).lower()] = float(m.group(2))
    cores, mib = vals.get("cpu", (sized.vcpus or 0.25) / 2), vals.get("memory", (sized.ram_gb or 0.125) * 1024)
    if cores <= 0 or mib <= 0:
        raise UsageError(f"{_clip(spec)}: cpu and memory must be greater than 0")
    note = f"cpu={cores:g} physical cores = {cores * 2:g} vCPUs; memory={mib:g} MiB = {mib / 1024:g} GB"
    return SourceOption(sized, 1, "", spec.strip(), (note,), cores * 2, mib / 1024)


def parse_spec(cat: Catalog, provider_id: str, spec: str, count: int | None = None) -> list[SourceOption]:
    provider = cat.provider(provider_id)
    if count is not None and (count < 1 or count > 10_000):
        raise UsageError(f"--count must be 1 or more, not {count}" if count < 1 else f"--count {count} is beyond any limit")
    sized = parse_sized_cpu(cat, provider, spec) if isinstance(spec, str) else None
    if sized is not None:
        return [sized]
    options = [parse_item(cat, provider, item, count) for item in split_spec(spec)]
    for o in options:
        if o.offering.sized:
            raise CpuGpuMixup(f"{provider.name} sizes CPU per function: write cpu=N, memory=MiB instead of {o.text!r}")
    kinds = {o.offering.kind == "cpu" for o in options}
    if len(kinds) > 1:
        raise CpuGpuMixup("a list cannot mix CPU machine types and GPUs")
    return options


# ---------------------------------------------------------------------------- matching

def _pct(new: float, old: float) -> str:
    return f"{(new - old) / old * 100:+.0f}%" if old else ""


# What a translation may lose, one rule for every dimension: a drop beyond its tolerance is a loss
# (said in the notes, and it makes the match a downgrade); a smaller change is said as minor. Speeds
# differ between SKUs of one class by clocks and datasheet rounding, hence 15%; engines and memory
# are counted, so any drop is a loss (2% leaves room for the MiB rounding of usable memory).
DIMENSIONS = (  # (Gpu attribute, label, unit, tolerance)
    ("usable", "usable memory", " GiB per GPU", 0.02),
    ("bandwidth_gb_s", "bandwidth", " GB/s", 0.15),
    ("fp16_tflops", "FP16", " TFLOPS", 0.15),
    ("fp8_tflops", "FP8", " TFLOPS", 0.15),
    ("nvenc", "NVENC", "", 0.0),
    ("nvdec", "NVDEC", "", 0.0),
)
LOSS_TOLERANCE = {attr: tol for attr, _, _, tol in DIMENSIONS}


def differences(src: Gpu, n: int, dst: Gpu, m: int) -> tuple[list[str], list[str], list[str]]:
    """(losses, gains, minor) going from n × src to m × dst, as notes. Every dimension of DIMENSIONS is
    compared with the same rule, then the ones that need a sentence of their own: total memory, the
    GPU count, FP8 and AV1 support, NVLink between several GPUs, and the architecture."""
    losses, gains, minor = [], [], []
    for attr, label, unit, tol in DIMENSIONS:
        a, b = getattr(src, attr), getattr(dst, attr)
        if attr == "fp8_tflops" and (not a or not b):
            continue  # support itself is said below
        a, b = a or 0, b or 0
        if a == b or (a and abs(b / a - 1) < 0.005):
            continue
        if attr == "usable" and src.vram_gb != dst.vram_gb:  # said as sold, with what a job can use
            text = f"{src.vram_gb:g} → {dst.vram_gb:g} GiB per GPU" + (
                "" if abs(a - src.vram_gb) < 0.05 and abs(b - dst.vram_gb) < 0.05 else f" ({a:,.1f} → {b:,.1f} usable)")
        elif attr == "usable":
            text = f"usable memory {a:,.1f} → {b:,.1f} GiB per GPU"
        else:
            text = f"{label} {_num(a)} → {_num(b)}{unit}" + (f" ({_pct(b, a)})" if a and attr not in ("nvenc", "nvdec") else "")
        if attr == "nvenc" and not b:
            text += ": no hardware video encoding"
        if b < a * (1 - tol):
            losses.append(text)
        elif b > a * (1 + tol):
            gains.append(text)
        else:
            minor.append(text)
    t_src, t_dst = src.usable * n, dst.usable * m
    if t_dst < t_src * (1 - LOSS_TOLERANCE["usable"]):
        losses.append(f"total {_num(t_src)} → {_num(t_dst)} GiB: the job may no longer fit")
    elif t_dst > t_src and m != n:
        gains.append(f"total {_num(t_src)} → {_num(t_dst)} GiB")
    if m != n:
        (gains if m < n else losses).append(f"{n} → {m} GPUs")
    if src.fp8_tflops and not dst.fp8_tflops:
        losses.append("no FP8 tensor cores")
    elif dst.fp8_tflops and not src.fp8_tflops:
        gains.append("FP8 tensor cores")
    if src.av1_encode and not dst.av1_encode and dst.nvenc:
        losses.append("no AV1 hardware encode")
    src_linked = src.nvlink_gb_s and src.nvlink_group >= n > 1
    dst_linked = dst.nvlink_gb_s and dst.nvlink_group >= m > 1
    if src_linked and not dst_linked and m > 1:
        losses.append(f"NVLink across {n} GPUs → " + ("bridge pairs only" if dst.nvlink_gb_s else "PCIe only"))
    elif src_linked and dst_linked and dst.nvlink_gb_s < src.nvlink_gb_s * (1 - 0.15):
        losses.append(f"NVLink {_num(src.nvlink_gb_s)} → {_num(dst.nvlink_gb_s)} GB/s")
    if dst.arch_order > src.arch_order:
        gains.append(f"newer architecture ({src.arch} → {dst.arch})")
    elif dst.arch_order < src.arch_order:
        minor.append(f"older architecture ({src.arch} → {dst.arch})")
    return losses, gains, minor


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"


def classify(src: Gpu, n: int, dst: Gpu, m: int, losses: list[str], gains: list[str], same_meaning: bool = True) -> str:
    """exact: the same GPU and count, meaning kept (a dropped `!` or `+` is not exact); downgrade: any
    loss from `differences`; equivalent: nothing lost or gained beyond tolerance, same class;
    upgrade: something gained, nothing lost."""
    if dst.id == src.id and m == n:
        return "exact" if same_meaning else "equivalent"
    if losses:
        return "downgrade"
    if not gains and dst.arch == src.arch and m == n:
        return "equivalent"
    return "upgrade"


def _distance(src: Gpu, n: int, dst: Gpu, m: int, losses: list[str]) -> float:
    """How far a target is from the source: small is close. Losses dominate (FP16 and FP8 drops are one
    loss of tensor compute, not two), then size, speed, age."""
    families = {"compute" if loss.startswith(("FP16", "FP8", "no FP8")) else loss.split(" ")[0] for loss in losses}
    d = 3.0 * len(families)
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


def nearest_skus(offerings: list[Offering], n: int) -> list[Offering]:
    """Of fixed-count SKUs of one GPU (gpu-l40s, gpu-2x-l40s, …), only the one to weigh for n GPUs: the
    fewest GPUs at or above n, else the most there are. Other offerings pass through."""
    ladders: dict[tuple, list[Offering]] = {}
    for o in offerings:
        if o.fixed_count and o.hw is not None:
            ladders.setdefault((o.hw.id, o.kind), []).append(o)
    keep = set()
    for skus in ladders.values():
        above = [o for o in skus if o.fixed_count >= n]
        pick = min(above, key=lambda o: (o.fixed_count, o.price_per_hour or math.inf)) if above else \
            max(skus, key=lambda o: (o.fixed_count, -(o.price_per_hour or math.inf)))
        keep.add(id(pick))
    return [o for o in offerings if not o.fixed_count or id(o) in keep]


def _count_for(dst: Offering, src_total: float, n: int) -> int:
    """Keep the source count when allowed; otherwise the fewest GPUs reaching the source's total VRAM.
    A fixed-count SKU has its own count."""
    if dst.fixed_count:
        return dst.fixed_count
    if n <= dst.max_count:
        return n
    return min(dst.gpus_for(src_total), dst.max_count)


def match_option(cat: Catalog, target: Provider, so: SourceOption) -> TargetOption:
    if so.offering.provider == target.id:  # a rewrite in the same provider keeps the name, count and suffix
        return TargetOption(so.offering, so.count, "exact", (), so.suffix)
    if so.offering.kind == "cpu":
        return _match_cpu(cat, target, so)
    src, n = so.hw, so.count
    best = None
    for off in nearest_skus(target_candidates(cat, target, cpu=False), n):
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
        notes.insert(0, f"same {src.vram_gb:g} GiB {src.arch} class: {src.id} → {off.hw.id}")
    if off.kind == "pool":
        notes.append(f"{off.name} is a pool: may give any of {', '.join(g.id for g in off.gpus)} (matched by its weakest, {off.hw.id})")
    if off.may_upgrade_to:
        notes.append(f"{target.name} may run {off.name} on {_gpu_names(cat, off.may_upgrade_to)} at no extra cost")
    if off.unverified(m):
        notes.append(count_caveat(target, off, m))
    notes.extend(_promises(cat, target, so, off))
    if so.suffix and not dict(off.suffixes):
        notes.append(f"{so.offering.name}{so.suffix} ({dict(so.offering.suffixes).get(so.suffix, '')}): "
                     f"{target.name} has no such suffix; {off.name} is what it gives")
    return TargetOption(off, m, match, tuple(notes))


def count_caveat(provider: Provider, off: Offering, count: int) -> str:
    """The catalog's own caveat, repeated where an unverified count is written."""
    why = next((n for n in off.notes if "unverified" in n.lower()), provider.count_note)
    return f"{count} × {off.name} is above the {off.verified_count} a source confirms: unverified. {why}".strip()


def _promises(cat: Catalog, target: Provider, so: SourceOption, off: Offering) -> list[str]:
    """What a wide pool (RunPod's ANY, Modal's legacy `any`) promises on one side and not the other."""
    notes = []
    src = so.offering
    if src.kind == "pool" and len(src.gpus) > 3:
        notes.append(f"{target.name} cannot promise the same set of {len(src.gpus)} GPUs as {src.name}: "
                     f"{off.name} is written for its weakest member, {src.hw.id}")
    catch_all = [p for p in cat.offerings_of(target.id) if p.kind == "pool" and not p.recommend and len(p.gpus) >= 10]
    if src.kind == "pool" and len(src.gpus) > 1 and catch_all:
        top = max(catch_all[0].gpus, key=lambda g: (g.vram_gb, g.bandwidth_gb_s, g.fp16_tflops))
        notes.append(f"on {target.name}, {catch_all[0].name} would take any of its {len(catch_all[0].gpus)} GPUs, up to "
                     f"{top.id}, billed at the rate of whichever it lands on: not a cheap-GPU promise")
    return notes


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
    """A CPU machine type: the smallest of the target's that has the RAM and vCPUs asked for (else
    the largest, a downgrade), or the same figures on a provider that sizes CPU itself."""
    cpus = target_candidates(cat, target, cpu=True)
    if not cpus:
        raise NoMatch(f"{so.offering.name} is a CPU-only machine type and {target.name} lists no CPU machine types "
                      "in the catalogs")
    want_cpu, want_ram = so.cpu_size
    sized = next((o for o in cpus if o.sized), None)
    if sized is not None:
        cores = max(0.125, want_cpu / 2)
        note = (f"{target.name} sizes CPU per function: {want_cpu:g} vCPU{'s' if want_cpu != 1 else ''} = cpu={cores:g} "
                f"physical core{'s' if cores != 1 else ''} (two hardware threads each), {want_ram:g} GB = "
                f"memory={int(round(want_ram * 1024))} MiB")
        return TargetOption(sized, 1, "exact", (note,), vcpus=want_cpu, ram_gb=want_ram)

    def key(o: Offering):
        short = (o.ram_gb or 0) < want_ram or (o.vcpus or 0) < want_cpu
        size = (o.ram_gb or 0) + (o.vcpus or 0)
        return (short, -size if short else size, o.name)

    off = min(cpus, key=key)
    notes = []
    if (off.ram_gb or 0) < want_ram:
        notes.append(f"RAM {want_ram:g} → {off.ram_gb:g} GB")
    if (off.vcpus or 0) < want_cpu:
        notes.append(f"vCPUs {want_cpu:g} → {off.vcpus:g}")
    if not notes:
        if (off.ram_gb or 0) > want_ram:
            notes.append(f"RAM {want_ram:g} → {off.ram_gb:g} GB")
        if (off.vcpus or 0) > want_cpu:
            notes.append(f"vCPUs {want_cpu:g} → {off.vcpus:g}")
    match = "exact" if ((off.vcpus or 0), (off.ram_gb or 0)) == (want_cpu, want_ram) else (
        "downgrade" if (off.ram_gb or 0) < want_ram or (off.vcpus or 0) < want_cpu else "upgrade")
    return TargetOption(off, 1, match, tuple(notes))


# ---------------------------------------------------------------------------- translate

def translate(cat: Catalog, source: str, target: str, spec: str, count: int | None = None) -> Translation:
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
    alternatives = []
    if len(unique) > 1 and dst_p.list_note and any(o.offering.kind != "cpu" for o in unique):
        notes.append(dst_p.list_note)
        single = unique[0]
        alternatives.append({"config": write_config(dst_p, [single]),
                             "why": f"one {single.offering.kind} only: the only form that pins where workers run"})
    costs = [change(o.offering, o.count, t.offering, t.count, cat.offerings) for o, t in zip(options, targets, strict=True)]
    return Translation(src_p, dst_p, spec, options, targets, write_snippet(dst_p, config), config, notes, alternatives, costs)
