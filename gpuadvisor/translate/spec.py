"""Spec parsing: a GPU spec as SOURCE writes it -> source options (offering, count, suffix), with the
notes the source side needs and the errors for names and counts the provider does not take.

Specs are parsed with `ast` (never eval): a name, `NAME:N`, a comma-separated list, or a Python
list literal whose items are strings or enum members (`GpuGroup.AMPERE_80`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from gpuadvisor.catalog import Catalog, lookup_keys
from gpuadvisor.errors import CountOverLimit, CpuGpuMixup, UnknownName, UsageError
from gpuadvisor.models import Gpu, Offering, Provider

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
            raise CpuGpuMixup(f"{off.name} is a CPU machine type; it takes no GPU count", fix=(off, 1))
    elif off.fixed_count and n != off.fixed_count:
        skus = [o for o in cat.offerings_of(provider.id) if o.fixed_count and o.hw is off.hw and not o.legacy]
        same = next((o for o in skus if o.fixed_count == n), None)
        raise CountOverLimit(f"{off.name} is always {off.fixed_count} GPU(s) on {provider.name}, not {n}: the count is "
                             "part of the name; " + (f"write {same.name}" if same else "it comes as " + ", ".join(
                                 f"{o.name} ({o.fixed_count})" for o in sorted(skus, key=lambda o: o.fixed_count or 0))),
                             fix=(same, n) if same else None)
    elif n > off.max_count:
        raise CountOverLimit(f"{off.name} allows at most {off.max_count} GPU(s) per container on {provider.name}, not {n}"
                         + (f" ({provider.count_note})" if provider.count_note and off.max_count == provider.max_count else ""),
                             fix=(off, off.max_count))
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
        notes.append(f"{provider.name} may run {off.name} on {gpu_names(cat, off.may_upgrade_to)} at no extra cost"
                     + (f"; {off.name}{s} pins it" if (s := next((k for k, _ in off.suffixes), "")) else ""))
    if off.kind == "pool":
        members = off.gpus
        if len(members) > 6:
            ordered = sorted(members, key=lambda g: (g.vram_gb, g.bandwidth_gb_s, g.fp16_tflops))
            which = f"any of {len(members)} GPUs, from {ordered[0].id} to {ordered[-1].id}"
        else:
            which = "any of " + ", ".join(g.id for g in members)
        notes.append(f"{off.name} is a pool that may give {which}; translated from its weakest member, {off.gpu_hw.id}")
    if off.legacy and off.notes:
        notes.append(off.notes[0])
    if written.lower() in (a.lower() for a in off.ambiguous_aliases):
        notes.append(f"{written!r} is ambiguous on {provider.name}; read as {off.name} (see `gpuadvisor show {written}`)")
    # what the catalog cannot confirm about the hardware itself (fal's GPU-L40: an L40 or an L40S);
    # an unverified count limit is said by count_caveat, only when the count is above it
    notes.extend(n for n in off.notes if "unverified" in n and "count" not in n.lower())
    return notes


def gpu_names(cat: Catalog, ids) -> str:
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


def count_caveat(provider: Provider, off: Offering, count: int) -> str:
    """The catalog's own caveat, repeated where an unverified count is written."""
    why = next((n for n in off.notes if "unverified" in n.lower()), provider.count_note)
    return f"{count} × {off.name} is above the {off.verified_count} a source confirms: unverified. {why}".strip()

