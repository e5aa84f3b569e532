"""A day's archived (checked) versions of the § 15 list: the one read model behind the control page,
the share view, the list index, the dashboard flag and check_day. Listing versions never loads their PDFs."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload

from app.extensions import db
from app.models import DailyList


@dataclass(frozen=True)
class ListVersion:
    """One archived (checked) version of a day's list, without the PDF bytes."""

    id: int
    site_id: int
    local_date: date
    version: int
    checked_by: str | None
    checked_at: datetime
    data_sha256: str
    pdf_sha256: str


def as_version(row: DailyList) -> ListVersion:
    return ListVersion(row.id, row.site_id, row.local_date, row.version,
                       row.checked_by.name if row.checked_by else None, row.checked_at,
                       row.data_sha256, row.pdf_sha256)


def _of_day(site_id: int, day: date):
    return (select(DailyList).where(DailyList.site_id == site_id, DailyList.local_date == day)
            .options(defer(DailyList.pdf), joinedload(DailyList.checked_by)).order_by(DailyList.version.desc()))


def versions_of_day(site_id: int, day: date) -> list[ListVersion]:
    """Every archived version of a day, newest first; each stays downloadable."""
    return [as_version(row) for row in db.session.scalars(_of_day(site_id, day))]


def newest(site_id: int, day: date) -> DailyList | None:
    """The newest archived version of a day (its PDF loaded only when read), or None."""
    return db.session.scalars(_of_day(site_id, day).limit(1)).first()


def newest_per_day(site_id: int, first: date, last: date) -> dict[date, ListVersion]:
    """For each day in first..last with a version, its newest one."""
    latest = (select(DailyList.local_date, func.max(DailyList.version).label("version"))
              .where(DailyList.site_id == site_id, DailyList.local_date.between(first, last))
              .group_by(DailyList.local_date).subquery())
    rows = db.session.scalars(
        select(DailyList).join(latest, (DailyList.local_date == latest.c.local_date)
                               & (DailyList.version == latest.c.version))
        .where(DailyList.site_id == site_id).options(defer(DailyList.pdf), joinedload(DailyList.checked_by)))
    return {row.local_date: as_version(row) for row in rows}
