"""Readers for the two shapes price sources come in: a Markdown table (RunPod's docs snippet) and
an "API Commons Plans" YAML file (API Evangelist's transcriptions of pricing pages). Both return
plain rows; each provider's fetcher decides which rows it maps to which offering.

The YAML reader is deliberately small (no PyYAML dependency for one feature): block mappings and
sequences of scalars, with folded/literal scalars skipped. It never evaluates anything.
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
    rows, seen_rule = [], False
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
    """(top-level scalars, every mapping item in document order) of a block-style YAML file."""
    top: dict = {}
    items: list[Item] = []
    stack: list[Item] = []
    skip_deeper = -1
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if skip_deeper >= 0:
            if indent > skip_deeper:
                continue
            skip_deeper = -1
        line = raw.strip()
        dash = line.startswith("- ")
        if dash:
            line, indent = line[2:].lstrip(), indent + 2
        m = re.match(r"""^("[^"]*"|'[^']*'|[^:#'"]+?)\s*:(?:\s+(.*))?$""", line)
        if m is None:
            continue
        key, value = m.group(1).strip("'\""), _scalar(m.group(2) or "")
        if value in (">", ">-", "|", "|-", ">+", "|+"):
            skip_deeper, value = indent, ""
        while stack and (stack[-1].indent > indent or (dash and stack[-1].indent == indent)):
            stack.pop()
        if dash:
            stack.append(Item({}, stack[-1] if stack else None, indent))
            items.append(stack[-1])
        if stack and stack[-1].indent == indent:
            stack[-1].fields[key] = value
        elif indent == 0:
            top[key] = value
    return top, items


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if " #" in text:
        text = text.split(" #", 1)[0].rstrip()
    return text
