"""How old a price is, and the one line that says so under an answer.

A price's age is counted from its `as_of` date to *today*. Today is the system date unless
GPUADVISOR_TODAY=YYYY-MM-DD says otherwise (tests, reproducible examples), and a price older than
the limit (default 120 days; GPUADVISOR_MAX_PRICE_AGE or `--max-price-age DAYS`) is stale.
Kept apart from pricing so the views, `catalog info` and `catalog refresh` count days the same way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date

TODAY_ENV = "GPUADVISOR_TODAY"
MAX_AGE_ENV = "GPUADVISOR_MAX_PRICE_AGE"
DEFAULT_MAX_AGE = 120
REFRESH_COMMAND = "gpuadvisor catalog refresh"

_max_age: list[int | None] = [None]  # set by --max-price-age for this process


_today: list = [None, None]  # (GPUADVISOR_TODAY as read, the date): every price of a 10,000-row list asks


def today() -> date:
    """The date prices are aged against: GPUADVISOR_TODAY when set (a bad value is one clear error)."""
    text = os.environ.get(TODAY_ENV, "").strip()
    if text and _today[0] == text:
        return _today[1]
    if not text:
        return date.today()
    try:
        _today[:] = [text, date.fromisoformat(text)]
        return _today[1]
    except ValueError:
        from gpuadvisor.errors import UsageError

        raise UsageError(f"{TODAY_ENV}={text!r} is not a date: write YYYY-MM-DD, e.g. 2026-12-04") from None


def _days(text: str, what: str) -> int:
    from gpuadvisor.errors import UsageError

    try:
        days = int(text)
    except ValueError:
        raise UsageError(f"{what} {text!r} is not a whole number of days, e.g. 120") from None
    if days < 0:
        raise UsageError(f"{what} {days} is negative: give a number of days, e.g. 120")
    return days


def set_max_age(days: int | None) -> None:
    """--max-price-age for this process (None: the environment's, else the default)."""
    if days is not None and days < 0:
        from gpuadvisor.errors import UsageError

        raise UsageError(f"--max-price-age {days} is negative: give a number of days, e.g. 120")
    _max_age[0] = days


def max_age() -> int:
    if _max_age[0] is not None:
        return _max_age[0]
    text = os.environ.get(MAX_AGE_ENV, "").strip()
    return _days(text, MAX_AGE_ENV) if text else DEFAULT_MAX_AGE


def age_days(as_of: str | None, on: date | None = None) -> int | None:
    """Days from `as_of` (YYYY-MM-DD) to today; None for a missing or unreadable date."""
    if not as_of:
        return None
    try:
        return ((on or today()) - date.fromisoformat(as_of[:10])).days
    except ValueError:
        return None


def dated(as_of: str | None, on: date | None = None, limit: int | None = None) -> dict:
    """The JSON fields every shown price carries: as_of, age_days, stale."""
    age = age_days(as_of, on)
    return {"as_of": as_of or None, "age_days": age,
            "stale": None if age is None else age > (max_age() if limit is None else limit)}


def stale_line(dates: Sequence[tuple[str, str | None]], on: date | None = None, limit: int | None = None,
               refreshable: set[str] | None = None) -> str | None:
    """One line for the prices behind an answer that are older than the limit, or None.
    `dates` are (provider, as_of) pairs; each provider is named once with its oldest stale price.
    The refresh command names the providers in `refreshable` (all when None); the others are edited by hand."""
    limit = max_age() if limit is None else limit
    oldest: dict[str, tuple[int, str]] = {}
    for provider, as_of in dates:
        age = age_days(as_of, on)
        # an age means as_of is set: the check only narrows it
        if age is not None and as_of is not None and age > limit and (provider not in oldest or age > oldest[provider][0]):
            oldest[provider] = (age, as_of)
    if not oldest:
        return None
    order = sorted(oldest, key=lambda p: (-oldest[p][0], p))
    named = ", ".join(f"{p} {oldest[p][0]} days (as of {oldest[p][1][:10]})" for p in order)
    can = [p for p in order if refreshable is None or p in refreshable]
    cannot = [p for p in order if p not in can]
    how = [f"refresh with `{REFRESH_COMMAND} {' '.join(can)}`"] if can else []
    how += [f"{', '.join(cannot)} {'has' if len(cannot) == 1 else 'have'} no price source to refresh from (edit by hand)"] if cannot else []
    return f"warning: prices older than {limit} days behind this answer: {named}; {'; '.join(how)}"
