"""Browsing the catalogs: filter and sort offerings, look up one GPU, compare GPUs.

Pure functions over a loaded Catalog; they return data and never print.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpuadvisor.catalog import Catalog
from gpuadvisor.errors import UsageError
from gpuadvisor.models import Gpu, Offering

SORT_KEYS = ("provider", "name", "vram", "bandwidth", "price", "arch")

# Fields compared side by side, in display order: (json key, label, unit).
COMPARE_FIELDS = (
    ("name", "name", ""), ("arch", "architecture", ""), ("compute_capability", "compute capability", ""),
    ("vram_gb", "VRAM (as sold)", " GB"), ("usable_gib", "usable memory", " GiB"), ("memory_type", "memory", ""), ("bandwidth_gb_s", "bandwidth", " GB/s"),
    ("fp16_tflops", "FP16/BF16 dense", " TFLOPS"), ("fp8_tflops", "FP8 dense", " TFLOPS"),
    ("fp4_tflops", "FP4 dense", " TFLOPS"), ("nvenc", "NVENC", ""), ("nvdec", "NVDEC", ""),
    ("av1_encode", "AV1 encode", ""), ("nvlink_gb_s", "NVLink", " GB/s"), ("nvlink_group", "NVLink group", " GPUs"),
    ("tdp_w", "TDP", " W"), ("form_factor", "form factor", ""),
)


@dataclass(frozen=True)
class OfferingFilter:
    providers: tuple[str, ...] = ()
    min_vram: float | None = None
    kinds: tuple[str, ...] = ()
    archs: tuple[str, ...] = ()
    gpu: str | None = None
    max_price: float | None = None
    include_legacy: bool = True


def matches(off: Offering, flt: OfferingFilter) -> bool:
    """Flat early-return checks, one per filter."""
    if flt.providers and off.provider not in flt.providers:
        return False
    if flt.kinds and off.kind not in flt.kinds:
        return False
    if flt.min_vram is not None and off.vram_gb < flt.min_vram:
        return False
    if flt.archs and not any(g.arch in flt.archs for g in off.gpus):
        return False
    if flt.gpu and flt.gpu not in (g.id for g in off.gpus):
        return False
    if not flt.include_legacy and off.legacy:
        return False
    return True


def check_filter(cat: Catalog, flt: OfferingFilter) -> OfferingFilter:
    """Validate user-given filter values against the catalog; normalise case."""
    from gpuadvisor.errors import UnknownName

    providers = tuple(cat.provider(p).id for p in flt.providers)
    archs = []
    for a in flt.archs:
        key = a.strip().lower()
        by_name = {x.name.lower(): x.id for x in cat.archs.values()}
        if key in cat.archs:
            archs.append(key)
        elif key in by_name:
            archs.append(by_name[key])
        else:
            raise UnknownName("architecture", a, list(cat.archs))
    kinds = tuple(k.strip().lower() for k in flt.kinds)
    for k in kinds:
        if k not in ("gpu", "pool", "cpu"):
            raise UnknownName("kind", k, ["gpu", "pool", "cpu"])
    if flt.min_vram is not None and (flt.min_vram != flt.min_vram or flt.min_vram < 0):
        raise UsageError(f"--min-vram must be 0 or more GiB, not {flt.min_vram:g}")
    if flt.max_price is not None and not flt.max_price > 0:
        raise UsageError(f"--max-price must be greater than 0, not {flt.max_price:g}")
    gpu = cat.resolve(flt.gpu)[0].id if flt.gpu else None
    return OfferingFilter(providers, flt.min_vram, kinds, tuple(archs), gpu, flt.max_price, flt.include_legacy)


def list_offerings(cat: Catalog, flt: OfferingFilter, sort: str = "provider", reverse: bool = False) -> list[Offering]:
    if sort not in SORT_KEYS:
        from gpuadvisor.errors import UnknownName

        raise UnknownName("sort key", sort, SORT_KEYS)
    from gpuadvisor.pricing import shown_quote

    flt = check_filter(cat, flt)
    rows = [o for o in cat.offerings if matches(o, flt)]
    # one price per offering, as recommend, translate, cost and show use it: on-demand, estimated where
    # unknown (never an "as low as" figure); --max-price and --sort price read it, unpriced sort last
    price = {id(o): (q.per_hour if (q := shown_quote(o, cat.offerings)) is not None else None) for o in rows}
    if flt.max_price is not None:
        rows = [o for o in rows if (p := price[id(o)]) is not None and p <= flt.max_price]
    order = {p: i for i, p in enumerate(cat.providers)}
    kind_order = {"gpu": 0, "pool": 1, "cpu": 2}
    def base(o: Offering) -> tuple:  # fixed-count SKUs of one GPU stay together, by count; CPU workers by size
        sku = (o.hw.id, o.fixed_count) if o.fixed_count and o.hw else ("", 0)
        return (order[o.provider], kind_order[o.kind], o.vram_gb, sku, o.vcpus or 0, o.ram_gb or 0, o.name.lower())

    keys = {
        "provider": base,
        "name": lambda o: (o.name.lower(), order[o.provider]),
        "vram": lambda o: (o.vram_gb, o.bandwidth_gb_s, base(o)),
        "bandwidth": lambda o: (o.bandwidth_gb_s, o.vram_gb, base(o)),
        "price": lambda o: (price[id(o)] or 0, base(o)),
        "arch": lambda o: (o.hw.arch_order if o.hw else 0, base(o)),
    }
    if sort == "price":  # unpriced rows last in both directions
        priced = sorted((o for o in rows if price[id(o)] is not None), key=keys[sort], reverse=reverse)
        return priced + sorted((o for o in rows if price[id(o)] is None), key=base)
    rows.sort(key=keys[sort], reverse=reverse)
    return rows


@dataclass(frozen=True)
class GpuDetail:
    gpu: Gpu
    offerings: list[Offering]
    matched: Offering | None  # the provider offering the query named, if it was one


def show_gpu(cat: Catalog, name: str) -> GpuDetail:
    gpu, matched = cat.resolve(name)
    return GpuDetail(gpu, cat.offerings_for_gpu(gpu.id), matched)


def compare_gpus(cat: Catalog, names: list[str]) -> tuple[list[Gpu], list[str]]:
    """GPUs in the order given, and the fields whose values differ between them."""
    if len(names) < 2:
        raise UsageError("compare needs at least two GPU names")
    gpus = [cat.resolve(n)[0] for n in names]
    facts = [g.to_json() for g in gpus]
    differs = [k for k, _, _ in COMPARE_FIELDS if k != "name" and len({repr(f[k]) for f in facts}) > 1]
    return gpus, differs
