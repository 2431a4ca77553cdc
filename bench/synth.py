"""Synthetic catalogs for scale tests: N offerings spread over many providers, each provider one
TOML file of at most 100 offerings, every offering a built-in GPU or a pool of them.

    python bench/synth.py DIR N      # then: GPUADVISOR_CATALOG_PATH=DIR gpuadvisor list --json
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

GPUS = ["t4", "l4", "a10", "rtx-a4000", "rtx-a4500", "rtx-a5000", "rtx-a6000", "rtx-2000-ada", "rtx-4000-ada",
        "rtx-6000-ada", "rtx-3090", "rtx-4090", "rtx-5090", "a40", "l40", "l40s", "a100-40gb", "a100-80gb-pcie",
        "a100-80gb-sxm", "h100-sxm", "h200", "b200", "rtx-pro-6000-server"]
PER_FILE = 100


def write_synthetic(directory: Path, n: int, seed: int = 7, mixed: bool = False) -> list[Path]:
    """`mixed` (tests of the large-catalog ranking) adds what imported clouds have: fixed-count SKUs,
    prices that tie, discounted `price_low` figures and offerings priced only that way."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for p in range((n + PER_FILE - 1) // PER_FILE):
        count = min(PER_FILE, n - p * PER_FILE)
        lines = ["[provider]", f'id = "synth{p:04d}"', f'name = "Synthetic {p}"', "max_count = 8", "",
                 "[provider.syntax]", "code = '\"{name}\"'", "config = 'gpu={value}'",
                 "config_count = 'gpu={value}, count={count}'", ""]
        for i in range(count):
            lines.append("[[offering]]")
            lines.append(f'name = "S{p}-{i}"')
            if i % 10 == 9:
                members = rng.sample(GPUS, 3)
                lines.append('kind = "pool"')
                lines.append("members = [" + ", ".join(f'"{m}"' for m in members) + "]")
            else:
                lines.append(f'gpu = "{rng.choice(GPUS)}"')
            fixed = mixed and i % 4 == 1 and i % 10 != 9  # a pool has no fixed count
            lines.append(f"fixed_count = {rng.choice([1, 2, 4, 8])}" if fixed else f"max_count = {rng.choice([1, 2, 4, 8])}")
            per_hour = rng.uniform(0.2, 9)
            if mixed:
                per_hour = round(per_hour * 2) / 2 or 0.5  # ties
            if rng.random() < 0.7:
                lines.append(f'price = {{ per_hour = {per_hour:.3f}, as_of = "2026-10-01", source = "synthetic" }}')
            if mixed and rng.random() < 0.3:
                lines.append(f'price_low = {{ per_hour = {per_hour * 0.6:.3f}, as_of = "2026-10-01", basis = "spot", '
                             'source = "synthetic" }')
            lines.append("")
        f = directory / f"synth{p:04d}.toml"
        f.write_text("\n".join(lines))
        files.append(f)
    return files


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write_synthetic(Path(sys.argv[1]), int(sys.argv[2]))
