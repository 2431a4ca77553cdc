"""Accelerator names in SkyPilot and gpuhunt catalogs → canonical GPU ids (research: imports.md §4).

Keys are normalised (upper case, no '-', '_' or spaces). A name absent here is reported, never
guessed. Names whose form factor depends on the instance are decided by `decide` below.
"""

from __future__ import annotations

EXACT = {
    "T4": "t4", "T4G": "t4", "L4": "l4", "A10": "a10", "A10G": "a10g",
    "A4000": "rtx-a4000", "RTXA4000": "rtx-a4000", "A4500": "rtx-a4500", "RTXA4500": "rtx-a4500",
    "A5000": "rtx-a5000", "RTXA5000": "rtx-a5000", "A6000": "rtx-a6000", "RTXA6000": "rtx-a6000",
    "RTX2000ADA": "rtx-2000-ada", "RTX4000ADA": "rtx-4000-ada", "RTX6000ADA": "rtx-6000-ada",
    "RTX3090": "rtx-3090", "RTX4090": "rtx-4090", "RTX5090": "rtx-5090",
    "A40": "a40", "L40": "l40", "L40S": "l40s",
    "A10080GBSXM": "a100-80gb-sxm", "H100SXM": "h100-sxm", "H100MEGA": "h100-sxm",
    "H100NVL": "h100-nvl", "H200": "h200", "H200SXM": "h200", "B200": "b200", "B300": "b300",
    "RTXPRO6000": "rtx-pro-6000-server",
    "V100": "v100-16gb", "V100SXM2": "v100-16gb", "V10032GB": "v100-32gb", "V100SXM232GB": "v100-32gb",
    "P100": "p100", "P4": "p4",
}
# Never mapped: the Quadro RTX 6000 (Turing, 24 GB) is not the RTX 6000 Ada.
NOT_THIS = {"RTX6000": "Quadro RTX 6000 (Turing, 24 GB), not the RTX 6000 Ada"}


def key(name: str) -> str:
    return "".join(c for c in name.upper() if c not in "-_ ")


def decide(name: str, instance: str, gpu_label: str, memory_gib: float | None) -> str | None:
    """The canonical id for one row, or None when the name is not known. `gpu_label` is the GPU's
    own name where the file gives one (SkyPilot GpuInfo Name, e.g. 'A100 PCIe'), `memory_gib` its
    memory per GPU."""
    k = key(name)
    hint = (instance + " " + gpu_label).lower()
    if k in ("A100", "A10080GB"):
        if k == "A100" and (memory_gib is None or memory_gib < 60):
            return "a100-40gb"
        return "a100-80gb-pcie" if "pcie" in hint else "a100-80gb-sxm"
    if k == "H100":
        if "nvl" in hint:
            return "h100-nvl"
        return "h100-pcie" if "pcie" in hint else "h100-sxm"
    if k == "V100" and memory_gib is not None and memory_gib > 20:
        return "v100-32gb"
    return EXACT.get(k)
