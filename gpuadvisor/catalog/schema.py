"""Reading one catalog file and typed access to its tables: every problem is recorded against its
file, key and line. Also the keys each kind of table allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpuadvisor.errors import CatalogProblem, did_you_mean

# A catalog larger than this is refused, not parsed. tomllib is pure Python: ~0.7 s per MB of
# dense tables on a quiet machine, twice that on a busy one. 512 KB (~3,000 priced offerings; the
# largest built-in file is 20 KB) keeps any one file well under 2 s.
MAX_FILE_BYTES = 512 * 1024
MAX_HEADER_PARTS = 64  # dotted parts of a [table] header; tomllib's time grows with depth x keys
KINDS = ("gpu", "pool", "cpu")
TOP_LEVEL = ("arch", "gpu", "provider", "offering", "workload", "model", "perf")


def _max_file_bytes() -> int:
    """The cap as the package exports it: gpuadvisor.catalog.MAX_FILE_BYTES is the one setting
    (tests and embedders change it there)."""
    import sys

    pkg = sys.modules.get("gpuadvisor.catalog")
    return getattr(pkg, "MAX_FILE_BYTES", MAX_FILE_BYTES)


MAX_PROBLEMS = 50  # per file: a file with more stops being checked (and costs no more time or cache)


class TooManyProblems(Exception):
    """Raised by _File.fail at MAX_PROBLEMS: the file is skipped anyway, so checking stops."""

    def __init__(self, file: _File):
        super().__init__(file.name)
        self.file = file


class _File:
    """One catalog file: its parsed data and the problems found in it. `raw` is the file's bytes
    when already read (the loader hashes and parses the same bytes), or the message of a read that
    failed."""

    def __init__(self, path: Path, origin: str, raw: bytes | str | None = None):
        from gpuadvisor.fsread import display_path

        self.path, self.origin = path, origin
        self.name = display_path(path)  # printable even when the file name is not UTF-8
        self.builtin = origin == "builtin"
        self.text = ""
        self.data: dict = {}
        self.problems: list[CatalogProblem] = []
        self._lines: dict | None = None
        self._raw = raw

    def read(self) -> None:
        raw = self._raw if self._raw is not None else read_catalog_bytes(self.path)
        if isinstance(raw, str):
            self.fail((), raw)
            return
        try:
            self.text = raw.decode("utf-8-sig")  # a leading BOM is allowed, as in Python source
        except UnicodeDecodeError as e:
            self.fail((), f"not UTF-8 text ({e.reason} at byte {e.start})")
            return
        deep = _deep_header(self.text)
        if deep:
            self.problems.append(CatalogProblem(self.name, deep, "", f"table header nested more than "
                                                f"{MAX_HEADER_PARTS} levels deep"))
            return
        import tomllib  # only when a file is actually parsed (the cache usually spares it)

        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as e:
            msg = str(e)
            line = getattr(e, "lineno", None)
            if line is None and "(at line " in msg:
                try:
                    line = int(msg.rsplit("(at line ", 1)[1].split(",")[0])
                except ValueError:
                    line = None
            if line is None and "(at end of document)" in msg:
                line = self.text.count("\n") + (0 if self.text.endswith("\n") else 1) or 1
            reason = msg.split(" (at line")[0].split(" (at end of document)")[0]
            self.problems.append(CatalogProblem(self.name, line, "", f"invalid TOML: {reason}"))
        except RecursionError:
            self.fail((), "invalid TOML: nested too deeply")

    def line(self, path: tuple) -> int | None:
        if self._lines is None:
            from gpuadvisor.tomlpos import key_lines

            self._lines = key_lines(self.text)
        from gpuadvisor.tomlpos import line_of

        return line_of(self._lines, path)

    def fail(self, path: tuple, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblems(self)
        self.problems.append(CatalogProblem(self.name, self.line(path) if path else None, _dotted(path), message))
        if len(self.problems) == MAX_PROBLEMS:
            self.problems.append(CatalogProblem(self.name, None, "", f"more problems not checked: a file with "
                                                f"{MAX_PROBLEMS} is skipped anyway; fix these first"))
            raise TooManyProblems(self)


def _deep_header(text: str) -> int | None:
    """The line of the first [table] header with more than MAX_HEADER_PARTS dotted parts, or None.
    tomllib walks a header's whole path for every key beneath it, so a 20,000-part header over
    100,000 keys would take hours: such a file is refused before it is parsed."""
    import re

    for m in re.finditer(r"^[ \t]*\[[^\n]*", text, re.M):
        if m.group(0).count(".") > MAX_HEADER_PARTS:
            return text.count("\n", 0, m.start()) + 1
    return None


def read_catalog_bytes(path: Path) -> bytes | str:
    """A catalog file's bytes (a regular file of at most MAX_FILE_BYTES, read without blocking or
    over-reading: gpuadvisor.fsread), or the reason it cannot be read, phrased for a problem line."""
    from gpuadvisor.errors import UsageError
    from gpuadvisor.fsread import display_path, read_capped

    try:
        return read_capped(path, _max_file_bytes(), "catalog")
    except UsageError as e:
        msg, shown = str(e), display_path(path)
        if msg.startswith(shown + " "):  # the problem line names the file already
            msg = "file " + msg[len(shown) + 1:]
        return msg


def _dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_MISSING = object()
_NUMBER = (int, float)


class _Table:
    """Typed access to one TOML table; every problem is recorded against its file, key and line."""

    def __init__(self, file: _File, path: tuple, data: Any, allowed: tuple[str, ...]):
        self.file, self.path = file, path
        self.ok = isinstance(data, dict)
        self.data = data if self.ok else {}
        if not self.ok:
            file.fail(path, f"must be a table, not {_typename(data)}")
            return
        for key in self.data:
            if key not in allowed:
                file.fail(path + (key,), "unknown key" + did_you_mean(key, allowed, n=1))

    def get(self, key: str, kind: str, default: Any = _MISSING, *, positive: bool = False,
            nonneg: bool = False, choices: tuple = ()) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.file.fail(self.path, f"missing required key {key!r}")
                return None
            return default
        where = self.path + (key,)
        ok = {
            "str": isinstance(value, str),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "num": isinstance(value, _NUMBER) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "strlist": isinstance(value, list) and all(isinstance(v, str) for v in value),
            "table": isinstance(value, dict),
            "list": isinstance(value, list),
            "any": True,
        }[kind]
        if not ok:
            want = {"str": "a string", "int": "an integer", "num": "a number", "bool": "true or false",
                    "strlist": "a list of strings", "table": "a table", "list": "a list", "any": ""}[kind]
            self.file.fail(where, f"must be {want}, not {_typename(value)} {_short(value)}")
            return None if default is _MISSING else default
        if kind == "str" and not value.strip():
            self.file.fail(where, "must not be empty")
            return None if default is _MISSING else default
        if kind in ("int", "num"):
            if value != value or value in (float("inf"), float("-inf")):
                self.file.fail(where, "must be a finite number")
                return None if default is _MISSING else default
            if positive and value <= 0:
                self.file.fail(where, f"must be greater than 0, not {value}")
                return None if default is _MISSING else default
            if nonneg and value < 0:
                self.file.fail(where, f"must not be negative, not {value}")
                return None if default is _MISSING else default
        if choices and value not in choices:
            self.file.fail(where, f"must be one of {', '.join(map(str, choices))}, not {value!r}")
            return None if default is _MISSING else default
        return value

    def table(self, key: str, allowed: tuple[str, ...]) -> _Table | None:
        if key not in self.data:
            return None
        return _Table(self.file, self.path + (key,), self.data[key], allowed)


def _typename(v: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "table"}.get(type(v), type(v).__name__)


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) <= 40 else s[:37] + "..."


ARCH_KEYS = ("name", "order", "year", "lacks_dtypes")
GPU_KEYS = ("name", "arch", "compute_capability", "vram_gb", "usable_gib", "usable_note", "memory_type", "bandwidth_gb_s",
             "fp16_tflops", "fp8_tflops", "fp4_tflops", "nvenc", "nvdec", "av1_encode",
             "nvlink_gb_s", "nvlink_group", "tdp_w", "form_factor", "sources", "notes", "aliases",
             "unconfirmed", "disputes")
DISPUTE_KEYS = ("field", "used", "other", "other_source", "why")
PROVIDER_KEYS = ("id", "name", "docs_url", "as_of", "max_count", "count_note", "notes", "syntax", "list_note",
                 "verified_count", "lists", "billing")
BILLING_KEYS = ("as_of", "sources", "granularity_s", "minimum_s", "billed", "states", "idle_timeout_s",
                "idle_timeout_range_s", "cold_start_s", "concurrency", "min_workers", "max_workers", "always_on_basis",
                "settings", "notes", "host_vcpu_hour", "host_memory_gb_hour", "host_low_vcpu_hour",
                "host_low_memory_gb_hour")
SYNTAX_KEYS = ("code", "counted", "list", "config", "config_count", "snippet", "config_cpu", "host", "host_cpu",
               "host_memory")
HOST_UNITS = {"host_cpu": ("vcpus", "cores"), "host_memory": ("mib", "gb", "quantity")}
OFFERING_KEYS = ("name", "kind", "gpu", "members", "max_count", "aliases", "ram_gb", "vcpus",
                  "price", "price_low", "notes", "claimed", "legacy", "recommend", "may_upgrade_to", "suffixes",
                  "verified_count", "legacy_aliases", "ambiguous_aliases", "sized", "fixed_count", "written",
                  "regions", "region_prices", "region_spot", "may_be", "restricted")
PRICE_KEYS = ("per_hour", "per_second", "as_of", "basis", "source", "note")
CLAIMABLE = ("vram_gb", "bandwidth_gb_s", "nvenc", "nvdec", "av1_encode", "arch")

DEFAULT_SYNTAX = {
    "code": '"{name}"', "counted": None, "list": "[{items}]", "config": "gpu={value}",
    "config_count": "gpu={value}, gpu_count={count}", "snippet": "{config}", "config_cpu": None,
    "host": None, "host_cpu": None, "host_memory": None,
}


def _valid_id(file: _File, path: tuple, ident: str) -> bool:
    if not ident or ident != ident.lower() or any(c.isspace() for c in ident):
        file.fail(path, f"id {ident!r} must be lowercase with no spaces")
        return False
    return True


def id_tables(file: _File, section: str, allowed: tuple[str, ...]):
    """(id, path, table) for each well-formed [section.<id>] table of a file; problems recorded."""
    tables = file.data.get(section, {})
    if not isinstance(tables, dict):
        file.fail((section,), f"must be a table of [{section}.<id>] tables")
        return
    for ident, raw in tables.items():
        path = (section, ident)
        t = _Table(file, path, raw, allowed)
        if t.ok and _valid_id(file, path, ident):
            yield ident, path, t

