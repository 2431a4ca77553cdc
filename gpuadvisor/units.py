"""Human sizes: parameter counts (`70B`, `7.5b`, `405e9`) and contexts (`32k`, `128K`, `1M`).

Contexts use the binary convention models use: 32k = 32,768 tokens, 128k = 131,072, 1M = 1,048,576.
Parameter counts are decimal: 70B = 70 × 10^9.
"""

from __future__ import annotations

import math
import re

from gpuadvisor.errors import UsageError

_NUM = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_PARAM_UNITS = {"": None, "k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "g": 1e9, "t": 1e12}
_CONTEXT_UNITS = {"": 1, "k": 1024, "m": 1024 * 1024}
MAX_PARAMS_B = 100_000  # 100T: beyond any model
MAX_CONTEXT = 100 * 1024 * 1024


def _split(text: str, what: str, example: str) -> tuple[float, str]:
    if not isinstance(text, str) or len(text) > 40:
        raise UsageError(f"invalid {what} {str(text)[:40]!r}: write e.g. {example}")
    m = _NUM.match(text)
    if not m:
        raise UsageError(f"invalid {what} {text!r}: write e.g. {example}")
    value = float(m.group(1))
    if not math.isfinite(value):
        raise UsageError(f"invalid {what} {text!r}: write e.g. {example}")
    return value, m.group(2).lower()


def parse_params_b(text: str) -> float:
    """Parameter count in billions. A bare number is billions when below 10,000 (`70` = 70B),
    otherwise a count of parameters (`7000000000`)."""
    value, unit = _split(text, "parameter count", "70B, 7.5b, 405B, 1.3T")
    if unit not in _PARAM_UNITS:
        raise UsageError(f"invalid parameter count {text!r}: unknown unit {unit!r} (use M, B or T)")
    scale = _PARAM_UNITS[unit]
    billions = (value if value < 10_000 else value / 1e9) if scale is None else value * scale / 1e9
    if billions <= 0:
        raise UsageError(f"parameter count must be greater than 0, not {text!r}")
    if billions > MAX_PARAMS_B:
        raise UsageError(f"parameter count {text!r} is beyond any model (max {MAX_PARAMS_B:,}B)")
    return billions


def parse_context(text: str) -> int:
    """Context length in tokens: `32k` = 32,768, `128K` = 131,072, `1M` = 1,048,576, `32000` = 32,000."""
    value, unit = _split(text, "context", "8k, 32k, 128K, 1M, 4096")
    if unit not in _CONTEXT_UNITS:
        raise UsageError(f"invalid context {text!r}: unknown unit {unit!r} (use k or M)")
    tokens = int(round(value * _CONTEXT_UNITS[unit]))
    if tokens < 1:
        raise UsageError(f"context must be at least 1 token, not {text!r}")
    if tokens > MAX_CONTEXT:
        raise UsageError(f"context {text!r} is beyond any model (max 100M tokens)")
    return tokens


def human_tokens(n: int) -> str:
    for unit, size in (("M", 1024 * 1024), ("k", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return f"{n:,}"
