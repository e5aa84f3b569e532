"""The dashboard's numbers and charts for one site, computed from attendance, scans, kiosks and follow-ups."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import FollowUp, Kiosk, ScanEvent
from app.services import daily_control, day_list, presence
from app.services.kiosks import kiosk_is_down


@dataclass(frozen=True)
class SiteNumbers:
    on_site_now: int
    people_today: int
    rejected_today: int
    unverified_today: int
    open_followups: int
    kiosks_offline: int
    kiosks_total: int
    unchecked_days: list  # past days with people and no checked version, newest first
    yesterday_unchecked: bool  # the morning flag: yesterday had people and nobody checked its list


def site_numbers(site_id: int, today: date, now: datetime, company_id: int | None = None) -> SiteNumbers:
    """Today's numbers; an employer_viewer (company_id) gets only its own people's counts, zero for the rest."""
    rows = day_list.live_rows(site_id, today, company_id)
    scoped = company_id is not None
    unchecked = [] if scoped else daily_control.unchecked_days(site_id, today)
    kiosks = [] if scoped else list(db.session.scalars(
        select(Kiosk).where(Kiosk.site_id == site_id, Kiosk.revoked_at.is_(None))))
    return SiteNumbers(
        on_site_now=sum(1 for row in rows if row.is_present),
        people_today=len(rows),
        rejected_today=0 if scoped else _count_scans(site_id, today, ScanEvent.decision == "rejected"),
        unverified_today=0 if scoped else len(presence.unverified_scans(site_id, today)),
        open_followups=0 if scoped else _open_followups(site_id),
        kiosks_offline=sum(1 for kiosk in kiosks if kiosk_is_down(kiosk, now)),
        kiosks_total=len(kiosks),
        unchecked_days=unchecked,
        yesterday_unchecked=(today - timedelta(days=1)) in unchecked,
    )


def _count_scans(site_id: int, day: date, condition) -> int:
    return db.session.scalar(select(func.count(ScanEvent.id)).where(
        ScanEvent.site_id == site_id, ScanEvent.local_date == day, ScanEvent.voided_at.is_(None), condition))


def _open_followups(site_id: int) -> int:
    return db.session.scalar(select(func.count(FollowUp.id)).where(
        FollowUp.site_id == site_id, FollowUp.done_at.is_(None)))


def people_per_hour(site_id: int, day: date, now: datetime, tz_name: str,
                    company_id: int | None = None) -> list[int]:
    """For each local hour 0–23 of `day`: how many people were on site at some point in that hour.

    A row counts from its first in to its last out (or to now while still present); hours after
    `now` count nothing. Rows without times (manual registrations) count nowhere on the chart.
    """
    zone = ZoneInfo(tz_name)
    rows = day_list.live_rows(site_id, day, company_id)
    counts = []
    for hour in range(24):
        start = datetime.combine(day, time(hour), zone)
        end = start + timedelta(hours=1)
        counts.append(sum(1 for row in rows if _on_site_during(row, start, end, now)) if start <= now else 0)
    return counts


def _on_site_during(row: day_list.DayRow, start: datetime, end: datetime, now: datetime) -> bool:
    if row.first_in is None:
        return False
    until = now if row.is_present or row.last_out is None else row.last_out
    return row.first_in < end and until >= start


def people_per_day(site_id: int, today: date, days: int = 30, company_id: int | None = None) -> list[tuple[date, int]]:
    """People on the list each day for the last `days` days, oldest first (zero for empty days)."""
    first = today - timedelta(days=days - 1)
    counts = day_list.people_per_day(site_id, first, today, company_id)
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)]
