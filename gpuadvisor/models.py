"""Catalog records. Frozen dataclasses: loaded once, shared by every command, never mutated.

Rows compare by identity (eq=False): each is loaded once and shared, and skipping the generated
__eq__/__hash__ saves start-up time (see bench/)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, eq=False)
class Arch:
    """A GPU architecture. `order` ranks generations (higher = newer)."""

    id: str
    name: str
    order: int
    year: int
    lacks_dtypes: tuple[str, ...] = ()  # weight dtypes its tensor cores cannot run (bf16 before Ampere)


@dataclass(frozen=True, eq=False)
class Dispute:
    """Sources disagree on a figure: `used` is what gpuadvisor uses, `other` who else says what, and why."""

    field: str
    used: Any
    other: Any
    other_source: str
    why: str

    def to_json(self) -> dict:
        return {"field": self.field, "used": self.used, "other": self.other,
                "other_source": self.other_source, "why": self.why}

    def text(self) -> str:
        def show(v):
            return ("yes" if v else "no") if isinstance(v, bool) else v

        return f"{self.field}: uses {show(self.used)}, not {show(self.other)} ({self.other_source}) — {self.why}"


@dataclass(frozen=True, eq=False)
class Gpu:
    """Hardware facts of one GPU model.

    vram_gb: GB per GPU as sold; usable_gib: what nvidia-smi reports (GiB, ECC in its usual state),
    the figure fit decisions use; bandwidth_gb_s: memory GB/s; *_tflops: dense tensor TFLOPS
    (None = precision not supported); nvlink_gb_s: bidirectional per GPU (0 = none);
    nvlink_group: GPUs in one NVLink domain (8 = NVSwitch board, 2 = bridge pairs); tdp_w: watts.
    """

    id: str
    name: str
    arch: str
    compute_capability: str
    vram_gb: float
    memory_type: str
    bandwidth_gb_s: float
    fp16_tflops: float
    fp8_tflops: float | None
    fp4_tflops: float | None
    nvenc: int
    nvdec: int
    av1_encode: bool
    nvlink_gb_s: float
    nvlink_group: int
    tdp_w: float
    form_factor: str
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()
    disputes: tuple[Dispute, ...] = ()
    arch_order: int = 0
    file: str = ""
    usable_gib: float | None = None
    usable_note: str = ""

    @property
    def usable(self) -> float:
        """GiB a job can use: the catalog's usable figure, else the nominal size (a user's GPU without one)."""
        return self.usable_gib if self.usable_gib is not None else float(self.vram_gb)
    origin: str = ""  # the extra catalog file these facts come from; "" = built in

    def to_json(self) -> dict:
        return {
            "id": self.id, "name": self.name, "arch": self.arch,
            "compute_capability": self.compute_capability, "vram_gb": self.vram_gb,
            "usable_gib": self.usable, "usable_note": self.usable_note or None,
            "memory_type": self.memory_type, "bandwidth_gb_s": self.bandwidth_gb_s,
            "fp16_tflops": self.fp16_tflops, "fp8_tflops": self.fp8_tflops,
            "fp4_tflops": self.fp4_tflops, "nvenc": self.nvenc, "nvdec": self.nvdec,
            "av1_encode": self.av1_encode, "nvlink_gb_s": self.nvlink_gb_s,
            "nvlink_group": self.nvlink_group, "tdp_w": self.tdp_w,
            "form_factor": self.form_factor, "aliases": list(self.aliases),
            "unconfirmed": list(self.unconfirmed), "notes": list(self.notes),
            "disputes": [d.to_json() for d in self.disputes], "sources": list(self.sources),
            **({"from": self.origin} if self.origin else {}),
        }


@dataclass(frozen=True, eq=False)
class Price:
    """A dated price in USD per GPU-hour (per machine-hour for CPU types). `basis`: list, flex, "as low as", …"""

    per_hour: float
    as_of: str
    source: str
    basis: str = "list"
    per_second: float | None = None
    note: str = ""

    def to_json(self) -> dict:
        from gpuadvisor.freshness import dated

        return {"per_hour": self.per_hour, "per_second": self.per_second, **dated(self.as_of),
                "basis": self.basis, "source": self.source, "note": self.note or None}


@dataclass(frozen=True, eq=False)
class Syntax:
    """How a provider writes GPUs in code, as str.format templates.

    code: one option's written form per kind ({name}); counted: option with its count inside
    (Modal's "H100:2"), else the count goes in config_count; list: fallback list ({items});
    config: the keyword(s) ({value}); snippet: a paste-ready block ({config}); config_cpu: the
    keyword(s) for CPU machine types ({value}, or {vcpus}/{cores}/{memory_mib}/{ram_gb} where a
    provider sizes CPU and memory itself; None: the same keyword as GPUs).
    """

    code: dict[str, str]
    counted: str | None
    list: str
    config: str
    config_count: str | None
    snippet: str
    config_cpu: str | None = None
    host: str | None = None  # the worker's CPU and memory, appended to the config ({vcpus}, {cores}, {memory_mib}, {ram_gb})
    host_cpu: str | None = None  # how a source file writes cpu=: "vcpus" or "cores" (two vCPUs each)
    host_memory: str | None = None  # … and memory=: "mib", "gb" or "quantity" (Kubernetes: 16Gi, 512Mi)


BILLED_PHASES = ("cold_start", "busy", "idle")
SCALING_SETTINGS = ("idle_timeout", "min_workers", "max_workers", "concurrency")


@dataclass(frozen=True, eq=False)
class Billing:
    """How a provider bills serverless workers ([provider.billing]; `gpuadvisor cost` reads it).

    granularity_s: billing increment (0 = continuous); minimum_s: least billed per worker start;
    billed: which of BILLED_PHASES cost money; idle_timeout_s: the default scale-down window;
    cold_start_s: (low, high) seconds from start to serving, or None where not published;
    max_workers: the default limit (0 = none); always_on_basis: the price basis that min workers
    pay ("active" on RunPod; "" = on-demand); settings: the provider's names for SCALING_SETTINGS.
    """

    as_of: str
    sources: tuple[str, ...]
    granularity_s: float = 1.0
    minimum_s: float = 0.0
    billed: tuple[str, ...] = BILLED_PHASES
    states: str = ""
    idle_timeout_s: float = 60.0
    idle_timeout_range_s: tuple[float, float] | None = None
    cold_start_s: tuple[float, float] | None = None
    concurrency: int = 1
    min_workers: int = 0
    max_workers: int = 0
    always_on_basis: str = ""
    settings: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    host_vcpu_hour: float = 0.0  # CPU and memory billed on top of the GPU (0: the host is in the GPU price)
    host_memory_gb_hour: float = 0.0
    host_low_vcpu_hour: float | None = None  # the same on the lowest price basis (an interruptible tier)
    host_low_memory_gb_hour: float | None = None

    def host_rates(self, basis: str) -> tuple[float, float]:
        """($ per vCPU-hour, $ per GB-hour) billed on top of the GPU on this price basis."""
        if basis == "lowest" and self.host_low_vcpu_hour is not None:
            return self.host_low_vcpu_hour, self.host_low_memory_gb_hour or 0.0
        return self.host_vcpu_hour, self.host_memory_gb_hour

    def setting(self, key: str) -> str:
        return dict(self.settings).get(key, key)

    def to_json(self) -> dict:
        return {"as_of": self.as_of, "granularity_s": self.granularity_s, "minimum_s": self.minimum_s,
                "billed": list(self.billed), "states": self.states, "idle_timeout_s": self.idle_timeout_s,
                "idle_timeout_range_s": list(self.idle_timeout_range_s) if self.idle_timeout_range_s else None,
                "cold_start_s": list(self.cold_start_s) if self.cold_start_s else None,
                "concurrency": self.concurrency, "min_workers": self.min_workers,
                "max_workers": self.max_workers or None, "always_on_basis": self.always_on_basis or None,
                "settings": dict(self.settings), "sources": list(self.sources), "notes": list(self.notes),
                "host": {"vcpu_hour": self.host_vcpu_hour, "memory_gb_hour": self.host_memory_gb_hour,
                         "low_vcpu_hour": self.host_low_vcpu_hour, "low_memory_gb_hour": self.host_low_memory_gb_hour}
                if self.host_vcpu_hour or self.host_memory_gb_hour else None}


@dataclass(frozen=True, eq=False)
class Provider:
    id: str
    name: str
    docs_url: str | None
    as_of: str | None
    max_count: int
    count_note: str
    notes: tuple[str, ...]
    syntax: Syntax
    files: tuple[str, ...] = ()
    list_note: str = ""  # what a list of options means here, said whenever a translation writes one
    verified_count: int | None = None  # counts above this are allowed but not confirmed by a source
    origin: tuple[tuple[str, str], ...] = ()  # (field, extra catalog file) for values not built in
    lists: bool = True  # False: the provider takes one option only (a hardware SKU), no fallback list
    billing: Billing | None = None  # [provider.billing]: how serverless workers are billed (`cost`)

    @property
    def serverless_billing(self) -> Billing:
        """`billing` where the caller knows the provider has it (`cost` prices only those that do)."""
        assert self.billing is not None, f"{self.id} has no [provider.billing]"
        return self.billing


@dataclass(frozen=True, eq=False)
class Offering:
    """One name a provider's users can write, mapped to hardware.

    kind: gpu | pool | cpu. `gpus` are the GPUs it may give (one for gpu, members for a pool,
    none for cpu); `hw` is the GPU whose figures represent it (a pool's weakest member).
    """

    provider: str
    name: str
    kind: str
    gpus: tuple[Gpu, ...]
    max_count: int
    aliases: tuple[str, ...] = ()
    ram_gb: float | None = None
    vcpus: float | None = None
    price: Price | None = None
    price_low: Price | None = None  # a discounted or committed figure ("as low as", RunPod active workers)
    notes: tuple[str, ...] = ()
    claimed: tuple[tuple[str, Any], ...] = ()
    legacy: bool = False
    recommend: bool = True
    may_upgrade_to: tuple[str, ...] = ()
    suffixes: tuple[tuple[str, str], ...] = ()
    file: str = ""
    hw: Gpu | None = field(default=None)
    verified_count: int | None = None  # counts above this are allowed but not confirmed by a source
    sized: bool = False  # a CPU "type" the user sizes (Modal's cpu=/memory=): written with the source's figures
    legacy_aliases: tuple[str, ...] = ()  # old spellings still accepted (Modal's A10G)
    ambiguous_aliases: tuple[str, ...] = ()  # spellings that mean different hardware by version (Modal's A100)
    fixed_count: int | None = None  # the count is part of the name (a SKU such as gpu-2x-l40s): only this many
    written: str | None = None  # what code writes for it when that is not its name (an imported cloud's gpu spec)
    regions: tuple[str, ...] = ()  # where it runs, when the catalog knows (imported clouds)
    region_prices: tuple[tuple[str, float], ...] = ()  # region -> on-demand per GPU-hour, where it differs
    region_spot: tuple[tuple[str, float], ...] = ()  # region -> spot per GPU-hour, where it differs
    # GPUs this name may also be where the provider does not say which part it runs (SXM or PCIe, A10
    # or A10G): `hw` is the assumed, slower one; a loss only against it is a caveat, not a mismatch
    may_be: tuple[str, ...] = ()
    restricted: str = ""  # not self-serve (committed spend, on request): who can get it, with the source

    def unverified(self, count: int) -> bool:
        return self.verified_count is not None and count > self.verified_count
    # (what, extra catalog file) for each value of this row that is not built in: "offering",
    # "gpu" (or "gpu <id>" for a pool member), "max_count" (the provider's default)
    origin: tuple[tuple[str, str], ...] = ()

    @property
    def gpu(self) -> str | None:
        return self.gpus[0].id if self.kind == "gpu" else None

    @property
    def gpu_hw(self) -> Gpu:
        """`hw` where the caller knows this is a GPU or pool offering (only CPU offerings have none)."""
        assert self.hw is not None, f"{self.provider} {self.name} is a CPU offering: it has no GPU"
        return self.hw

    @property
    def members(self) -> list[str] | None:
        return [g.id for g in self.gpus] if self.kind == "pool" else None

    @property
    def vram_gb(self) -> float:
        return self.hw.vram_gb if self.hw else 0

    @property
    def usable_gib(self) -> float:
        return self.hw.usable if self.hw else 0.0

    @property
    def bandwidth_gb_s(self) -> float:
        return self.hw.bandwidth_gb_s if self.hw else 0

    @property
    def arch(self) -> str | None:
        return self.hw.arch if self.hw else None

    @property
    def price_per_hour(self) -> float | None:
        """The catalog's dated price: on-demand where known, else the discounted figure (see `price_basis`)."""
        p = self.price or self.price_low
        return p.per_hour if p else None

    def gpus_for(self, need_gib: float) -> int:
        """The fewest of these GPUs whose usable memory together reaches `need_gib` (memory alone, no limit)."""
        return max(1, math.ceil(need_gib / self.usable_gib - 1e-9))

    def to_json(self) -> dict:
        hw = self.hw
        return {
            "provider": self.provider, "name": self.name, "kind": self.kind, "gpu": self.gpu,
            "members": self.members, "vram_gb": self.vram_gb, "usable_gib": self.usable_gib, "max_count": self.max_count,
            "ram_gb": self.ram_gb, "vcpus": self.vcpus, "bandwidth_gb_s": self.bandwidth_gb_s,
            "nvenc": hw.nvenc if hw else 0, "nvdec": hw.nvdec if hw else 0,
            "av1_encode": hw.av1_encode if hw else False, "arch": self.arch,
            "price_per_hour": self.price_per_hour,
            "aliases": list(self.aliases),
            "price": self.price.to_json() if self.price else None,
            "price_low": self.price_low.to_json() if self.price_low else None,
            "claimed": dict(self.claimed) or None,
            "legacy": self.legacy,
            "fixed_count": self.fixed_count,
            "regions": list(self.regions),
            "may_be": list(self.may_be),
            "restricted": self.restricted or None,
            "notes": list(self.notes),
            **({"from": dict(self.origin)} if self.origin else {}),
        }
