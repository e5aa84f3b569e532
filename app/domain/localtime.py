"""A site's "day" is its local calendar date; timestamps are stored in UTC."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar date at `moment` (timezone-aware) in the zone `tz_name`."""
    if moment.tzinfo is None:
        raise ValueError("local_date needs a timezone-aware datetime")
    return moment.astimezone(ZoneInfo(tz_name)).date()


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz_name))


def local_moment(day: date, clock: time, tz_name: str) -> datetime:
    """`day` at the wall-clock time `clock` in `tz_name`, as UTC. A time the spring change skips
    reads with the offset before the change (02:30 on that Sunday is 03:30 summer time)."""
    return datetime.combine(day, clock, ZoneInfo(tz_name)).astimezone(timezone.utc)


def day_start(day: date, tz_name: str) -> datetime:
    """The UTC moment the local calendar day `day` begins (days are 23 or 25 hours at the changes)."""
    return local_moment(day, time(0), tz_name)
