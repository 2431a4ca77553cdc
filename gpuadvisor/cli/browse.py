"""Commands that browse the catalogs: list, show, compare, models, and detect (this machine's GPUs)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from gpuadvisor.cli.common import (
    FormatOpt,
    JsonOpt,
    ProviderOpt,
    RegionOpt,
    _catalog,
    _Command,
    _complete,
    _emit,
    app,
    complete_gpu,
    complete_sort,
)


@app.command("list", cls=_Command)
def list_cmd(
    provider: ProviderOpt = None,
    min_vram: Annotated[Optional[float], typer.Option("--min-vram", help="Only offerings with at least this many GB per GPU, as sold (an H100 is 80 GB).")] = None,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", help="gpu, pool or cpu (repeatable).",
                                                      autocompletion=lambda incomplete: _complete(("gpu", "pool", "cpu"), incomplete))] = None,
    arch: Annotated[Optional[list[str]], typer.Option("--arch", help="Architecture: turing, ampere, ada, hopper, blackwell (repeatable).",
                                                      autocompletion=lambda incomplete: _complete(("turing", "ampere", "ada", "hopper", "blackwell"), incomplete))] = None,
    gpu: Annotated[Optional[str], typer.Option("--gpu", help="Only offerings that may give this GPU (any name or alias).",
                                               autocompletion=complete_gpu)] = None,
    max_price: Annotated[Optional[float], typer.Option("--max-price", help="Only offerings with a known price of at most this many USD per GPU-hour.")] = None,
    region: RegionOpt = None,
    sort: Annotated[str, typer.Option("--sort", "-s", help="provider, name, vram, bandwidth, price or arch.",
                                      autocompletion=complete_sort)] = "provider",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the sort order.")] = False,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """List what each provider offers: GPU types, pools and CPU workers, with prices.

    **Examples**

    * `gpuadvisor list --provider runpod --kind pool`
    * `gpuadvisor list --min-vram 80 --sort price`
    * `gpuadvisor list --gpu h100 --format csv`
    """
    from gpuadvisor.browse import OfferingFilter, list_offerings
    from gpuadvisor.views.browse import offerings_view

    flt = OfferingFilter(tuple(provider or ()), min_vram, tuple(kind or ()), tuple(arch or ()), gpu, max_price)
    cat = _catalog()
    if region is not None:
        from gpuadvisor.catalog import in_region

        cat = in_region(cat, region)
    rows = list_offerings(cat, flt, sort=sort.strip().lower(), reverse=reverse)
    _emit(offerings_view(rows, cat), as_json, fmt)
    return 0


@app.command("show", cls=_Command)
def show_cmd(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A canonical id (h100-sxm) or any provider's name for it (H100, GPU-H100, AMPERE_80).",
                                        autocompletion=complete_gpu)],
    as_json: JsonOpt = False,
):
    """Show one GPU's facts, where sources disagree, and every provider's offering of it.

    NAME is a canonical id (`h100-sxm`) or any provider's name for it (`H100`, `GPU-H100`, `AMPERE_80`).

    **Examples**

    * `gpuadvisor show h100`
    * `gpuadvisor show GpuGroup.AMPERE_80`
    * `gpuadvisor show b200 --json`
    """
    from gpuadvisor.browse import show_gpu
    from gpuadvisor.views.browse import gpu_view

    cat = _catalog()
    _emit(gpu_view(show_gpu(cat, name), cat), as_json)
    return 0


@app.command("compare", cls=_Command)
def compare_cmd(
    names: Annotated[list[str], typer.Argument(metavar="NAME...", help="Two or more GPU names or aliases.", autocompletion=complete_gpu)],
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Compare GPUs side by side; the facts that differ are highlighted.

    **Examples**

    * `gpuadvisor compare rtx-4090 rtx-5090 l40s`
    * `gpuadvisor compare H100 H200 --format csv`
    """
    from gpuadvisor.browse import compare_gpus
    from gpuadvisor.views.browse import compare_view

    gpus, differs = compare_gpus(_catalog(), names)
    _emit(compare_view(gpus, differs), as_json, fmt)
    return 0


@app.command("models", cls=_Command)
def models_cmd(as_json: JsonOpt = False):
    """List the models `estimate` and `recommend --model` know, with their architecture facts.

    **Examples**

    * `gpuadvisor models`
    * `gpuadvisor models --json | jq -r '.[].id'`
    """
    from gpuadvisor.views.browse import models_view

    _emit(models_view(list(_catalog().models.values())), as_json)
    return 0


@app.command("detect", cls=_Command)
def detect_cmd(
    provider: ProviderOpt = None,
    as_json: JsonOpt = False,
):
    """Read this machine's GPUs with nvidia-smi and show what to rent on each provider to get the same.

    **Examples**

    * `gpuadvisor detect`
    * `gpuadvisor detect --provider modal --json`
    """
    from gpuadvisor.detect import detect, equivalents
    from gpuadvisor.views.browse import detect_view

    cat = _catalog()
    local = detect(cat)
    _emit(detect_view(local, equivalents(cat, local, tuple(provider or ())), cat), as_json)
    return 0
