"""The loss rule: what going from n x one GPU to m x another loses, gains or changes (as notes), the
match that follows from it (exact | equivalent | upgrade | downgrade), and how far a target is."""

from __future__ import annotations

import math

from gpuadvisor.models import Gpu


def _pct(new: float, old: float) -> str:
    return f"{(new - old) / old * 100:+.0f}%" if old else ""


# What a translation may lose, one rule for every dimension: a drop beyond its tolerance is a loss
# (said in the notes, and it makes the match a downgrade); a smaller change is said as minor. Speeds
# differ between SKUs of one class by clocks and datasheet rounding, hence 15%; engines and memory
# are counted, so any drop is a loss (2% leaves room for the MiB rounding of usable memory).
DIMENSIONS = (  # (Gpu attribute, label, unit, tolerance)
    ("usable", "usable memory", " GiB per GPU", 0.02),
    ("bandwidth_gb_s", "bandwidth", " GB/s", 0.15),
    ("fp16_tflops", "FP16", " TFLOPS", 0.15),
    ("fp8_tflops", "FP8", " TFLOPS", 0.15),
    ("nvenc", "NVENC", "", 0.0),
    ("nvdec", "NVDEC", "", 0.0),
)
LOSS_TOLERANCE = {attr: tol for attr, _, _, tol in DIMENSIONS}


def differences(src: Gpu, n: int, dst: Gpu, m: int) -> tuple[list[str], list[str], list[str]]:
    """(losses, gains, minor) going from n × src to m × dst, as notes. Every dimension of DIMENSIONS is
    compared with the same rule, then the ones that need a sentence of their own: total memory, the
    GPU count, FP8 and AV1 support, NVLink between several GPUs, and the architecture."""
    losses, gains, minor = [], [], []
    for attr, label, unit, tol in DIMENSIONS:
        a, b = getattr(src, attr), getattr(dst, attr)
        if attr == "fp8_tflops" and (not a or not b):
            continue  # support itself is said below
        a, b = a or 0, b or 0
        if a == b or (a and abs(b / a - 1) < 0.005):
            continue
        if attr == "usable" and src.vram_gb != dst.vram_gb:  # said as sold, with what a job can use
            text = f"{src.vram_gb:g} → {dst.vram_gb:g} GB per GPU" + (  # marketing GB, then what a job can use
                "" if abs(a - src.vram_gb) < 0.05 and abs(b - dst.vram_gb) < 0.05 else f" ({a:,.1f} → {b:,.1f} GiB usable)")
        elif attr == "usable":
            text = f"usable memory {a:,.1f} → {b:,.1f} GiB per GPU"
        else:
            text = f"{label} {_num(a)} → {_num(b)}{unit}" + (f" ({_pct(b, a)})" if a and attr not in ("nvenc", "nvdec") else "")
        if attr == "nvenc" and not b:
            text += ": no hardware video encoding"
        if b < a * (1 - tol):
            losses.append(text)
        elif b > a * (1 + tol):
            gains.append(text)
        else:
            minor.append(text)
    t_src, t_dst = src.usable * n, dst.usable * m
    if t_dst < t_src * (1 - LOSS_TOLERANCE["usable"]):
        losses.append(f"total {_num(t_src)} → {_num(t_dst)} GiB: the job may no longer fit")
    elif t_dst > t_src and m != n:
        gains.append(f"total {_num(t_src)} → {_num(t_dst)} GiB")
    if m != n:
        (gains if m < n else losses).append(f"{n} → {m} GPUs")
    if src.fp8_tflops and not dst.fp8_tflops:
        losses.append("no FP8 tensor cores")
    elif dst.fp8_tflops and not src.fp8_tflops:
        gains.append("FP8 tensor cores")
    if src.av1_encode and not dst.av1_encode and dst.nvenc:
        losses.append("no AV1 hardware encode")
    src_linked = src.nvlink_gb_s and src.nvlink_group >= n > 1
    dst_linked = dst.nvlink_gb_s and dst.nvlink_group >= m > 1
    if src_linked and not dst_linked and m > 1:
        losses.append(f"NVLink across {n} GPUs → " + ("bridge pairs only" if dst.nvlink_gb_s else "PCIe only"))
    elif src_linked and dst_linked and dst.nvlink_gb_s < src.nvlink_gb_s * (1 - 0.15):
        losses.append(f"NVLink {_num(src.nvlink_gb_s)} → {_num(dst.nvlink_gb_s)} GB/s")
    if dst.arch_order > src.arch_order:
        gains.append(f"newer architecture ({src.arch} → {dst.arch})")
    elif dst.arch_order < src.arch_order:
        minor.append(f"older architecture ({src.arch} → {dst.arch})")
    return losses, gains, minor


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"


def classify(src: Gpu, n: int, dst: Gpu, m: int, losses: list[str], gains: list[str], same_meaning: bool = True) -> str:
    """exact: the same GPU and count, meaning kept (a dropped `!` or `+` is not exact); downgrade: any
    loss from `differences`; equivalent: nothing lost or gained beyond tolerance, same class;
    upgrade: something gained, nothing lost."""
    if dst.id == src.id and m == n:
        return "exact" if same_meaning else "equivalent"
    if losses:
        return "downgrade"
    if not gains and dst.arch == src.arch and m == n:
        return "equivalent"
    return "upgrade"


def distance(src: Gpu, n: int, dst: Gpu, m: int, losses: list[str]) -> float:
    """How far a target is from the source: small is close. Losses dominate (FP16 and FP8 drops are one
    loss of tensor compute, not two), then size, speed, age."""
    families = {"compute" if loss.startswith(("FP16", "FP8", "no FP8")) else loss.split(" ")[0] for loss in losses}
    d = 3.0 * len(families)
    if dst.arch_order < src.arch_order:
        d += 0.5
    d += abs(math.log(dst.vram_gb / src.vram_gb))
    d += 0.7 * abs(math.log(dst.bandwidth_gb_s / src.bandwidth_gb_s))
    d += 0.3 * abs(math.log(dst.fp16_tflops / src.fp16_tflops))
    d += 0.4 * abs(m - n)
    if dst.id == src.id:
        d -= 1.0
    return d

