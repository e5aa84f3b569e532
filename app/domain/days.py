"""The days a page or list can be about: a typed or probed date outside them is clamped or refused.

Without a bound, `?day=0001-01-01` overflowed the date maths behind "previous day" (a 500), and the
web and the command line disagreed about 9999-12-31. One rule for both.
"""
from datetime import date

# No list is older than Portvakt's first site, none is planned beyond this century.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def sane_day(text: str | None) -> date | None:
    """An ISO date a list can be about, or None for a typo, a probe or a day out of range."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def site_days(start_date: date | None, created_on: date, today: date) -> tuple[date, date]:
    """The first and last day a site's pages show: from its start (or its creation, if that came
    first, so that trial scans before the start stay visible) or EARLIEST_DAY, to today."""
    first = min(start_date, created_on) if start_date else EARLIEST_DAY
    first = min(max(first, EARLIEST_DAY), today)
    return first, max(first, today)


def clamp_day(day: date, first: date, last: date) -> date:
    """The nearest day within [first, last]."""
    return min(max(day, first), last)


def can_check_day(day: date, today: date) -> bool:
    """A day that has not begun cannot be checked: its list is not yet a record of anything."""
    return day <= today
