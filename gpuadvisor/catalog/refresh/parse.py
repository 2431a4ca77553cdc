"""Readers for the two shapes price sources come in: a Markdown table (RunPod's docs snippet) and
an "API Commons Plans" YAML file (API Evangelist's transcriptions of pricing pages). Both return
plain rows; each provider's fetcher decides which rows it maps to which offering.

YAML is read with PyYAML's safe loader (already a dependency, for config.yaml app files), which
never evaluates anything; every mapping in the document becomes an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONEY = re.compile(r"\$?\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)")


@dataclass(frozen=True)
class Row:
    """One price a source publishes: its label as printed, USD per hour, per second when the source
    gives that, and the source's own wording of the figure."""

    label: str
    per_hour: float
    per_second: float | None
    text: str


def money(text: str, unit: str = "") -> tuple[float, float | None] | None:
    """(per hour, per second) from a price text such as "$0.000164 per GPU-second" or "$4.50/h";
    None when it names no number or no time unit (a seat, a month, "contact sales")."""
    m = MONEY.search(text)
    if not m:
        return None
    value = float(m.group(1))
    said = f"{text} {unit}".lower()
    if re.search(r"\bsec(ond)?s?\b|/s\b|-second", said):
        return round(value * 3600, 6), value
    if re.search(r"\bh(ou)?rs?\b|/h\b|/hr\b|hour", said):
        return value, None
    return None


def markdown_table(text: str) -> list[list[str]]:
    """The body rows of the first pipe table in `text` (cells stripped of ** and spaces)."""
    rows: list[list[str]] = []
    seen_rule = False
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            if seen_rule and rows:
                break
            continue
        cells = [c.strip().strip("*").strip() for c in line.strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            seen_rule = True
            continue
        if seen_rule:
            rows.append(cells)
    return rows


def table_rows(text: str, label_column: int, price_column: int, unit: str) -> list[Row]:
    """Priced rows of the first Markdown table: the label and price cells named by column."""
    rows = []
    for cells in markdown_table(text):
        if len(cells) <= max(label_column, price_column):
            continue
        price = money(cells[price_column], unit)
        if price is not None:
            rows.append(Row(cells[label_column], price[0], price[1], " | ".join(cells)))
    return rows


@dataclass
class Item:
    """One mapping of a YAML document: its scalar keys, and the item it is nested in."""

    fields: dict
    parent: Item | None
    indent: int


def yaml_items(text: str) -> tuple[dict, list[Item]]:
    """(top-level scalars, every mapping in document order, each with the mapping it is nested in)
    of a YAML file, read with PyYAML's safe loader (the download is already size-capped)."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        from gpuadvisor.errors import UsageError

        raise UsageError(f"the price source is not valid YAML: {str(e).splitlines()[0][:120]}") from None
    top = {k: str(v) for k, v in doc.items() if _is_scalar(v)} if isinstance(doc, dict) else {}
    items: list[Item] = []

    def walk(node, parent: Item | None, depth: int) -> None:
        if depth > 64:
            return
        if isinstance(node, dict):
            item = Item({str(k): ("" if v is None else str(v)) for k, v in node.items() if _is_scalar(v)}, parent, depth)
            if depth:
                items.append(item)
            for v in node.values():
                walk(v, item, depth + 1)
        elif isinstance(node, list):
            for v in node:
                walk(v, parent, depth + 1)

    walk(doc, None, 0)
    return top, items


def _is_scalar(v) -> bool:
    return not isinstance(v, (dict, list))
