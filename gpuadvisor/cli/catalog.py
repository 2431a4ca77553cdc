"""`gpuadvisor catalog …`: info, validate, paths, import (SkyPilot, gpuhunt CSV) and update (download)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from gpuadvisor.cli.common import PROG, JsonOpt, _catalog, _Command, _emit, _progress, _user_path, catalog_app


@catalog_app.command("info", cls=_Command)
def catalog_info_cmd(as_json: JsonOpt = False):
    """Show each provider catalog's sources, as-of date and price source, and warn about old prices.

    Prices older than 120 days (--max-price-age, GPUADVISOR_MAX_PRICE_AGE) are counted as stale;
    `gpuadvisor catalog refresh` fetches current ones where a provider publishes them.

    **Examples**

    * `gpuadvisor catalog info`
    * `gpuadvisor catalog info --json`
    """
    from gpuadvisor.catalog import builtin_only, catalog_info
    from gpuadvisor.catalog.refresh import price_sources
    from gpuadvisor.freshness import max_age, today
    from gpuadvisor.views.catalog import info_view

    limit, info_today = max_age(), today()
    info = catalog_info(_catalog(), info_today, limit)
    sources = price_sources(read_overlay=not builtin_only())
    from gpuadvisor.freshness import age_days

    for p in info["providers"]:
        p["price_source"] = sources.get(p["id"])
        p["oldest_price_age_days"] = age_days(p["oldest_price"], info_today)
        if p["stale_prices"]:
            how = (f"run `gpuadvisor catalog refresh {p['id']}`" if (p["price_source"] or {}).get("url")
                   else f"check {p['docs_url'] or 'the provider'}")
            sys.stderr.write(f"{PROG}: warning: {p['stale_prices']} {p['id']} price(s) are older than {limit} days "
                             f"(oldest {p['oldest_price']}); {how} before relying on them\n")
    _emit(info_view(info), as_json)
    return 0


@catalog_app.command("validate", cls=_Command)
def catalog_validate(
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="[PATH]...", help="Files or directories (default: every catalog directory).")] = None,
    as_json: JsonOpt = False,
):
    """Check catalog files; exit 2 if any has a problem, each named by file, line and key.

    **Examples**

    * `gpuadvisor catalog validate`
    * `gpuadvisor catalog validate ~/.config/gpuadvisor/catalogs/acme.toml`
    """
    from gpuadvisor.catalog import builtin_dir, extra_dirs, validate_paths
    from gpuadvisor.views.catalog import validate_view

    targets = [_user_path(p, "PATH") for p in paths] if paths else [builtin_dir()] + [d for _, d in extra_dirs() if d.exists()]
    reports = validate_paths(targets)
    _emit(validate_view(reports), as_json)
    bad = [r for r in reports if r.problems]
    if bad:
        sys.stderr.write(f"{PROG}: error: {len(bad)} catalog file(s) have problems; first: {bad[0].problems[0]}\n")
        return 2
    return 0


@catalog_app.command("paths", cls=_Command)
def catalog_paths(as_json: JsonOpt = False):
    """Show where catalogs are read from, in load order, and which files loaded.

    **Examples**

    * `gpuadvisor catalog paths`
    * `gpuadvisor --builtin-only catalog paths`
    """
    from gpuadvisor.catalog import builtin_dir, builtin_only, extra_dirs
    from gpuadvisor.fsread import display_path
    from gpuadvisor.views.catalog import paths_view

    cat = _catalog()
    extra = [(o, display_path(d), d.is_dir()) for o, d in extra_dirs()]
    _emit(paths_view(cat, display_path(builtin_dir()), extra, builtin_only()), as_json)
    return 0


@catalog_app.command("import", cls=_Command)
def catalog_import_cmd(
    fmt: Annotated[str, typer.Argument(help="skypilot (a vms.csv) or gpuhunt (a PROVIDER.csv).", show_default=False, metavar="FORMAT")],
    csv_path: Annotated[Optional[Path], typer.Argument(help="The CSV file (or give --from-url).", show_default=False, metavar="[CSV]")] = None,
    provider_id: Annotated[Optional[str], typer.Option("--id", help="Provider id for the new catalog (default: the cloud name).")] = None,
    cloud: Annotated[Optional[str], typer.Option("--cloud", help="The cloud's name as SkyPilot/dstack write it in snippets "
                                                 "(default: the CSV's directory for vms.csv, else the file name).")] = None,
    from_url: Annotated[Optional[str], typer.Option("--from-url", help="Download the CSV over HTTPS instead of reading a file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing catalog file of the same id.")] = False,
    as_json: JsonOpt = False,
):
    """Turn a SkyPilot or gpuhunt catalog CSV into a provider TOML in the user catalog directory.

    Accelerator names map to canonical GPU ids; unmapped names are counted and listed, never guessed.

    **Examples**

    * `gpuadvisor catalog import skypilot ~/.sky/catalogs/v8/lambda/vms.csv`
    * `gpuadvisor catalog import gpuhunt runpod.csv --id runpod-pods`
    """
    from datetime import date

    from gpuadvisor.catalog import user_dir
    from gpuadvisor.catalog.importers import import_csv, install
    from gpuadvisor.catalog.importers.common import MAX_CSV_BYTES
    from gpuadvisor.errors import UsageError
    from gpuadvisor.views.catalog import import_view

    if (csv_path is None) == (from_url is None):
        raise UsageError("give a CSV file or --from-url URL (one of them)")
    if from_url:
        from gpuadvisor.catalog.update import fetch

        text = fetch(from_url, MAX_CSV_BYTES)  # bytes: decoded as the rows stream
        from urllib.parse import urlsplit

        source, stem = from_url, ["", *urlsplit(from_url).path.rstrip("/").split("/")][-2:]
    else:
        from gpuadvisor.fsread import display_path, read_capped

        assert csv_path is not None, "checked above: a file or --from-url"
        text = read_capped(csv_path, MAX_CSV_BYTES, "CSV file")  # size checked before reading; decoded as rows stream
        source, stem = display_path(csv_path), [csv_path.absolute().parent.name, csv_path.name]  # `vms.csv` in its cloud's directory
    from gpuadvisor.catalog.importers.common import check_cloud, check_provider_id

    name = stem[-1].rsplit(".", 1)[0]
    derived = stem[-2] if name == "vms" else name
    if not cloud and not derived:
        raise UsageError(f"cannot tell the cloud from {source!r}: give --cloud NAME (as SkyPilot or dstack writes it, e.g. lambda)")
    cloud = check_cloud(cloud, given=True) if cloud else check_cloud(derived, given=False)
    pid = check_provider_id(provider_id) if provider_id else check_provider_id(cloud.lower(), derived=True)
    directory = user_dir()
    if directory is None:
        raise UsageError("no home directory: set XDG_CONFIG_HOME to choose where catalogs go")
    imp = import_csv(fmt.strip().lower(), text, source=source, provider_id=pid, cloud=cloud, as_of=date.today().isoformat())
    _emit(import_view(install(imp, directory, force)), as_json)
    return 0


@catalog_app.command("update", cls=_Command)
def catalog_update_cmd(
    urls: Annotated[Optional[list[str]], typer.Argument(metavar="[URL]...", help="HTTPS URLs of .toml files or a .tar.gz of them "
                                                        "(default: $GPUADVISOR_CATALOG_URL).", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Download and validate, print what would change, write nothing.")] = False,
    as_json: JsonOpt = False,
):
    """Download catalog files, validate them with the catalogs in use, and install them.

    Files go into the user catalog directory. On any failure (network, size cap, bad TOML,
    validation) nothing changes.

    **Examples**

    * `gpuadvisor catalog update https://example.org/gpuadvisor-catalogs.tar.gz --dry-run`
    * `GPUADVISOR_CATALOG_URL=https://example.org/acme.toml gpuadvisor catalog update`
    """
    from gpuadvisor.catalog import user_dir
    from gpuadvisor.catalog.update import default_urls, fetch, install, plan, unpack
    from gpuadvisor.errors import UsageError
    from gpuadvisor.views.catalog import update_view

    directory = user_dir()
    if directory is None:
        raise UsageError("no home directory: set XDG_CONFIG_HOME to choose where catalogs go")
    files: dict[str, bytes] = {}
    for url in urls or default_urls():
        with _progress(f"downloading {url.rsplit('/', 1)[-1][:40]}", threshold=0) as tick:
            body = fetch(url, progress=tick)
        for name, data in unpack(url, body).items():
            if name in files:
                raise UsageError(f"{name} comes from two URLs; nothing changed")
            files[name] = data
    p = plan(files, directory)
    if not dry_run:
        install(p)
        from gpuadvisor import catalog as catalog_mod

        catalog_mod._CACHE.clear()
    _emit(update_view(p, dry_run), as_json)
    return 0


@catalog_app.command("refresh", cls=_Command)
def catalog_refresh_cmd(
    providers: Annotated[Optional[list[str]], typer.Argument(metavar="[PROVIDER]...", help="Providers to refresh "
                                                             "(or --all).", show_default=False)] = None,
    every: Annotated[bool, typer.Option("--all", help="Every provider with a price source.")] = False,
    url: Annotated[Optional[str], typer.Option("--url", help="Read the one named provider's source from this URL "
                                               "instead (a mirror; https, or http to a loopback host).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Download and compare; print the diff, write nothing.")] = False,
    accept: Annotated[bool, typer.Option("--accept-changes", help="Also write changes beyond ±60% and drop prices "
                                         "the source no longer lists (held back otherwise).")] = False,
    as_json: JsonOpt = False,
):
    """Fetch providers' current prices from their own published sources into a dated price overlay.

    The overlay (user catalog directory, prices/<provider>.toml) takes precedence over the
    built-in prices, which are never edited; --builtin-only ignores it. A download or parse
    failure writes nothing and keeps every price as it was (exit 1).

    **Examples**

    * `gpuadvisor catalog refresh runpod --dry-run`
    * `gpuadvisor catalog refresh --all`
    * `gpuadvisor catalog refresh modal --url https://mirror.example/modal-plans-pricing.yml`
    """
    from gpuadvisor.catalog import builtin_only
    from gpuadvisor.catalog.refresh import overlay
    from gpuadvisor.catalog.refresh.run import MAX_SOURCE_BYTES, Result, choose, refresh, write
    from gpuadvisor.catalog.update import fetch
    from gpuadvisor.errors import NetworkError, UsageError
    from gpuadvisor.freshness import today
    from gpuadvisor.views.catalog import refresh_view

    directory = overlay.directory()
    if directory is None:
        raise UsageError("no home directory: set XDG_CONFIG_HOME to choose where the price overlay goes")
    cat = _catalog()
    modules, skipped = choose(cat, list(providers or []), every, url)
    if not modules:
        from gpuadvisor.errors import NoMatch

        raise NoMatch("; ".join(f"{p}: {why}" for p, why in skipped) or "nothing to refresh")

    def download(u: str) -> bytes:
        with _progress(f"downloading {u.rsplit('/', 1)[-1][:40]}", threshold=0) as tick:
            try:
                return fetch(u, MAX_SOURCE_BYTES, progress=tick)
            except NetworkError as e:
                raise NetworkError(f"{e}; the prices in use are kept") from None
            except UsageError as e:
                if url:  # the user's --url: bad input (exit 2)
                    raise
                # the built-in source answered 4xx: it moved or is gone, a source failure (exit 1)
                raise NetworkError(f"{e}; the price source may have moved: report it, or give --url") from None

    previous = {} if builtin_only() else overlay.read_all(directory)
    result = Result(refresh(cat, modules, today(), download, url, accept, previous), skipped, directory, dry_run=dry_run)
    if not dry_run:
        result.written = write(result.plans, directory)
        from gpuadvisor import catalog as catalog_mod

        catalog_mod._OVERLAID.clear()
    held = sum(len(p.held) for p in result.plans)
    if held:
        sys.stderr.write(f"{PROG}: warning: {held} price change(s) held back (beyond ±60% or no longer listed); "
                         "check them against the provider's page, then rerun with --accept-changes\n")
    _emit(refresh_view(result), as_json)
    return 0
