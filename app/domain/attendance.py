"""Attendance rules: which way a person passes, when a read only repeats the last one, when a card
may have been copied, and how a day's first in, last out and presence follow from the scans.

Plain Python, time passed in. The service layer loads rows into these small values and stores
what comes back.
"""
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from app.domain.enums import Direction, KioskMode

DIRECTIONS = tuple(direction.value for direction in Direction)
REQUESTED_DIRECTIONS = tuple(mode.value for mode in KioskMode)  # what a scan may ask for; auto: the rules decide

POSSIBLE_COPIED_CARD = "possible_copied_card"
LATE = "late"
NEEDS_APPROVAL = "needs_approval"
NO_EXIT_RECORDED = "no_exit_recorded"
NO_ENTRY_RECORDED = "no_entry_recorded"  # an accepted "out" on a day with no "in"

# A card accepted at two sites this close in time is probably in two pockets.
OTHER_SITE_WINDOW = timedelta(hours=2)
# "In" twice at two gates with no "out" between, this close in time: the same.
DOUBLE_ENTRY_WINDOW = timedelta(minutes=10)

# Clock rules for scanned_at, the kiosk's own clock.
MAX_FUTURE = timedelta(minutes=5)
MAX_AGE = timedelta(days=7)  # an offline kiosk may catch up on a week
LIVE_LATE_AFTER = timedelta(minutes=5)  # a "live" scan this old was queued somewhere


class ClockError(ValueError):
    """scanned_at cannot be used: malformed, without an offset, too far ahead or too old."""


def parse_scanned_at(text: object) -> datetime:
    """An ISO 8601 timestamp that names its offset ("2026-11-25T07:02:11+01:00" or "...Z")."""
    if not isinstance(text, str) or not 10 <= len(text) <= 40:
        raise ClockError("scanned_at must be an ISO 8601 timestamp with a UTC offset")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClockError("scanned_at is not a valid ISO 8601 timestamp") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ClockError("scanned_at must include a UTC offset, e.g. +01:00 or Z")
    return moment


def check_clock(scanned_at: datetime, now: datetime, queued: bool) -> bool:
    """Refuse a time the kiosk cannot have seen; True when the scan counts as late.

    Queued (batch) scans are always late; a live scan is late when it is older than a few minutes.
    """
    if scanned_at - now > MAX_FUTURE:
        raise ClockError("scanned_at is more than 5 minutes in the future; check the kiosk's clock")
    if now - scanned_at > MAX_AGE:
        raise ClockError("scanned_at is more than 7 days old")
    return queued or now - scanned_at > LIVE_LATE_AFTER


def choose_direction(requested: str, kiosk_mode: str, is_present: bool) -> str:
    """A kiosk fixed to in or out decides; else the request; "auto" means in unless already on site."""
    if kiosk_mode in DIRECTIONS:
        return kiosk_mode
    if requested in DIRECTIONS:
        return requested
    return "out" if is_present else "in"


def is_repeat_read(previous_at: datetime, scanned_at: datetime, debounce_s: float) -> bool:
    """The same card at the same kiosk this close in time is one passage read twice."""
    return abs(scanned_at - previous_at) < timedelta(seconds=debounce_s)


@dataclass(frozen=True)
class PastScan:
    """An accepted scan of the same card, as the copied-card rules need it."""

    site_id: int
    kiosk_id: int | None  # None for a manual registration
    direction: str
    scanned_at: datetime


@dataclass(frozen=True)
class ScanWindow:
    """The stored scans the rules about a new scan at `at` look at: another site's accepted scans of
    the card within start..end (a card in two pockets); this site's within here_start..here_end (an
    entry at another gate with no exit between); this gate's reads of the number within
    repeat_start..repeat_end (a repeat read).

    This site's scans behind the exit nearest `at` on either side cannot change the decision either
    (that exit is between them and `at`), so the read stops there too (app/services/gate_queries.py):
    a worker who passed the gates all morning costs the scan no more than one who came once."""

    at: datetime
    start: datetime
    end: datetime
    here_start: datetime
    here_end: datetime
    repeat_start: datetime
    repeat_end: datetime


def scan_window(scanned_at: datetime, debounce: timedelta) -> ScanWindow:
    """Every rule looks either side of scanned_at: times may come out of order (offline queues)."""
    return ScanWindow(scanned_at, scanned_at - OTHER_SITE_WINDOW, scanned_at + OTHER_SITE_WINDOW,
                      scanned_at - DOUBLE_ENTRY_WINDOW, scanned_at + DOUBLE_ENTRY_WINDOW,
                      scanned_at - debounce, scanned_at + debounce)


def no_scans_window(at: datetime) -> ScanWindow:
    """For a read that needs no stored scans (a card check): every bound is `at`."""
    return ScanWindow(at, at, at, at, at, at, at)


def looks_copied(site_id: int, kiosk_id: int | None, direction: str, scanned_at: datetime,
                 others: Iterable[PastScan]) -> bool:
    """True when another accepted scan of this card suggests a second physical copy.

    Either the card was accepted at another site within two hours, or it went "in" at another
    gate within ten minutes with no "out" between. Times may come out of order (offline queues),
    so both rules look either side of scanned_at.
    """
    others = list(others)
    if any(o.site_id != site_id and abs(o.scanned_at - scanned_at) <= OTHER_SITE_WINDOW for o in others):
        return True
    if direction != "in" or kiosk_id is None:
        return False
    return any(_entry_without_exit_between(o, kiosk_id, scanned_at, others) for o in others
               if o.site_id == site_id)


def _entry_without_exit_between(other: PastScan, kiosk_id: int, scanned_at: datetime, everything) -> bool:
    if other.direction != "in" or other.kiosk_id in (None, kiosk_id):
        return False
    if abs(other.scanned_at - scanned_at) > DOUBLE_ENTRY_WINDOW:
        return False
    start, end = sorted((other.scanned_at, scanned_at))
    return not any(o.direction == "out" and o.site_id == other.site_id and start <= o.scanned_at <= end
                   for o in everything)


@dataclass(frozen=True)
class DayState:
    """One person's day on one site: the § 15 list row without its names."""

    first_in: datetime | None = None
    last_out: datetime | None = None
    last_scan_at: datetime | None = None
    is_present: bool = False
    flags: tuple[str, ...] = field(default_factory=tuple)


def apply_scan(day: DayState | None, direction: str, at: datetime, copied: bool = False) -> DayState:
    """The day after one accepted scan. A scan older than the newest one applied (an offline
    queue catching up) still moves first in / last out, but does not change who is present now."""
    day = day or DayState()
    first_in, last_out = day.first_in, day.last_out
    if direction == "in":
        first_in = at if first_in is None else min(first_in, at)
    else:
        last_out = at if last_out is None else max(last_out, at)
    newest = day.last_scan_at is None or at >= day.last_scan_at
    flags = set(day.flags)
    if copied:
        flags.add(POSSIBLE_COPIED_CARD)
    if newest and direction == "out":
        flags.discard(NO_EXIT_RECORDED)  # the exit turned up after all (a late upload)
    if first_in is None and last_out is not None:
        flags.add(NO_ENTRY_RECORDED)
    else:
        flags.discard(NO_ENTRY_RECORDED)
    return DayState(
        first_in=first_in,
        last_out=last_out,
        last_scan_at=at if newest else day.last_scan_at,
        is_present=(direction == "in") if newest else day.is_present,
        flags=tuple(sorted(flags)),
    )


def rebuild_day(scans: Iterable[tuple[str, datetime, bool]]) -> DayState | None:
    """The day from its accepted scans (direction, at, copied), e.g. after one was voided."""
    day = None
    for direction, at, copied in sorted(scans, key=lambda s: s[1]):
        day = apply_scan(day, direction, at, copied)
    return day


def close_day(day: DayState) -> DayState:
    """End of day: someone still in is taken off site and flagged for the morning report."""
    if not day.is_present:
        return day
    return replace(day, is_present=False, flags=tuple(sorted(set(day.flags) | {NO_EXIT_RECORDED})))


def closing_is_due(day_date: date, closing_time: time, now_local: datetime) -> bool:
    """A site's day closes at its closing time (local); earlier days are always due."""
    today = now_local.date()
    if day_date < today:
        return True
    return day_date == today and now_local.time().replace(tzinfo=None) >= closing_time


def active_on(active_from: date | None, active_to: date | None, day: date) -> bool:
    """Whether an engagement (or any period with open ends) covers `day`: both ends count."""
    return (active_from is None or active_from <= day) and (active_to is None or day <= active_to)


@dataclass(frozen=True)
class Engagement:
    """A person's engagement at a site, as the employer choice for a scan needs it."""

    employer_id: int
    hired_by_id: int | None
    active_from: date | None
    active_to: date | None


def employer_for_scan(engagements: Sequence[Engagement], card_employer_id: int, day: date) -> tuple[int, int | None]:
    """The § 15 employer and innleievirksomhet of a person's new day row: from the engagement here
    active that day, preferring one with the card's employer (`engagements` oldest first), else
    the employer on the card, hired by nobody."""
    active = [e for e in engagements if active_on(e.active_from, e.active_to, day)]
    same_employer = [e for e in active if e.employer_id == card_employer_id]
    chosen = (same_employer or active or [None])[0]
    if chosen is None:
        return card_employer_id, None
    return chosen.employer_id, chosen.hired_by_id
