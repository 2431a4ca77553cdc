"""Commands that browse the catalogs: list, show, compare, models, and detect (this machine's GPUs)."""

from __future__ import annotations

from typing import Annotated, Optional

from gpuadvisor.cli.common import (
    FormatOpt,
    JsonOpt,
    ProviderOpt,
    RegionOpt,
    _catalog,
    _Command,
    _emit,
    app,
    opt,
)
from gpuadvisor.commands.browse import COMPARE, LIST, SHOW


@app.command("list", cls=_Command)
def list_cmd(
    provider: ProviderOpt = None,
    min_vram: Annotated[Optional[float], opt(LIST["min_vram"])] = None,
    kind: Annotated[Optional[list[str]], opt(LIST["kind"])] = None,
    arch: Annotated[Optional[list[str]], opt(LIST["arch"])] = None,
    gpu: Annotated[Optional[str], opt(LIST["gpu"])] = None,
    max_price: Annotated[Optional[float], opt(LIST["max_price"])] = None,
    region: RegionOpt = None,
    sort: Annotated[str, opt(LIST["sort"])] = "provider",
    reverse: Annotated[bool, opt(LIST["reverse"])] = False,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """List what each provider offers: GPU types, pools and CPU workers, with prices.

    **Examples**

    * `gpuadvisor list --provider runpod --kind pool`
    * `gpuadvisor list --min-vram 80 --sort price`
    * `gpuadvisor list --gpu h100 --format csv`
    """
    from gpuadvisor.commands.browse import run_list

    _emit(run_list(_catalog(), provider, min_vram, kind, arch, gpu, max_price, region, sort, reverse), as_json, fmt)
    return 0


@app.command("show", cls=_Command)
def show_cmd(
    name: Annotated[str, opt(SHOW["name"])],
    as_json: JsonOpt = False,
):
    """Show one GPU's facts, where sources disagree, and every provider's offering of it.

    NAME is a canonical id (`h100-sxm`) or any provider's name for it (`H100`, `GPU-H100`, `AMPERE_80`).

    **Examples**

    * `gpuadvisor show h100`
    * `gpuadvisor show GpuGroup.AMPERE_80`
    * `gpuadvisor show b200 --json`
    """
    from gpuadvisor.commands.browse import run_show

    _emit(run_show(_catalog(), name), as_json)
    return 0


@app.command("compare", cls=_Command)
def compare_cmd(
    names: Annotated[list[str], opt(COMPARE["names"])],
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
):
    """Compare GPUs side by side; the facts that differ are highlighted.

    **Examples**

    * `gpuadvisor compare rtx-4090 rtx-5090 l40s`
    * `gpuadvisor compare H100 H200 --format csv`
    """
    from gpuadvisor.commands.browse import run_compare

    _emit(run_compare(_catalog(), names), as_json, fmt)
    return 0


@app.command("models", cls=_Command)
def models_cmd(as_json: JsonOpt = False):
    """List the models `estimate` and `recommend --model` know, with their architecture facts.

    **Examples**

    * `gpuadvisor models`
    * `gpuadvisor models --json | jq -r '.[].id'`
    """
    from gpuadvisor.commands.browse import run_models

    _emit(run_models(_catalog()), as_json)
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
