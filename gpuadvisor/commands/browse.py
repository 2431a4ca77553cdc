"""list, show, compare, models: their options as data and the runner each front end calls."""

from __future__ import annotations

from gpuadvisor.commands.common import FORMAT, JSON, PROVIDER, REGION, note_overrides  # noqa: F401
from gpuadvisor.commands.spec import Command, Param

ARCHES = ("turing", "ampere", "ada", "hopper", "blackwell")

LIST = Command("list", "List what each provider offers: GPU types, pools and CPU workers, with prices.", (
    PROVIDER,
    Param("min_vram", float, "Only offerings with at least this many GB per GPU, as sold (an H100 is 80 GB).", ("--min-vram",)),
    Param("kind", str, "gpu, pool or cpu (repeatable).", ("--kind", "-k"), multiple=True, choices=("gpu", "pool", "cpu")),
    Param("arch", str, "Architecture: turing, ampere, ada, hopper, blackwell (repeatable).", ("--arch",), multiple=True, suggest=ARCHES),
    Param("gpu", str, "Only offerings that may give this GPU (any name or alias).", ("--gpu",), complete="gpu"),
    Param("max_price", float, "Only offerings with a known price of at most this many USD per GPU-hour.", ("--max-price",)),
    REGION,
    Param("sort", str, "provider, name, vram, bandwidth, price or arch.", ("--sort",), default="provider",
          choices=("provider", "name", "vram", "bandwidth", "price", "arch")),
    Param("reverse", bool, "Reverse the sort order.", ("--reverse",), default=False),
    JSON, FORMAT,
))

SHOW = Command("show", "Show one GPU's facts, where sources disagree, and every provider's offering of it.", (
    Param("name", str, "A canonical id (h100-sxm) or any provider's name for it (H100, GPU-H100, AMPERE_80).",
          metavar="NAME", required=True, complete="gpu"),
    JSON,
))

COMPARE = Command("compare", "Compare GPUs side by side; the facts that differ are highlighted.", (
    Param("names", str, "Two or more GPU names or aliases.", metavar="NAME...", multiple=True, required=True, complete="gpu"),
    JSON, FORMAT,
))

MODELS = Command("models", "List the models `estimate` and `recommend --model` know, with their architecture facts.", (JSON,))


def run_list(cat, provider=None, min_vram=None, kind=None, arch=None, gpu=None, max_price=None, region=None,
             sort="provider", reverse=False):
    from gpuadvisor.browse import OfferingFilter, list_offerings
    from gpuadvisor.views.browse import offerings_view

    flt = OfferingFilter(tuple(provider or ()), min_vram, tuple(kind or ()), tuple(arch or ()), gpu, max_price)
    if region is not None:
        from gpuadvisor.catalog import in_region

        cat = in_region(cat, region)
    rows = list_offerings(cat, flt, sort=sort.strip().lower(), reverse=reverse)
    return offerings_view(rows, cat)


def run_show(cat, name):
    from gpuadvisor.browse import show_gpu
    from gpuadvisor.views.browse import gpu_view

    return gpu_view(show_gpu(cat, name), cat)


def run_compare(cat, names):
    from gpuadvisor.browse import compare_gpus
    from gpuadvisor.views.browse import compare_view

    gpus, differs = compare_gpus(cat, names)
    return compare_view(gpus, differs)


def run_models(cat):
    from gpuadvisor.views.browse import models_view

    return models_view(list(cat.models.values()))
