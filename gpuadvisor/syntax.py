"""Per-provider emitters: how a provider writes GPU options in code.

Driven entirely by the [provider.syntax] templates of each catalog, so a provider added as a
TOML file gets paste-ready configs too. Used by `recommend` (config per pick) and `translate`
(config and snippet for the target).
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuadvisor.models import Offering, Provider


@dataclass(frozen=True)
class Option:
    """One GPU option as written: an offering, a count, and an optional suffix (Modal's `!`)."""

    offering: Offering
    count: int = 1
    suffix: str = ""


def write_item(provider: Provider, opt: Option, *, with_count: bool) -> str:
    """One option's written form, e.g. `"H100:2"`, `GpuGroup.AMPERE_80`, `"GPU-H100"`."""
    syn = provider.syntax
    name = opt.offering.name + opt.suffix
    if with_count and syn.counted and opt.count > 1:
        return syn.counted.format(name=name, count=opt.count)
    return syn.code.get(opt.offering.kind, '"{name}"').format(name=name)


def shared_count(provider: Provider, options: list[Option]) -> int | None:
    """The single count a provider without per-item counts must write (None if it has them)."""
    if provider.syntax.counted:
        return None
    return max((o.count for o in options), default=1)


def write_config(provider: Provider, options: list[Option]) -> str:
    """The keyword(s) for these options: `gpu="H100:2"`, `gpu=[...], gpu_count=2`, `machine_type = ...`."""
    if not options:
        raise ValueError("no options to write")
    syn = provider.syntax
    per_item = bool(syn.counted)
    items = [write_item(provider, o, with_count=per_item) for o in options]
    value = items[0] if len(items) == 1 else syn.list.format(items=", ".join(items))
    count = shared_count(provider, options)
    if count and count > 1 and syn.config_count:
        return syn.config_count.format(value=value, count=count)
    return syn.config.format(value=value)


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
