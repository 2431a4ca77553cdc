"""Per-provider emitters: how a provider writes GPU options in code.

Driven entirely by the [provider.syntax] templates of each catalog, so a provider added as a
TOML file gets paste-ready configs too. Used by `recommend` (config per pick) and `translate`
(config and snippet for the target).
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuadvisor.models import Offering, Provider

# The placeholders each [provider.syntax] template is filled with, as the functions below call
# .format: a template may use these and nothing else (no attribute or index access, no !r
# conversion, no format spec), and must use the first (a config without {value} drops the GPU).
PLACEHOLDERS = {
    "code": ("name",), "counted": ("name", "count"), "list": ("items",), "config": ("value",),
    "config_count": ("value", "count"), "snippet": ("config",),
    "config_cpu": ("value", "vcpus", "cores", "memory_mib", "ram_gb"),
    "host": ("vcpus", "cores", "memory_mib", "ram_gb"),
}
ANY_OF = {"config_cpu", "host"}  # templates that must use at least one of their placeholders, not the first
MAX_TEMPLATE_CHARS = 2000
_SAMPLE = {"name": "H100", "count": 2, "items": '"H100", "A100"', "value": '"H100"', "config": 'gpu="H100"',
           "vcpus": 4, "cores": 2.0, "memory_mib": 16384, "ram_gb": 16}


def check_template(key: str, template: str) -> str | None:
    """Why a syntax template cannot be used as `key`, or None. Templates are data: parsed with
    string.Formatter().parse, never trusted to format safely, then rendered once on a sample."""
    import string

    allowed = PLACEHOLDERS[key]
    shown = repr(template) if len(template) <= 60 else repr(template[:56]) + "…"
    if len(template) > MAX_TEMPLATE_CHARS:
        return f"template is {len(template):,} characters; at most {MAX_TEMPLATE_CHARS:,} are allowed"
    names = ", ".join("{" + a + "}" for a in allowed)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as e:
        return f"bad template {shown}: {e} (write {{{{ and }}}} for literal braces)"
    used = set()
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed:
            return f"bad template {shown}: {{{name}}} is not a placeholder of {key}; use {names}"
        if spec or conversion:
            return f"bad template {shown}: write {{{name}}} alone, without a conversion (!r) or format spec (:>5)"
        used.add(name)
    if key in ANY_OF and not used:
        return f"bad template {shown}: must contain one of {names}"
    if key not in ANY_OF and (allowed[0] not in used or (key == "counted" and "count" not in used)):
        need = allowed if key == "counted" else allowed[:1]
        return f"bad template {shown}: must contain " + " and ".join("{" + a + "}" for a in need)
    try:
        template.format(**{a: _SAMPLE[a] for a in allowed})
    except Exception as e:  # cannot happen after the checks above; a template never crashes a command
        return f"bad template {shown}: {type(e).__name__}: {e}"
    return None


@dataclass(frozen=True)
class Option:
    """One GPU option as written: an offering, a count, and an optional suffix (Modal's `!`). A
    sized CPU offering (Modal's cpu=/memory=) is written with `vcpus` and `ram_gb` given here."""

    offering: Offering
    count: int = 1
    suffix: str = ""
    vcpus: float | None = None
    ram_gb: float | None = None


def write_item(provider: Provider, opt: Option, *, with_count: bool) -> str:
    """One option's written form, e.g. `"H100:2"`, `GpuGroup.AMPERE_80`, `"GPU-H100"`. A fixed-count
    offering carries its count in its name, so none is added."""
    syn = provider.syntax
    name = (opt.offering.written or opt.offering.name) + opt.suffix
    if with_count and syn.counted and opt.count > 1 and not opt.offering.fixed_count:
        return syn.counted.format(name=name, count=opt.count)
    return syn.code.get(opt.offering.kind, '"{name}"').format(name=name)


def shared_count(provider: Provider, options: list[Option]) -> int | None:
    """The single count a provider without per-item counts must write (None if it has them)."""
    if provider.syntax.counted:
        return None
    return max((o.count for o in options if not o.offering.fixed_count), default=1)


def write_config(provider: Provider, options: list[Option]) -> str:
    """The keyword(s) for these options: `gpu="H100:2"`, `gpu=[...], gpu_count=2`, `machine_type = ...`."""
    if not options:
        raise ValueError("no options to write")
    syn = provider.syntax
    per_item = bool(syn.counted)
    items = [write_item(provider, o, with_count=per_item) for o in options]
    value = items[0] if len(items) == 1 else syn.list.format(items=", ".join(items))
    if syn.config_cpu and all(o.offering.kind == "cpu" for o in options):
        return _cpu_config(syn.config_cpu, value, options[0])
    count = shared_count(provider, options)
    if count and count > 1 and syn.config_count:
        return syn.config_count.format(value=value, count=count)
    return syn.config.format(value=value)


def _cpu_config(template: str, value: str, opt: Option) -> str:
    """A CPU machine type: its name, or (a provider that sizes CPU itself) its vCPUs and memory.
    cores: physical cores, two hardware threads (vCPUs) each, at least 0.125 (Modal's minimum)."""
    vcpus = opt.vcpus if opt.vcpus is not None else (opt.offering.vcpus or 1)
    ram = opt.ram_gb if opt.ram_gb is not None else (opt.offering.ram_gb or 1)
    cores = max(0.125, vcpus / 2)
    return template.format(value=value, vcpus=f"{vcpus:g}", cores=f"{cores:g}",
                           memory_mib=str(int(round(ram * 1024))), ram_gb=f"{ram:g}")


def write_host(provider: Provider, vcpus: float, ram_gb: float) -> str | None:
    """The worker's CPU and memory in the provider's syntax ([provider.syntax] host), to append to a
    config; None where the provider sizes the host by instance type instead."""
    if not provider.syntax.host:
        return None
    cores = max(0.125, vcpus / 2)
    return provider.syntax.host.format(vcpus=f"{vcpus:g}", cores=f"{cores:g}",
                                       memory_mib=str(int(round(ram_gb * 1024))), ram_gb=f"{ram_gb:g}")


def read_host(provider: Provider, cpu, memory) -> tuple[float | None, float | None]:
    """(vCPUs, GB of memory) from a source file's cpu= and memory= as this provider writes them
    ([provider.syntax] host_cpu, host_memory). A value that cannot be read is None."""
    import re

    def num(v) -> float | None:
        if isinstance(v, bool):
            return None
        try:
            x = float(v)
        except (TypeError, ValueError):
            return None
        return x if 0 < x < 1e6 else None

    vcpus = None
    if cpu is not None and provider.syntax.host_cpu and (x := num(cpu)) is not None:
        vcpus = x * 2 if provider.syntax.host_cpu == "cores" else x
    ram = None
    unit = provider.syntax.host_memory
    if memory is not None and unit:
        if unit == "quantity" or isinstance(memory, str):
            m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(Gi|G|Mi|M|Ti|T)?\s*", str(memory))
            if m:
                scale = {"Gi": 1, "G": 1, "Mi": 1 / 1024, "M": 1 / 1024, "Ti": 1024, "T": 1024}
                ram = float(m.group(1)) * scale.get(m.group(2) or "", 1 / 1024 if unit == "mib" else 1)
        elif (x := num(memory)) is not None:
            ram = x / 1024 if unit == "mib" else x
    return vcpus, ram if ram and ram < 1e6 else None


def write_snippet(provider: Provider, config: str) -> str:
    """Paste-ready code: the provider's snippet template around a config from write_config,
    continuation lines indented to match."""
    template = provider.syntax.snippet
    for line in template.splitlines():
        if "{config}" in line:
            indent = line[: len(line) - len(line.lstrip())]
            config = config.replace("\n", "\n" + indent)
            break
    return template.format(config=config)
