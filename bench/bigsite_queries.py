"""Reference queries for bench/bigsite.py, used only while the app has no service for a list yet.

They ask what the § 15 list needs, the plain way (SQLAlchemy Core, joins the indexes support), so
the big-site benchmark has something honest to time before app/services/lists.py exists.
"""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import AttendanceDay, Card, Company, Person

Employer, HiredBy = aliased(Company), aliased(Company)


def _list_columns():
    return (select(Person.first_name, Person.last_name, Person.birth_date,
                   Employer.name, Employer.org_number, Employer.foreign_id, Employer.country,
                   HiredBy.name, HiredBy.org_number, Card.number, Card.valid_to,
                   AttendanceDay.first_in, AttendanceDay.last_out, AttendanceDay.flags)
            .join(Person, Person.id == AttendanceDay.person_id)
            .join(Employer, Employer.id == AttendanceDay.employer_id)
            .outerjoin(HiredBy, HiredBy.id == AttendanceDay.hired_by_id)
            .outerjoin(Card, Card.id == AttendanceDay.card_id))


def daily_list(site_id: int, day: date) -> list:
    query = (_list_columns()
             .where(AttendanceDay.site_id == site_id, AttendanceDay.local_date == day,
                    AttendanceDay.removed_at.is_(None))
             .order_by(Employer.name, Person.last_name, Person.first_name))
    return db.session.execute(query).all()


def period(site_id: int, first: date, last: date) -> dict:
    """Person-days per person (with the days) and per employer for a date range."""
    query = (select(AttendanceDay.person_id, AttendanceDay.employer_id, AttendanceDay.local_date)
             .where(AttendanceDay.site_id == site_id, AttendanceDay.local_date.between(first, last),
                    AttendanceDay.removed_at.is_(None)))
    per_person, per_employer = {}, {}
    for person_id, employer_id, day in db.session.execute(query):
        per_person.setdefault(person_id, []).append(day)
        per_employer[employer_id] = per_employer.get(employer_id, 0) + 1
    names = dict(db.session.execute(
        select(Person.id, func.concat(Person.first_name, " ", Person.last_name))
        .where(Person.id.in_(list(per_person)))).all()) if per_person else {}
    return {"persons": {names[p]: days for p, days in per_person.items()}, "employers": per_employer}


def presence(site_id: int) -> list:
    query = (select(Person.first_name, Person.last_name, Employer.name, AttendanceDay.first_in)
             .join(Person, Person.id == AttendanceDay.person_id)
             .join(Employer, Employer.id == AttendanceDay.employer_id)
             .where(AttendanceDay.site_id == site_id, AttendanceDay.is_present.is_(True))
             .order_by(Employer.name, Person.last_name))
    return db.session.execute(query).all()
