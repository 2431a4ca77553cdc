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

from gpuadvisor.catalog.importers.common import MAX_DISTINCT, Row, number, read_table
from gpuadvisor.errors import UsageError

REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Region", "Price")
MAX_INFO_CHARS = 2000
# GCP's GPU machine types come with their GPUs, but SkyPilot's GCP vms.csv lists the host VM (no
# accelerator, its price the host alone) apart from the accelerator rows (no instance type, their
# price the GPUs alone). SkyPilot joins them with this table, sky/catalog/gcp_catalog.py
# _ACC_INSTANCE_TYPE_DICTS (accelerator -> count -> machine types), inverted here; the instance's
# price is the host's plus its GPUs' in the same zone (a2-highgpu-1g: 0.73948 + 2.93391 = 3.673,
# GCP's published $3.67/h).
_ACC_INSTANCE_TYPES = {
    "A100": {1: ["a2-highgpu-1g"], 2: ["a2-highgpu-2g"], 4: ["a2-highgpu-4g"], 8: ["a2-highgpu-8g"],
             16: ["a2-megagpu-16g"]},
    "A100-80GB": {1: ["a2-ultragpu-1g"], 2: ["a2-ultragpu-2g"], 4: ["a2-ultragpu-4g"], 8: ["a2-ultragpu-8g"]},
    "L4": {1: ["g2-standard-4", "g2-standard-8", "g2-standard-12", "g2-standard-16", "g2-standard-32"],
           2: ["g2-standard-24"], 4: ["g2-standard-48"], 8: ["g2-standard-96"]},
    "H100": {1: ["a3-highgpu-1g"], 2: ["a3-highgpu-2g"], 4: ["a3-highgpu-4g"], 8: ["a3-highgpu-8g"]},
    "H100-MEGA": {8: ["a3-megagpu-8g"]},
    "H200": {8: ["a3-ultragpu-8g"]},
    "B200": {8: ["a4-highgpu-8g"]},
}
MACHINE_GPUS = {vm: (acc, n) for acc, counts in _ACC_INSTANCE_TYPES.items() for n, vms in counts.items() for vm in vms}
# Machine families whose VMs always carry GPUs: one missing from the table is skipped, never
# imported as a CPU-only VM at its host price.
GPU_FAMILIES = ("a2-", "a3-", "a4-", "g2-", "g4-")


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


def read_skypilot(text: str | bytes):
    """(rows, skipped): rows is a generator (streamed into build_toml, never a list of them all);
    `skipped` fills as it runs."""
    reader = read_table(text, REQUIRED, "SkyPilot vms.csv")
    skipped: dict[str, int] = {}
    return _rows(reader, skipped), skipped


def _rows(reader, skipped: dict[str, int]):

    def skip(why: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1

    accelerators: dict[tuple, tuple] = {}  # (name, count, zone or region) -> (price, spot, label, memory)
    hosts: list[tuple[dict[str, str], str, str]] = []  # GPU machine types listed without their GPUs (GCP), joined below
    for i, raw in enumerate(reader, 2):
        row = {(k or "").strip(): v for k, v in raw.items()}
        where = f"line {i}"
        if None in raw:
            raise UsageError(f"{where}: more cells than the header has columns")
        instance = (row.get("InstanceType") or "").strip()
        acc = (row.get("AcceleratorName") or "").strip() or None
        if not instance:
            count, price = number(row, "AcceleratorCount", where), number(row, "Price", where)
            if acc and count and price:
                label, mem = _gpu_info(row.get("GpuInfo") or row.get("GPUInfo") or "")
                entry = (price, number(row, "SpotPrice", where), label, mem)
                if len(accelerators) >= MAX_DISTINCT:
                    raise UsageError(f"{where}: more than {MAX_DISTINCT:,} distinct attachable accelerators; not read")
                for place in ((row.get("AvailabilityZone") or "").strip(), (row.get("Region") or "").strip()):
                    accelerators.setdefault((acc, int(count), place), entry)
            skip("rows without an instance type (GCP attachable GPUs/TPUs: the price covers the accelerator only; "
                 "joined to the GPU machine types that carry them)")
            continue
        if acc is None and instance.startswith(GPU_FAMILIES):
            if len(hosts) >= MAX_DISTINCT:
                raise UsageError(f"{where}: more than {MAX_DISTINCT:,} GPU machine rows without GPUs; not read")
            hosts.append((row, where, instance))
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
        yield Row(instance, acc, int(count or 0), number(row, "vCPUs", where), number(row, "MemoryGiB", where),
                  region, price, number(row, "SpotPrice", where), label, mem)
    for row, where, instance in hosts:
        joined = _with_gpus(row, where, instance, accelerators)
        if joined is None:
            skip("GPU machine types whose GPUs have no price in the same zone (GCP prices them apart)")
        else:
            yield joined


def _with_gpus(row: dict, where: str, instance: str, accelerators: dict) -> Row | None:
    """A GCP GPU machine type as SkyPilot prices it: the host VM plus its GPUs in the same zone."""
    if instance not in MACHINE_GPUS:
        return None
    acc, n = MACHINE_GPUS[instance]
    zone, region = (row.get("AvailabilityZone") or "").strip(), (row.get("Region") or "").strip()
    found = accelerators.get((acc, n, zone)) or accelerators.get((acc, n, region))
    host, host_spot = number(row, "Price", where), number(row, "SpotPrice", where)
    if found is None or not host or host <= 0:
        return None
    price, spot, label, mem = found
    both = host_spot + spot if host_spot is not None and spot is not None else None
    return Row(instance, acc, n, number(row, "vCPUs", where), number(row, "MemoryGiB", where), region or "unknown",
               host + price, both, label, mem)
