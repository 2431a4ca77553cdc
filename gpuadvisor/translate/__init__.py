"""Translate a GPU config from one provider's syntax to another's.

parse_spec    a spec as SOURCE writes it -> source options (offering, count, suffix)     spec.py
differences   what n × one GPU -> m × another loses, gains or changes; classify: the match  loss.py
match_option  one source option -> the best target offering and count, classified as       match.py
              exact | equivalent | upgrade | downgrade, with notes saying what changes
translate     the whole thing, fallback lists kept in order, plus a paste-ready snippet   translation.py

Specs are parsed with `ast` (never eval): a name, `NAME:N`, a comma-separated list, or a Python
list literal whose items are strings or enum members (`GpuGroup.AMPERE_80`).
"""

from __future__ import annotations

from gpuadvisor.translate.loss import DIMENSIONS, LOSS_TOLERANCE, classify, differences
from gpuadvisor.translate.match import TargetOption, match_option, nearest_skus, target_candidates
from gpuadvisor.translate.spec import (
    MAX_OPTIONS,
    MAX_SPEC_CHARS,
    SourceOption,
    count_caveat,
    expr_text,
    parse_item,
    parse_sized_cpu,
    parse_spec,
    split_spec,
)
from gpuadvisor.translate.translation import MATCH_ORDER, Translation, translate

__all__ = [
    "DIMENSIONS", "LOSS_TOLERANCE", "MATCH_ORDER", "MAX_OPTIONS", "MAX_SPEC_CHARS", "SourceOption", "TargetOption",
    "Translation", "classify", "count_caveat", "differences", "expr_text", "match_option", "nearest_skus",
    "parse_item", "parse_sized_cpu", "parse_spec", "split_spec", "target_candidates", "translate",
]
