"""[provider] and [[offering]] tables: validated per file, then merged over files.

A file whose provider id already exists extends it: its [provider] keys override, an offering
with a new name is added and one with an existing name replaces it. Every value is checked in
the file that gives it, so a problem is always that file's problem: an extra catalog with
`max_count = -1` for runpod fails itself, never runpod.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gpuadvisor.catalog.query import lookup_keys
from gpuadvisor.catalog.schema import (
    BILLING_KEYS,
    CLAIMABLE,
    DEFAULT_SYNTAX,
    HOST_UNITS,
    KINDS,
    OFFERING_KEYS,
    PRICE_KEYS,
    PROVIDER_KEYS,
    SYNTAX_KEYS,
    _File,
    _Table,
    _typename,
    _valid_id,
)
from gpuadvisor.errors import did_you_mean
from gpuadvisor.models import BILLED_PHASES, SCALING_SETTINGS, Billing, Gpu, Offering, Price, Provider, Syntax

DEFAULT_MAX_COUNT = 8


@dataclass
class RawProvider:
    """A provider's validated [provider] values and its raw offerings, merged over files."""

    id: str
    fields: dict = field(default_factory=dict)  # "name", "max_count", "syntax.code", ... -> value
    field_files: dict = field(default_factory=dict)  # same keys -> the _File that gave the value
    offerings: dict = field(default_factory=dict)  # lower(name) -> (file, index, raw)
    files: list = field(default_factory=list)


def collect_provider(file: _File, providers: dict[str, RawProvider], overrides) -> None:
    """Check this file's [provider] table and note its offerings under the provider's id."""
    head = file.data.get("provider")
    offerings = file.data.get("offering", [])
    if head is None:
        if offerings:
            file.fail(("offering",), "offerings need a [provider] table with an id in the same file")
        return
    t = _Table(file, ("provider",), head, PROVIDER_KEYS)
    if not t.ok:
        return
    pid = t.get("id", "str")
    if pid is None or not _valid_id(file, ("provider", "id"), pid):
        return
    rp = providers.setdefault(pid, RawProvider(pid))
    rp.files.append(file)
    values = (_provider_values(t) | {"syntax." + k: v for k, v in _syntax_values(file, t).items()}
              | {"billing." + k: v for k, v in _billing_values(file, t).items()})
    for k, v in values.items():
        before = rp.field_files.get(k)
        if before is not None:
            overrides.replaced("provider", pid, k, file, before.builtin, before.name)
        rp.fields[k], rp.field_files[k] = v, file
    if not isinstance(offerings, list):
        file.fail(("offering",), "must be an array of tables: write [[offering]]")
        return
    for i, raw in enumerate(offerings):
        name = raw.get("name") if isinstance(raw, dict) else None
        key = name.lower() if isinstance(name, str) else f"#{file.name}#{i}"
        if key in rp.offerings:
            first_file, first = rp.offerings[key][:2]
            if first_file is file:
                file.fail(("offering", i, "name"), f"duplicate offering name {name!r} (first at line {file.line(('offering', first))})")
                continue
            overrides.replaced("offering", f"{pid} {name}", None, file, first_file.builtin, first_file.name)
        rp.offerings[key] = (file, i, raw)


def _provider_values(t: _Table) -> dict:
    """The [provider] keys this file gives, each checked here."""
    checks: dict[str, tuple[str, dict[str, Any]]] = {"name": ("str", {}), "docs_url": ("str", {}), "as_of": ("str", {}),
              "max_count": ("int", {"positive": True}), "count_note": ("str", {}), "notes": ("strlist", {}),
              "list_note": ("str", {}), "verified_count": ("int", {"positive": True}), "lists": ("bool", {})}
    out = {}
    for key, (kind, opts) in checks.items():
        if key in t.data:
            v = t.get(key, kind, None, **opts)
            if v is not None:
                out[key] = tuple(v) if kind == "strlist" else v
    return out


def _syntax_values(file: _File, t: _Table) -> dict:
    """The [provider.syntax] templates this file gives, each checked against what its call site
    passes (gpuadvisor.apps.write.syntax.check_template): a bad one is a problem with file and line."""
    from gpuadvisor.apps.write.syntax import check_template

    st = t.table("syntax", SYNTAX_KEYS)
    if st is None or not st.ok:
        return {}
    out = {}
    for key, v in st.data.items():
        if key not in SYNTAX_KEYS:
            continue  # reported by _Table
        where = ("provider", "syntax", key)
        if key == "code":
            if isinstance(v, str):
                v = {k: v for k in KINDS}
            if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
                file.fail(where, "must be a string or a table of strings per kind")
                continue
            for k in v:
                if k not in KINDS:
                    file.fail(where + (k,), f"is not a kind; use {', '.join(KINDS)}")
            v = {k: v.get(k, DEFAULT_SYNTAX["code"]) for k in KINDS}
            templates = list(v.values())
        elif not isinstance(v, str):
            file.fail(where, f"must be a string, not {_typename(v)}")
            continue
        elif key in HOST_UNITS:  # how the provider writes a host's size: a unit, not a template
            if v not in HOST_UNITS[key]:
                file.fail(where, f"must be one of {', '.join(HOST_UNITS[key])}, not {v!r}")
            else:
                out[key] = v
            continue
        else:
            templates = [v]
        bad = next((why for s in templates if (why := check_template(key, s))), None)
        if bad:
            file.fail(where, bad)
            continue
        # the host template keeps its leading newline: it is what joins it to the config
        out[key] = (v.rstrip("\n") if key == "host" else v.strip("\n")) if isinstance(v, str) else v
    return out


def _billing_values(file: _File, t: _Table) -> dict:
    """The [provider.billing] keys this file gives, each checked here. A billing table says when
    (as_of) and where from (sources) in every file that gives one."""
    bt = t.table("billing", BILLING_KEYS)
    if bt is None or not bt.ok:
        return {}
    where = ("provider", "billing")
    before = len(file.problems)
    out: dict = {"as_of": bt.get("as_of", "str"), "sources": bt.get("sources", "strlist")}
    if out["as_of"] is not None and not _is_date(out["as_of"]):
        file.fail(where + ("as_of",), f"must be a date YYYY-MM-DD, not {out['as_of']!r}")
    if out["sources"] is not None and not out["sources"]:
        file.fail(where + ("sources",), "must list at least one source")
    for key in ("granularity_s", "minimum_s", "idle_timeout_s", "host_vcpu_hour", "host_memory_gb_hour",
                "host_low_vcpu_hour", "host_low_memory_gb_hour"):
        out[key] = bt.get(key, "num", None, nonneg=True)
    out["concurrency"] = bt.get("concurrency", "int", None, positive=True)
    for key in ("min_workers", "max_workers"):
        out[key] = bt.get(key, "int", None, nonneg=True)
    for key in ("states", "always_on_basis"):
        out[key] = bt.get(key, "str", None)
    out["notes"] = bt.get("notes", "strlist", None)
    billed = bt.get("billed", "strlist", None)
    if billed is not None:
        for phase in billed:
            if phase not in BILLED_PHASES:
                file.fail(where + ("billed",), f"{phase!r} is not a phase; use {', '.join(BILLED_PHASES)}")
        if "busy" not in billed:
            file.fail(where + ("billed",), "must include \"busy\": every provider bills the time a request runs")
        out["billed"] = billed
    for key in ("idle_timeout_range_s", "cold_start_s"):
        pair = bt.get(key, "list", None)
        if pair is None:
            continue
        if (len(pair) != 2 or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in pair)
                or not 0 <= pair[0] <= pair[1] or pair[1] == float("inf")):
            file.fail(where + (key,), "must be [low, high] seconds with 0 <= low <= high")
            continue
        out[key] = (float(pair[0]), float(pair[1]))
    low_high = out.get("idle_timeout_range_s")
    if low_high and out["idle_timeout_s"] is not None and not low_high[0] <= out["idle_timeout_s"] <= low_high[1]:
        file.fail(where + ("idle_timeout_s",), f"is outside idle_timeout_range_s {list(low_high)}")
    settings = bt.get("settings", "table", None)
    if settings is not None:
        for k, v in settings.items():
            if k not in SCALING_SETTINGS:
                file.fail(where + ("settings", k), f"is not a setting; use {', '.join(SCALING_SETTINGS)}")
            elif not isinstance(v, str) or not v.strip():
                file.fail(where + ("settings", k), "must be the provider's name for the setting (a string)")
        out["settings"] = tuple((k, v) for k, v in settings.items() if k in SCALING_SETTINGS and isinstance(v, str))
    if len(file.problems) > before:
        return {}
    return {k: tuple(v) if isinstance(v, list) else v for k, v in out.items() if v is not None}


def build_provider(rp: RawProvider, gpus: dict[str, Gpu], order: dict) -> tuple[Provider, list[Offering]]:
    """The merged provider and its offerings. Two offerings that share a spelling are a problem of
    the later-loaded file (`order`: file -> load position), whichever was added first."""
    f = rp.fields
    syntax: dict[str, Any] = {k: f.get("syntax." + k, v) for k, v in DEFAULT_SYNTAX.items()}
    if isinstance(syntax["code"], str):
        syntax["code"] = {k: syntax["code"] for k in KINDS}
    origin = tuple((k, ff.name) for k, ff in rp.field_files.items() if not ff.builtin)
    provider = Provider(
        id=rp.id, name=f.get("name", rp.id), docs_url=f.get("docs_url"), as_of=f.get("as_of"),
        max_count=f.get("max_count", DEFAULT_MAX_COUNT), count_note=f.get("count_note", ""), notes=f.get("notes", ()),
        syntax=Syntax(**syntax), files=tuple(x.name for x in rp.files), origin=origin,
        list_note=f.get("list_note", ""), verified_count=f.get("verified_count"), lists=f.get("lists", True),
        billing=_billing(f),
    )
    count_from = rp.field_files.get("max_count")
    offerings = []
    seen: dict[str, tuple[_File, int, str]] = {}
    for file, i, raw in rp.offerings.values():
        off = _build_offering(file, i, raw, provider, gpus, count_from)
        if off is None:
            continue
        for key in lookup_keys(off, provider):
            k = key.lower()
            if k in seen and seen[k][2] != off.name:
                other_file, other_i, other_name = seen[k]
                mine = (file, i, off.name)
                later, earlier = (mine, seen[k]) if order[file] >= order[other_file] else (seen[k], mine)
                later[0].fail(("offering", later[1], "name"),
                              f"{key!r} of offering {later[2]!r} duplicates {earlier[2]!r} "
                              f"({earlier[0].name}:{earlier[0].line(('offering', earlier[1]))})")
            seen.setdefault(k, (file, i, off.name))
        offerings.append(off)
    return provider, offerings


def _billing(f: dict) -> Billing | None:
    vals = {k[len("billing."):]: v for k, v in f.items() if k.startswith("billing.")}
    if "as_of" not in vals or "sources" not in vals:
        return None
    return Billing(**vals)


def _build_offering(file: _File, i: int, raw: Any, provider: Provider, gpus: dict[str, Gpu],
                    count_from: _File | None) -> Offering | None:
    path = ("offering", i)
    t = _Table(file, path, raw, OFFERING_KEYS)
    if not t.ok:
        return None
    before = len(file.problems)
    name = t.get("name", "str")
    kind = t.get("kind", "str", "gpu", choices=KINDS)
    members: list[Gpu] = []

    def gpu_ref(gid: str, where: tuple) -> Gpu | None:
        if gid in gpus:
            return gpus[gid]
        file.fail(where, f"unknown GPU id {gid!r}" + did_you_mean(gid, list(gpus), n=1))
        return None

    if kind == "gpu":
        gid = t.get("gpu", "str")
        if gid is not None:
            g = gpu_ref(gid, path + ("gpu",))
            members = [g] if g else []
        if "members" in t.data:
            file.fail(path + ("members",), "only a pool has members; add kind = \"pool\"")
    elif kind == "pool":
        ids = t.get("members", "strlist")
        if ids is not None and not ids:
            file.fail(path + ("members",), "a pool needs at least one member")
        for gid in ids or []:
            g = gpu_ref(gid, path + ("members",))
            if g:
                members.append(g)
        if "gpu" in t.data:
            file.fail(path + ("gpu",), "a pool lists its GPUs in members, not gpu")
    elif kind == "cpu":
        for key in ("gpu", "members"):
            if key in t.data:
                file.fail(path + (key,), "a CPU machine type has no GPU")
    max_count = t.get("max_count", "int", provider.max_count if kind != "cpu" else 0, nonneg=kind == "cpu", positive=kind != "cpu")
    fixed = t.get("fixed_count", "int", None, positive=True)
    if fixed is not None:
        if kind != "gpu":
            file.fail(path + ("fixed_count",), "only a GPU type has a fixed count")
        elif "max_count" in t.data:
            file.fail(path + ("max_count",), "a fixed-count offering has no max_count: fixed_count is the only count")
        else:
            max_count = fixed
    written = t.get("written", "str", None)
    regions, region_prices, region_spot = _regions(file, t, path)
    ram_gb = t.get("ram_gb", "num", None, positive=True)
    vcpus = t.get("vcpus", "num", None, positive=True)
    aliases = t.get("aliases", "strlist", [])
    notes = t.get("notes", "strlist", [])
    legacy = t.get("legacy", "bool", False)
    recommend = t.get("recommend", "bool", True)
    verified = t.get("verified_count", "int", provider.verified_count, positive=True)
    legacy_aliases = t.get("legacy_aliases", "strlist", []) or []
    ambiguous_aliases = t.get("ambiguous_aliases", "strlist", []) or []
    sized = bool(t.get("sized", "bool", False))
    if sized and kind != "cpu":
        file.fail(path + ("sized",), "only a CPU machine type is sized by the user")
    for key, names in (("legacy_aliases", legacy_aliases), ("ambiguous_aliases", ambiguous_aliases)):
        for a in names:
            if a not in (aliases or []):
                file.fail(path + (key,), f"{a!r} is not one of this offering's aliases")
    upgrades = t.get("may_upgrade_to", "strlist", [])
    for gid in upgrades or []:
        gpu_ref(gid, path + ("may_upgrade_to",))
    may_be = t.get("may_be", "strlist", []) or []
    for gid in may_be:
        gpu_ref(gid, path + ("may_be",))
    if may_be and kind != "gpu":
        file.fail(path + ("may_be",), "only a GPU type may be one of several parts; a pool lists its members")
    restricted = t.get("restricted", "str", "") or ""
    suffixes = t.get("suffixes", "table", {})
    for s, meaning in (suffixes or {}).items():
        if len(s) != 1 or s.isalnum() or not isinstance(meaning, str):
            file.fail(path + ("suffixes", s), "a suffix is one non-alphanumeric character mapped to a description")
    claimed = t.get("claimed", "table", {})
    for k in claimed or {}:
        if k not in CLAIMABLE:
            file.fail(path + ("claimed", k), f"claimed values are for {', '.join(CLAIMABLE)}")
    price = _price(file, t, path, "price", "list")
    price_low = _price(file, t, path, "price_low", "as low as")
    if price_low is not None and price is not None and price_low.per_hour > price.per_hour:
        file.fail(path + ("price_low", "per_hour"), f"is above the on-demand price ({price.per_hour:g}); "
                  "price_low is a discounted or committed figure")
    if len(file.problems) > before or name is None:
        return None
    hw = _weakest(members) if members else None
    origin = []  # which values of this row come from a file that is not built in
    if not file.builtin:
        origin.append(("offering", file.name))
    for g in members:
        if g.origin:
            origin.append(("gpu" if kind == "gpu" else f"gpu {g.id}", g.origin))
    if "max_count" not in t.data and kind != "cpu" and count_from is not None and not count_from.builtin:
        origin.append(("max_count", count_from.name))
    return Offering(
        provider=provider.id, name=name, kind=kind, gpus=tuple(members), max_count=max_count,
        aliases=tuple(aliases), ram_gb=ram_gb, vcpus=vcpus, price=price, price_low=price_low, notes=tuple(notes),
        claimed=tuple((claimed or {}).items()), legacy=legacy, recommend=recommend,
        may_upgrade_to=tuple(upgrades), suffixes=tuple((suffixes or {}).items()),
        file=file.name, hw=hw, origin=tuple(origin), verified_count=verified, legacy_aliases=tuple(legacy_aliases),
        ambiguous_aliases=tuple(ambiguous_aliases), sized=sized, fixed_count=fixed, written=written,
        regions=regions, region_prices=region_prices, region_spot=region_spot, may_be=tuple(may_be),
        restricted=restricted,
    )


def _price(file: _File, t: _Table, path: tuple, key: str, default_basis: str) -> Price | None:
    """A dated price table (`price` on-demand, `price_low` a discounted or committed figure)."""
    pt = t.table(key, PRICE_KEYS)
    if pt is None or not pt.ok:
        return None
    vals = (pt.get("per_hour", "num", positive=True), pt.get("as_of", "str"), pt.get("source", "str"))
    if None in vals:
        return None
    as_of = vals[1]
    if not _is_date(as_of):
        file.fail(path + (key, "as_of"), f"must be a date YYYY-MM-DD, not {as_of!r}")
    return Price(per_hour=vals[0], as_of=as_of, source=vals[2], basis=pt.get("basis", "str", default_basis),
                 per_second=pt.get("per_second", "num", None, positive=True), note=pt.get("note", "str", ""))


def _regions(file: _File, t: _Table, path: tuple) -> tuple[tuple, tuple, tuple]:
    """`regions` (where it runs) and the per-region prices that differ from `price` / `price_low`
    (`region_prices`, `region_spot`: region -> USD per GPU-hour); a priced region must be listed."""
    regions = t.get("regions", "strlist", []) or []
    for r in regions:
        if not r.strip():
            file.fail(path + ("regions",), "a region name must not be empty")
    tables = []
    for key in ("region_prices", "region_spot"):
        table = t.get(key, "table", {}) or {}
        out = []
        for region, v in table.items():
            if region not in regions:
                file.fail(path + (key, region), f"{region!r} is not in this offering's regions")
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or v == float("inf"):
                file.fail(path + (key, region), f"must be a positive number of USD per hour, not {v!r}")
            else:
                out.append((region, float(v)))
        tables.append(tuple(out))
    return tuple(regions), tables[0], tables[1]


def _weakest(gpus: list[Gpu]) -> Gpu:
    """What a pool guarantees: its member with the least VRAM, then bandwidth, then compute."""
    return min(gpus, key=lambda g: (g.vram_gb, g.bandwidth_gb_s, g.fp16_tflops))


def _is_date(s: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", s))
