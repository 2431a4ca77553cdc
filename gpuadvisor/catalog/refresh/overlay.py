"""The price overlay: what `catalog refresh` writes, one file per provider in
$XDG_CONFIG_HOME/gpuadvisor/catalogs/prices/<provider>.toml. It holds prices only (never
hardware, names or syntax), each dated, and replaces the matching offerings' `price` /
`price_low` over every catalog when loaded. The built-in catalogs are never edited;
`--builtin-only` ignores the overlay. A damaged overlay file is skipped with one warning.

    [refresh]
    provider = "runpod"
    source = "https://raw.githubusercontent.com/runpod/docs/main/snippets/serverless-gpu-pricing-table.mdx"
    refreshed = "2026-12-04T16:40:00Z"

    [[offering]]
    name = "AMPERE_16"
    price = { per_hour = 0.576, per_second = 0.00016, as_of = "2026-12-04", basis = "flex", source = "…" }
    # drop = ["price"]   a price the source no longer lists (written only with --accept-changes)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from gpuadvisor.models import Price

SUBDIR = "prices"
MAX_BYTES = 256 * 1024
FIELDS = ("price", "price_low")


@dataclass
class Overlay:
    """One provider's overlay file: when and from where it was refreshed, and its prices."""

    provider: str
    source: str = ""
    refreshed: str = ""
    prices: dict[str, dict[str, Price | None]] = field(default_factory=dict)  # offering name -> field -> Price (None: dropped)
    path: str = ""


def directory() -> Path | None:
    from gpuadvisor.catalog.locate import user_dir

    base = user_dir()
    return None if base is None else base / SUBDIR


def _price(raw, where: str) -> Price:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: not a table")
    per_hour, as_of = raw.get("per_hour"), raw.get("as_of")
    if isinstance(per_hour, bool) or not isinstance(per_hour, (int, float)) or not math.isfinite(per_hour) or per_hour <= 0:
        raise ValueError(f"{where}.per_hour: must be a positive number")
    if not isinstance(as_of, str) or len(as_of) < 10:
        raise ValueError(f"{where}.as_of: must be a date, YYYY-MM-DD")
    from datetime import date

    date.fromisoformat(as_of[:10])
    per_second = raw.get("per_second")
    if per_second is not None and (isinstance(per_second, bool) or not isinstance(per_second, (int, float)) or per_second <= 0):
        raise ValueError(f"{where}.per_second: must be a positive number")
    return Price(float(per_hour), as_of, str(raw.get("source", "")), str(raw.get("basis", "list")),
                 None if per_second is None else float(per_second), str(raw.get("note", "")))


def parse(text: str, path: str = "") -> Overlay:
    """An overlay from its TOML text; ValueError naming the key on anything malformed."""
    import tomllib

    data = tomllib.loads(text)
    head = data.get("refresh")
    if not isinstance(head, dict) or not isinstance(head.get("provider"), str) or not head["provider"].strip():
        raise ValueError("[refresh] provider is missing")
    out = Overlay(head["provider"].strip().lower(), str(head.get("source", "")), str(head.get("refreshed", "")), path=path)
    rows = data.get("offering", [])
    if not isinstance(rows, list):
        raise ValueError("offering: write [[offering]]")
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            raise ValueError(f"offering[{i}].name: missing")
        entry = out.prices.setdefault(row["name"], {})
        for f in FIELDS:
            if f in row:
                entry[f] = _price(row[f], f"offering[{i}].{f}")
        for f in row.get("drop", []):
            if f not in FIELDS:
                raise ValueError(f"offering[{i}].drop: {f!r} is not price or price_low")
            entry[f] = None
    return out


def read_all(where: Path | None = None, warnings: list[str] | None = None) -> dict[str, Overlay]:
    """Every readable overlay file, by provider; a damaged one is skipped with a warning."""
    from gpuadvisor.fsread import display_path, read_text_capped

    where = directory() if where is None else where
    out: dict[str, Overlay] = {}
    if where is None or not where.is_dir():
        return out
    for p in sorted(where.glob("*.toml")):
        try:
            ov = parse(read_text_capped(p, MAX_BYTES, "price overlay"), str(p))
        except Exception as e:  # noqa: BLE001 - any damage: skip the file, say so once
            if warnings is not None:
                warnings.append(f"warning: price overlay {display_path(p)} skipped ({e}); "
                                "run `gpuadvisor catalog refresh` to rewrite it")
            continue
        out[ov.provider] = ov
    return out


def fingerprint(where: Path | None = None) -> tuple:
    """What identifies the overlay files now (names, sizes, mtimes): a change reloads them."""
    where = directory() if where is None else where
    if where is None or not where.is_dir():
        return ()
    out = []
    for p in sorted(where.glob("*.toml")):
        try:
            st = p.stat()
            out.append((p.name, st.st_size, st.st_mtime_ns))
        except OSError:
            continue
    return tuple(out)


def apply(cat, overlays: dict[str, Overlay]):
    """A copy of `cat` whose offerings carry the overlay's prices (origin notes name the file)."""
    import copy

    if not overlays:
        return cat
    changed = False
    offerings = []
    for o in cat.offerings:
        ov = overlays.get(o.provider)
        entry = None if ov is None else (ov.prices.get(o.name) or ov.prices.get(o.name.lower()))
        if entry and ov is not None:  # an entry comes from an overlay
            kw = {f: entry[f] for f in FIELDS if f in entry}
            o = replace(o, **kw, origin=(*o.origin, ("price", ov.path)))
            changed = True
        offerings.append(o)
    if not changed:
        return cat
    out = copy.copy(cat)
    out.offerings, out._index = offerings, None
    return out


def write(ov: Overlay, where: Path) -> Path:
    """Write one provider's overlay atomically (temporary file, then rename)."""
    where.mkdir(parents=True, exist_ok=True)
    target = where / f"{ov.provider}.toml"
    lines = ["# Written by `gpuadvisor catalog refresh`: prices only, over the built-in catalogs (never edited).",
             "# Delete this file to go back to the built-in prices; `--builtin-only` ignores it.",
             "[refresh]", f"provider = {_q(ov.provider)}", f"source = {_q(ov.source)}", f"refreshed = {_q(ov.refreshed)}", ""]
    for name in sorted(ov.prices, key=str.lower):
        entry = ov.prices[name]
        lines += ["[[offering]]", f"name = {_q(name)}"]
        for f in FIELDS:
            if f in entry and (value := entry[f]) is not None:
                lines.append(f"{f} = {_inline(value)}")
        dropped = [f for f in FIELDS if f in entry and entry[f] is None]
        if dropped:
            lines.append(f"drop = [{', '.join(_q(f) for f in dropped)}]")
        lines.append("")
    tmp = where / f".{ov.provider}.{os.getpid()}.refresh.tmp"
    try:
        tmp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _inline(p: Price) -> str:
    parts = [f"per_hour = {p.per_hour!r}"]
    if p.per_second is not None:
        parts.append(f"per_second = {p.per_second!r}")
    parts += [f"as_of = {_q(p.as_of)}", f"basis = {_q(p.basis)}", f"source = {_q(p.source)}"]
    if p.note:
        parts.append(f"note = {_q(p.note)}")
    return "{ " + ", ".join(parts) + " }"
