"""The one clock: this moment in UTC, and the sites' calendar day in the configured zone.

The edges (views, CLI commands, the kiosk API, background duties) read the time here once and pass
`now`, `today` or the zone on to services; `app/domain/` never reads the clock, it takes both as
arguments. PORTVAKT_TZ is read here and nowhere else (validated once at start, app/config.py).
"""
from datetime import date, datetime, time, timezone

from flask import current_app

from app.domain import localtime


def utcnow() -> datetime:
    """This moment, timezone-aware UTC: how every timestamp is stored."""
    return datetime.now(timezone.utc)


def site_zone() -> str:
    """The sites' time-zone name (PORTVAKT_TZ, e.g. Europe/Oslo)."""
    return current_app.config["PORTVAKT_TZ"]


def local_day(moment: datetime) -> date:
    """The sites' calendar date at a timezone-aware `moment` (a stored timestamp's day)."""
    return localtime.local_date(moment, site_zone())


def site_today(now: datetime | None = None) -> date:
    """Which day it is on the sites: the calendar date at `now` (this moment if not given)."""
    return local_day(now or utcnow())


def to_site_time(moment: datetime) -> datetime:
    """`moment` on the sites' wall clock."""
    return localtime.to_local(moment, site_zone())


def local_moment(day: date, clock: time) -> datetime:
    """`day` at the sites' wall-clock time `clock`, as UTC."""
    return localtime.local_moment(day, clock, site_zone())


def day_start(day: date) -> datetime:
    """The UTC moment the sites' calendar day `day` begins."""
    return localtime.day_start(day, site_zone())
