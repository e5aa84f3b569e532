"""Everyone on a site (on its list, engaged on it, or with a card on order for it), their HMS cards and days."""
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import joinedload

from app.domain import oversiktsliste
from app.domain.attendance import active_on
from app.extensions import db
from app.models import AttendanceDay, Card, CardOrder, Company, Engagement, Person
from app.services.day_list import company_value


class CardLine(NamedTuple):
    number: str
    card_type: str | None
    last_status: str | None
    valid_to: date | None


class PersonLine(NamedTuple):
    """One person on the people page: who, for whom, when last on the list, expected or not.

    Named tuples from plain columns, not ORM objects: a big site has thousands of people
    (app/services/presence.py explains why)."""

    person_id: int
    first_name: str
    last_name: str
    birth_date: date
    employer: oversiktsliste.Company | None
    hired_by: oversiktsliste.Company | None
    last_day: date | None
    expected: bool
    barred: bool
    card_on_order: bool
    cards: tuple

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class _Tie(NamedTuple):
    """A person's tie to the site from one source: an engagement, a day on the list, a card order."""

    person_id: int
    first_name: str
    last_name: str
    birth_date: date
    employer_id: int
    hired_by_id: int | None
    rank: int  # which tie names the employer shown: lower wins
    last_day: date | None = None
    expected: bool = False
    barred: bool = False
    card_on_order: bool = False


ACTIVE_ENGAGEMENT, LAST_DAY, OTHER_ENGAGEMENT, CARD_ORDER = range(4)
_PERSON = (Person.id, Person.first_name, Person.last_name, Person.birth_date)


def people_on_site(site_id: int, today: date, company_id: int | None = None, search: str = "") -> list[PersonLine]:
    """Everyone who has been on the site's list, is engaged on it or has a card on order for it, once
    each, in Norwegian name order. `search` matches a name, an HMS card number, or an employer's
    name or org number (the employer shown, the hiring company, and those of every engagement and
    card order). The shown employer is the active engagement's, else the last day's on the list."""
    ties = _day_ties(site_id, company_id) + _engagement_ties(site_id, today, company_id) \
        + _order_ties(site_id, today, company_id)
    by_person: dict[int, list[_Tie]] = {}
    for tie in ties:
        by_person.setdefault(tie.person_id, []).append(tie)
    names = _company_values({c for tie in ties for c in (tie.employer_id, tie.hired_by_id) if c is not None})
    cards = _cards(site_id, company_id)
    lines = [_line(group, names, cards.get(pid, ())) for pid, group in by_person.items()]
    if search.strip():
        wanted = _needle(search)
        lines = [line for line, group in zip(lines, by_person.values())
                 if _matches(wanted, line, [names[t.employer_id] for t in group]
                             + [names[t.hired_by_id] for t in group if t.hired_by_id is not None])]
    return sorted(lines, key=oversiktsliste.name_key)


def _line(group: list[_Tie], names: dict, cards: tuple) -> PersonLine:
    shown = min(group, key=lambda tie: tie.rank)
    last_days = [tie.last_day for tie in group if tie.last_day is not None]
    return PersonLine(shown.person_id, shown.first_name, shown.last_name, shown.birth_date,
                      names[shown.employer_id], names.get(shown.hired_by_id),
                      max(last_days) if last_days else None, any(tie.expected for tie in group),
                      any(tie.barred for tie in group), any(tie.card_on_order for tie in group), cards)


def _day_ties(site_id: int, company_id: int | None) -> list[_Tie]:
    """Each person's last live day on the list, with that day's employer and hiring company."""
    live = [AttendanceDay.site_id == site_id, AttendanceDay.removed_at.is_(None)]
    if company_id is not None:
        live.append(AttendanceDay.employer_id == company_id)
    last = (select(AttendanceDay.person_id, func.max(AttendanceDay.local_date).label("last_day"))
            .where(*live).group_by(AttendanceDay.person_id).subquery())
    query = (select(*_PERSON, AttendanceDay.employer_id, AttendanceDay.hired_by_id, AttendanceDay.local_date)
             .join(last, and_(AttendanceDay.person_id == last.c.person_id, AttendanceDay.local_date == last.c.last_day))
             .join(Person, Person.id == AttendanceDay.person_id).where(*live))
    return [_Tie(*row[:6], LAST_DAY, last_day=row[6]) for row in _rows(query)]


def _engagement_ties(site_id: int, today: date, company_id: int | None) -> list[_Tie]:
    query = (select(*_PERSON, Engagement.employer_id, Engagement.hired_by_id, Engagement.active_from,
                    Engagement.active_to, Engagement.barred)
             .join(Person, Person.id == Engagement.person_id).where(Engagement.site_id == site_id))
    if company_id is not None:
        query = query.where(Engagement.employer_id == company_id)
    ties = []
    for *who, active_from, active_to, barred in _rows(query):
        active = active_on(active_from, active_to, today)
        ties.append(_Tie(*who, ACTIVE_ENGAGEMENT if active else OTHER_ENGAGEMENT,
                         expected=active and not barred, barred=bool(barred)))
    return ties


def _order_ties(site_id: int, today: date, company_id: int | None) -> list[_Tie]:
    """People registered with an HMS card on order (still waiting while valid_until has not passed)."""
    query = (select(*_PERSON, CardOrder.employer_id, CardOrder.hired_by_id, CardOrder.valid_until, CardOrder.card_id)
             .join(Person, Person.id == CardOrder.person_id).where(CardOrder.site_id == site_id))
    if company_id is not None:
        query = query.where(CardOrder.employer_id == company_id)
    return [_Tie(*who, CARD_ORDER, card_on_order=card_id is None and valid_until >= today)
            for *who, valid_until, card_id in _rows(query)]


def _cards(site_id: int, company_id: int | None) -> dict[int, tuple]:
    """The cards of everyone tied to the site, per person, by number: one query, however many people."""
    tied = union(*(select(model.person_id).where(model.site_id == site_id, *(
        [model.employer_id == company_id] if company_id is not None else []))
        for model in (AttendanceDay, Engagement, CardOrder))).subquery()
    query = (select(Card.person_id, Card.number, Card.card_type, Card.last_status, Card.valid_to)
             .where(Card.person_id.in_(select(tied.c.person_id))).order_by(Card.number))
    cards: dict[int, list] = {}
    for person_id, *card in _rows(query):
        cards.setdefault(person_id, []).append(CardLine(*card))
    return {person_id: tuple(found) for person_id, found in cards.items()}


def _company_values(ids: set[int]) -> dict[int, oversiktsliste.Company]:
    if not ids:
        return {}
    query = select(Company.id, Company.name, Company.org_number, Company.country, Company.foreign_id) \
        .where(Company.id.in_(ids))
    companies: dict = {}
    for company_id, *fields in _rows(query):
        company_value(companies, company_id, *fields)
    return companies


def _rows(query) -> list:
    return db.session.connection().execute(query).all()


def _needle(search: str) -> tuple[str, str]:
    text = search.strip()[:100].casefold()
    return text, "".join(text.split())


def _matches(needle: tuple[str, str], line: PersonLine, companies: list[oversiktsliste.Company]) -> bool:
    """A search hit: the text in a name, or (spaces ignored, as in "923 609 016") in a card number,
    a company's name or its org number / foreign id."""
    text, compact = needle
    if text in f"{line.first_name} {line.last_name}".casefold() or text in f"{line.last_name} {line.first_name}".casefold():
        return True
    others = [card.number for card in line.cards] + [c.name for c in companies] + [c.identifier for c in companies]
    return any(compact in "".join(other.casefold().split()) for other in others)


def cards_of(person_ids: list[int]) -> dict[int, list[Card]]:
    """Each person's cards, newest number last."""
    result: dict[int, list[Card]] = {pid: [] for pid in person_ids}
    if person_ids:
        for card in db.session.scalars(select(Card).where(Card.person_id.in_(person_ids))
                                       .options(joinedload(Card.employer)).order_by(Card.number)):
            result[card.person_id].append(card)
    return result


def person_on_site(site_id: int, person_id: int, company_id: int | None = None) -> Person | None:
    """The person if they are engaged on the site, on its list or registered with a card on order
    for it (for an employer: with that employer)."""
    person = db.session.get(Person, person_id)
    if person is None:
        return None
    for model in (Engagement, AttendanceDay, CardOrder):
        tie = select(model.id).where(model.site_id == site_id, model.person_id == person_id)
        if company_id is not None:
            tie = tie.where(model.employer_id == company_id)
        if db.session.scalar(tie.limit(1)) is not None:
            return person
    return None


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
