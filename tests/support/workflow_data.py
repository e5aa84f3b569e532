"""Small plain-function factories for the list-workflow tests (sites, people, users, attendance)."""
from datetime import date, datetime, timezone

from app.domain.orgnr import check_digit
from app.extensions import db
from app.models import (
    AttendanceDay, Builder, Card, Company, Engagement, Membership, Person, Site, SiteCompany, User,
)

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=timezone.utc)
TODAY = date(2026, 3, 10)


def valid_org_number(prefix: int) -> str:
    while (check := check_digit(str(prefix))) is None:
        prefix += 1
    return f"{prefix}{check}"


def make_site(name="Kvartal Løkkeveien", org_prefix=91234560) -> Site:
    builder = Builder(name="Fjordbygg Eiendom AS")
    site = Site(name=name, street="Løkkeveien 10", postcode="4008", city="Stavanger", builder=builder,
                contract_id="KV-2026-014")
    company = Company(name="Elektro Øst AS", org_number=valid_org_number(org_prefix))
    db.session.add_all([builder, site, company, SiteCompany(site=site, company=company, role="subcontractor")])
    db.session.flush()
    return site


def site_company(site: Site) -> Company:
    return SiteCompany.query.filter_by(site_id=site.id).first().company


def make_person(site: Site, first="Łukasz", last="Żółkowski", number="40007919", company=None) -> Person:
    company = company or site_company(site)
    person = Person(first_name=first, last_name=last, birth_date=date(1984, 5, 17))
    card = Card(number=number, person=person, employer=company, valid_to=date(2027, 1, 1))
    db.session.add_all([person, card, Engagement(person=person, site=site, employer=company)])
    db.session.flush()
    return person


def make_attendance(site: Site, person: Person, day: date = TODAY, first_in: datetime = NOW) -> AttendanceDay:
    row = AttendanceDay(site_id=site.id, person_id=person.id, local_date=day,
                        employer_id=person.cards[0].employer_id, card_id=person.cards[0].id,
                        first_in=first_in, is_present=True)
    db.session.add(row)
    db.session.flush()
    return row


def make_user(role: str, site: Site | None, email: str | None = None, password="Riktig-passord-1",
              company: Company | None = None, name="Bjørn Byggleder") -> User:
    user = User(email=email or f"{role}-{site.id if site else 'all'}@test.portvakt.no", name=name)
    user.set_password(password)
    user.memberships.append(Membership(role=role, site=site, company=company))
    db.session.add(user)
    db.session.flush()
    return user
