"""A site's "day" is its local calendar date; timestamps are stored in UTC."""
from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar date at `moment` (timezone-aware) in the zone `tz_name`."""
    if moment.tzinfo is None:
        raise ValueError("local_date needs a timezone-aware datetime")
    return moment.astimezone(ZoneInfo(tz_name)).date()


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz_name))
