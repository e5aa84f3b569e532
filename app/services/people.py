"""The people engaged on a site, their HMS cards and their days on the site's list."""
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.domain.oversiktsliste import name_key
from app.extensions import db
from app.models import AttendanceDay, Card, Engagement, Person


def people_on_site(site_id: int, company_id: int | None = None, search: str = "") -> list[Engagement]:
    """The site's engagements (one per person and employer), by name in Norwegian order (the
    database's own collation may put Å before Æ); `search` matches a name part."""
    query = (select(Engagement).join(Person, Person.id == Engagement.person_id)
             .where(Engagement.site_id == site_id)
             .options(joinedload(Engagement.person), joinedload(Engagement.employer),
                      joinedload(Engagement.hired_by))
             .order_by(Engagement.id))
    if company_id is not None:
        query = query.where(Engagement.employer_id == company_id)
    if search.strip():
        pattern = f"%{search.strip()[:100]}%"
        query = query.where(or_(Person.first_name.ilike(pattern), Person.last_name.ilike(pattern)))
    return sorted(db.session.scalars(query), key=lambda e: name_key(e.person))


def cards_of(person_ids: list[int]) -> dict[int, list[Card]]:
    """Each person's cards, newest number last."""
    result: dict[int, list[Card]] = {pid: [] for pid in person_ids}
    if person_ids:
        for card in db.session.scalars(select(Card).where(Card.person_id.in_(person_ids))
                                       .options(joinedload(Card.employer)).order_by(Card.number)):
            result[card.person_id].append(card)
    return result


def person_on_site(site_id: int, person_id: int, company_id: int | None = None) -> Person | None:
    """The person if they are engaged on the site or on its list (for an employer: with that employer)."""
    person = db.session.get(Person, person_id)
    if person is None:
        return None
    engaged = select(Engagement.id).where(Engagement.site_id == site_id, Engagement.person_id == person_id)
    listed = select(AttendanceDay.id).where(AttendanceDay.site_id == site_id, AttendanceDay.person_id == person_id)
    if company_id is not None:
        engaged = engaged.where(Engagement.employer_id == company_id)
        listed = listed.where(AttendanceDay.employer_id == company_id)
    if db.session.scalar(engaged.limit(1)) is None and db.session.scalar(listed.limit(1)) is None:
        return None
    return person


def engagements_of(site_id: int, person_id: int, company_id: int | None = None) -> list[Engagement]:
    query = select(Engagement).where(Engagement.site_id == site_id, Engagement.person_id == person_id)
    if company_id is not None:
        query = query.where(Engagement.employer_id == company_id)
    return list(db.session.scalars(query))


def days_on_site(site_id: int, person_id: int, today: date, days: int = 60,
                 company_id: int | None = None) -> list[AttendanceDay]:
    """The person's rows on the site's list for the last `days` days, newest first (removed ones too)."""
    query = (select(AttendanceDay)
             .where(AttendanceDay.site_id == site_id, AttendanceDay.person_id == person_id,
                    AttendanceDay.local_date >= today - timedelta(days=days))
             .options(joinedload(AttendanceDay.employer))
             .order_by(AttendanceDay.local_date.desc()))
    if company_id is not None:
        query = query.where(AttendanceDay.employer_id == company_id)
    return list(db.session.scalars(query))
