"""When a manual registration happened: a day and a clock time typed at the site office, checked
against the site's clock (not in the future, at most a week back, like a kiosk's queued scans)."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from app.domain.attendance import MAX_AGE


class ManualTimeError(ValueError):
    """A day or time the registration cannot have; `field` names the form field, `code` what is wrong."""

    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


def day_open_for_manual(day: date, today: date) -> bool:
    """Whether the office may still register a passage by hand on `day`: today or at most a week back."""
    return 0 <= (today - day).days <= MAX_AGE.days


def manual_moment(day: date | None, clock: time | None, now: datetime, tz_name: str) -> datetime:
    """The moment (UTC) of a passage on `day` at `clock`, site time. No day means today; no time
    means now, and only today has a "now". Raises ManualTimeError (field "day" or "time")."""
    tz = ZoneInfo(tz_name)
    today = now.astimezone(tz).date()
    day = day or today
    if not day_open_for_manual(day, today):
        raise ManualTimeError("day", "future" if day > today else "too_old")
    if clock is None:
        if day != today:
            raise ManualTimeError("time", "required")
        return now
    moment = datetime.combine(day, clock.replace(second=0, microsecond=0), tz).astimezone(timezone.utc)
    if moment > now:
        raise ManualTimeError("time", "future")
    if now - moment > MAX_AGE:
        raise ManualTimeError("time", "too_old")
    return moment
