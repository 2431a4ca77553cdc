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


def write_synthetic(directory: Path, n: int, seed: int = 7) -> list[Path]:
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
            lines.append(f"max_count = {rng.choice([1, 2, 4, 8])}")
            if rng.random() < 0.7:
                lines.append(f'price = {{ per_hour = {rng.uniform(0.2, 9):.3f}, as_of = "2026-10-01", source = "synthetic" }}')
            lines.append("")
        f = directory / f"synth{p:04d}.toml"
        f.write_text("\n".join(lines))
        files.append(f)
    return files


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write_synthetic(Path(sys.argv[1]), int(sys.argv[2]))
