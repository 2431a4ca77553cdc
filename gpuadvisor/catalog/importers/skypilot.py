"""SkyPilot's vms.csv (skypilot-org/skypilot-catalog, catalogs/v8/<cloud>/vms.csv).

Columns are read by name, as SkyPilot's own sky/catalog/common.py reads them with pandas: the order
differs per cloud (Lambda `…,Price,Region,GpuInfo,SpotPrice`; RunPod `…,Region,SpotPrice,Price,
AvailabilityZone,GpuInfo`; GCP `InstanceType,vCPUs,MemoryGiB,AcceleratorName,…`). Required:
InstanceType, AcceleratorName, AcceleratorCount, Region, Price; optional: vCPUs, MemoryGiB,
SpotPrice, GpuInfo (or GPUInfo, the README's spelling), AvailabilityZone, Arch, and any column
added later. GpuInfo is a Python-literal dict, read with ast.literal_eval (never eval); RunPod writes
GB into its SizeInMiB and Lambda's TotalGpuMemoryInMiB is per GPU, so only Gpus[0] is used, with
values under 1024 read as GB.
"""

from __future__ import annotations

import ast

from gpuadvisor.catalog.importers.common import Row, number, read_table
from gpuadvisor.errors import UsageError

REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Region", "Price")
MAX_INFO_CHARS = 2000


def _gpu_info(raw: str) -> tuple[str, float | None]:
    """(GPU name, memory GiB per GPU) from a GpuInfo cell; ('', None) when it cannot be read."""
    if not raw or len(raw) > MAX_INFO_CHARS or not raw.lstrip().startswith("{"):
        return "", None
    try:
        info = ast.literal_eval(raw)
        gpu = info["Gpus"][0]
        mib = float(gpu.get("MemoryInfo", {}).get("SizeInMiB"))
    except (ValueError, SyntaxError, KeyError, IndexError, TypeError, AttributeError, RecursionError, MemoryError):
        return "", None
    label = gpu.get("Name", "") if isinstance(gpu.get("Name", ""), str) else ""
    return label, (mib if mib < 1024 else mib / 1024)


def read_skypilot(text: str) -> tuple[list[Row], dict[str, int]]:
    reader = read_table(text, REQUIRED, "SkyPilot vms.csv")
    rows, skipped = [], {}

    def skip(why: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1

    for i, raw in enumerate(reader, 2):
        row = {(k or "").strip(): v for k, v in raw.items()}
        where = f"line {i}"
        if None in raw:
            raise UsageError(f"{where}: more cells than the header has columns")
        instance = (row.get("InstanceType") or "").strip()
        acc = (row.get("AcceleratorName") or "").strip() or None
        if not instance:
            skip("rows without an instance type (GCP attachable GPUs/TPUs: the price covers the accelerator only)")
            continue
        count = number(row, "AcceleratorCount", where)
        price = number(row, "Price", where)
        if price is None or price <= 0:
            skip("rows without a positive on-demand price")
            continue
        if acc is not None and (count is None or count <= 0 or count != int(count)):
            skip("rows with a fractional or missing GPU count")
            continue
        label, mem = _gpu_info(row.get("GpuInfo") or row.get("GPUInfo") or "")
        region = (row.get("Region") or "").strip() or "unknown"
        rows.append(Row(instance, acc, int(count or 0), number(row, "vCPUs", where), number(row, "MemoryGiB", where),
                        region, price, number(row, "SpotPrice", where), label, mem))
    return rows, skipped
