"""dstack's gpuhunt catalog CSV (`<provider>.csv`, dstackai/gpuhunt src/gpuhunt/_internal/models.py
RawCatalogItem, written by csv.DictWriter in field order):

  instance_name,location,price,cpu,memory,gpu_count,gpu_name,gpu_memory,spot,disk_size,gpu_vendor,
  flags,cpu_arch,provider_data

Columns are read by name. Required: the first nine (older catalogs stop at `spot` or `disk_size`;
gpuhunt fills the later ones with defaults, and so does this reader). `spot` is `True`/`False`; a
spot row is that instance's spot price. Rows of other vendors (AMD, Google TPU, Intel, Tenstorrent)
are skipped and counted. The snippet is dstack's (`resources: gpu: NAME:COUNT`).
"""

from __future__ import annotations

from gpuadvisor.catalog.importers.common import MAX_DISTINCT, Row, number, read_table
from gpuadvisor.errors import UsageError

REQUIRED = ("instance_name", "location", "price", "cpu", "memory", "gpu_count", "gpu_name", "gpu_memory", "spot")


def read_gpuhunt(text: str | bytes) -> tuple[list[Row], dict[str, int]]:
    reader = read_table(text, REQUIRED, "gpuhunt")
    demand: dict[tuple, Row] = {}
    spot: dict[tuple, float] = {}
    skipped: dict[str, int] = {}

    def skip(why: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1

    for i, raw in enumerate(reader, 2):
        if None in raw:
            raise UsageError(f"line {i}: more cells than the header has columns")
        row = {(k or "").strip(): v for k, v in raw.items()}
        where = f"line {i}"
        name, location = (row.get("instance_name") or "").strip(), (row.get("location") or "").strip()
        if not name or not location or not (row.get("price") or "").strip():
            skip("rows with an empty required field (gpuhunt skips them too)")
            continue
        price = number(row, "price", where, required=True)
        assert price is not None, "required=True raises rather than return None"
        count = number(row, "gpu_count", where) or 0
        gpu = (row.get("gpu_name") or "").strip() or None
        vendor = (row.get("gpu_vendor") or "").strip().lower() or ("google" if gpu and gpu.lower().startswith("tpu-") else "nvidia")
        if gpu and vendor != "nvidia":
            skip(f"{vendor} accelerators (gpuadvisor knows NVIDIA GPUs)")
            continue
        if price <= 0 or count != int(count) or (gpu and count < 1):
            skip("rows with a non-positive price or a fractional GPU count")
            continue
        mem = number(row, "gpu_memory", where)
        count = int(count)
        key = (name, location, gpu, count)
        if key not in demand and key not in spot and len(demand) + len(spot) >= MAX_DISTINCT:
            raise UsageError(f"{where}: more than {MAX_DISTINCT:,} distinct instances × locations; not read (nothing written)")
        if (row.get("spot") or "").strip().lower() == "true":
            spot[key] = min(price, spot.get(key, price))
            continue
        written = None
        if gpu:
            written = f"{gpu}:{mem:g}GB:{count}" if mem and gpu.upper() == "A100" else f"{gpu}:{count}"
        demand[key] = Row(name, gpu, count if gpu else 0, number(row, "cpu", where), number(row, "memory", where),
                          location, price, None, "", mem, written)
    for key in spot:
        if key not in demand:
            skip("spot-only rows (no on-demand price)")
    rows = [Row(**{**r.__dict__, "spot": spot.get(k)}) for k, r in demand.items()]
    return rows, skipped
