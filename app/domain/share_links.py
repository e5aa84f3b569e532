"""Which days a share link may show, and how long it works: one rule for the link's pages and its service."""
from datetime import date, datetime, timedelta

from app.domain.localtime import day_start

MAX_LIFETIME = timedelta(days=90)
MAX_RANGE_DAYS = 366


def expiry(today: date, valid_days: int, tz_name: str) -> datetime:
    """A link "for N days" works to the end of the site's local day N-1 after today (UTC)."""
    return day_start(today + timedelta(days=valid_days), tz_name)


def request_refused(date_from: date, date_to: date, expires_at: datetime, now: datetime) -> str | None:
    """Why a share link over [date_from, date_to] expiring at `expires_at` cannot be made, or None."""
    if date_from.year < 2000 or date_to > now.date() + timedelta(days=MAX_RANGE_DAYS):
        return "date_out_of_range"  # a typo (0202 for 2026), not a real request
    if date_from > date_to:
        return "date_range_reversed"
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        return "date_range_too_long"
    if expires_at <= now:
        return "expiry_in_past"
    if expires_at - now > MAX_LIFETIME:
        return "expiry_too_far"
    return None


def covers(date_from: date, date_to: date, day: date) -> bool:
    """A link shows the days of its range and no other."""
    return date_from <= day <= date_to


def days_shown(date_from: date, date_to: date, today: date) -> list[date]:
    """The days a link's page lists, newest first, never past today."""
    last = min(date_to, today)
    return [last - timedelta(days=n) for n in range((last - date_from).days + 1)]


def period_shown(date_from: date, date_to: date, today: date) -> tuple[date, date] | None:
    """The period report a link gives: its range up to today; None while its first day is still to come."""
    last = min(date_to, today)
    return (date_from, last) if date_from <= last else None
