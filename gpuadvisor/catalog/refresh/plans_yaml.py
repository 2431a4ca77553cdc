"""Rows from an "API Commons Plans" YAML file (API Evangelist's transcriptions of providers'
pricing pages; github.com/api-evangelist/<provider>/plans/<provider>-plans-pricing.yml).
A price item is any mapping with a label (`label`, else `name`) and a price text (`price_text`,
else `price`) that names a time unit; a generic label such as "Per second" takes its plan's name.
The file's own date (`generated`, else `modified`) dates the prices."""

from __future__ import annotations

from gpuadvisor.catalog.refresh.parse import Item, Row, money, yaml_items

GENERIC = ("per second", "per hour", "per minute")


def parse_plans(text: str, require: str = "") -> tuple[list[Row], str | None]:
    """Rows of the file; with `require`, only items whose unit, metric or name contains it
    (a file that also lists per-image model prices or seats)."""
    top, items = yaml_items(text)
    rows = []
    for item in items:
        f = item.fields
        label = f.get("label") or f.get("name") or ""
        price_text = f.get("price_text") or f.get("price") or ""
        said = f"{f.get('unit', '')} {f.get('metric', '')} {f.get('name', '')}".lower()
        if not label or not price_text or (require and require.lower() not in said):
            continue
        if label.strip().lower() in GENERIC and item.parent is not None:
            parent: Item | None = item.parent
            while parent is not None and not parent.fields.get("name"):
                parent = parent.parent
            label = parent.fields["name"] if parent is not None else label
        price = money(price_text, f"{f.get('unit', '')} {f.get('metric', '')}")
        if price is not None:
            rows.append(Row(label, price[0], price[1], f"{label}: {price_text}"))
    published = top.get("generated") or top.get("modified") or None
    return rows, (published[:10] if published else None)
