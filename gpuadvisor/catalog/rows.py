"""A large catalog's offerings kept as cached rows, each rebuilt when first read (issue 22 part 8).

Rebuilding 100,000 offerings from the cache took ~0.7 s on every run, while `recommend` reads a
few dozen: the heads of the ranking's classes and the picks. So the cache of a catalog with at least
shortlist.LARGE_CATALOG offerings stores one JSON row per line after the catalog, and the
ranking's class index (gpuadvisor.shortlist) and price estimates on the line before them, worked
out when the cache is written. `cat.offerings` is then an OfferingRows: a sequence that decodes a
row on first access; iterating it (`list`, `show`) decodes them all, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from gpuadvisor.models import Offering


class CachedIndex:
    """The lines the cache keeps beside a large catalog's rows, each decoded when first read:
    `classes` (the shortlist's classes and price estimates: every `recommend` reads it), `prices`
    (only a budget reads it) and `providers` (each row's provider position: only --provider reads it)."""

    PARTS = ("classes", "prices", "providers")

    def __init__(self, lines: list[bytes]):
        self._lines = dict(zip(self.PARTS, lines, strict=True))
        self._done: dict = {}

    def __getitem__(self, part: str):
        if part not in self._done:
            self._done[part] = json.loads(self._lines.pop(part))
        return self._done[part]


class OfferingRows(Sequence):
    """Offerings rebuilt from their cached rows as they are read. `cached_index` holds what was worked
    out over them when cached (CachedIndex); an overlay or any other change makes a plain list, and
    with it a fresh index."""

    def __init__(self, rows: list[bytes], make: Callable[[list], Offering], index: CachedIndex):
        self._rows: list = rows  # bytes until read, then the Offering
        self._make = make
        self._left = len(rows)
        self.cached_index = index

    def __len__(self) -> int:
        return len(self._rows)

    def _at(self, i: int) -> Offering:
        row = self._rows[i]
        if isinstance(row, bytes):
            row = self._rows[i] = self._make(json.loads(row))
            self._left -= 1
        return row

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._at(j) for j in range(*i.indices(len(self._rows)))]
        if i < 0:
            i += len(self._rows)
        if not 0 <= i < len(self._rows):
            raise IndexError(i)
        return self._at(i)

    def __iter__(self):
        if self._left:
            self._decode_all()
        return iter(self._rows)

    def _decode_all(self) -> None:
        """Every row not read yet, parsed as one JSON array and rebuilt with the collector paused
        (as cache.CacheStore.read does: none of these objects is in a cycle)."""
        import gc

        rows = self._rows
        todo = [i for i, row in enumerate(rows) if isinstance(row, bytes)]
        collecting = gc.isenabled()
        gc.disable()
        try:
            parsed = json.loads(b"[" + b",".join(rows[i] for i in todo) + b"]")
            for i, row in zip(todo, parsed, strict=True):
                rows[i] = self._make(row)
        finally:
            if collecting:
                gc.enable()
        self._left = 0

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and all(a is b or a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # compared by content, as a list is
