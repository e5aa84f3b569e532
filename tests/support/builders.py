"""Plain functions that put list data in the database: sites, companies, people, cards, attendance.

The demo seed makes no attendance, so the § 15 list and retention tests build their own days here.
Every builder flushes (ids are set) and leaves committing to the caller.
"""
import itertools
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import (
    AccessLink, AttendanceDay, Builder, Card, Company, DailyList, Engagement, FollowUp, Person, ScanEvent,
    Site, User,
)
from app.services.demo import org_number

OSLO = ZoneInfo("Europe/Oslo")
_serial = itertools.count(1)

# People with the letters a § 15 list must get right.
NAMES = [
    ("Łukasz", "Brzęczyszczykiewicz"),
    ("Rūta", "Jankauskienė"),
    ("Ærlend", "Ødegård-Åsheim"),
    ("Åse", "Bakkeløkken"),
    ("Małgorzata", "Żółkowska"),
    ("Ola", "Nordmann"),
]


def oslo(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC timestamp for a wall-clock time in Oslo."""
    return datetime.combine(day, time(hour, minute), OSLO).astimezone(timezone.utc)


def make_site(name="Kvartal Løkkeveien", builder_name="Fjordbygg Eiendom AS", **fields) -> Site:
    builder = Builder(name=builder_name)
    site = Site(name=name, street=fields.pop("street", "Løkkeveien 10"), postcode=fields.pop("postcode", "4008"),
                city=fields.pop("city", "Stavanger"), builder=builder, **fields)
    db.session.add_all([builder, site])
    db.session.flush()
    return site


def make_company(name: str, foreign_id: str | None = None, country: str = "NO") -> Company:
    if foreign_id:
        company = Company(name=name, foreign_id=foreign_id, country=country)
    else:
        company = Company(name=name, org_number=org_number(91000000 + next(_serial) * 1000))
    db.session.add(company)
    db.session.flush()
    return company


def make_person(first_name: str, last_name: str, employer: Company, birth_date: date = date(1985, 3, 14),
                card_number: str | None = None, valid_to: date = date(2028, 1, 31)) -> Person:
    person = Person(first_name=first_name, last_name=last_name, birth_date=birth_date)
    card = Card(number=card_number or f"{50000000 + next(_serial):08d}", person=person, employer=employer,
                valid_to=valid_to)
    db.session.add_all([person, card])
    db.session.flush()
    return person


def card_of(person: Person) -> Card:
    return db.session.scalars(db.select(Card).where(Card.person_id == person.id)).first()


def attend(site: Site, person: Person, day: date, employer: Company, hired_by: Company | None = None,
           first_in: tuple = (7, 0), last_out: tuple | None = (15, 30), flags=(), source: str = "scan",
           present: bool = False, engage: bool = True) -> AttendanceDay:
    """A person on the site's list for `day` (times are Oslo wall-clock hours)."""
    row = AttendanceDay(site_id=site.id, person_id=person.id, local_date=day, employer_id=employer.id,
                        hired_by_id=hired_by.id if hired_by else None, card_id=card_of(person).id,
                        first_in=oslo(day, *first_in) if first_in else None,
                        last_out=oslo(day, *last_out) if last_out else None,
                        is_present=present, source=source, flags=list(flags))
    db.session.add(row)
    if engage and not db.session.scalar(db.select(Engagement.id).where(
            Engagement.person_id == person.id, Engagement.site_id == site.id, Engagement.employer_id == employer.id)):
        db.session.add(Engagement(person_id=person.id, site_id=site.id, employer_id=employer.id,
                                  hired_by_id=hired_by.id if hired_by else None))
    db.session.flush()
    return row


def scan(site: Site, person: Person, day: date, hour: int = 7, verified: bool = True,
         decision: str = "accepted", direction: str = "in") -> ScanEvent:
    event = ScanEvent(id=f"00000000-0000-4000-8000-{next(_serial):012d}", site_id=site.id,
                      card_id=card_of(person).id, card_number=card_of(person).number, person_id=person.id,
                      scanned_at=oslo(day, hour), received_at=oslo(day, hour), local_date=day,
                      decision=decision, reason="valid" if decision == "accepted" else "blocked",
                      direction=direction, verified=verified, warnings=[])
    db.session.add(event)
    db.session.flush()
    return event


def follow_up(site: Site, person: Person, event: ScanEvent | None = None) -> FollowUp:
    row = FollowUp(site_id=site.id, card_id=card_of(person).id, card_number=card_of(person).number,
                   person_id=person.id, scan_event_id=event.id if event else None, kind="blocked")
    db.session.add(row)
    db.session.flush()
    return row


def share_link(site: Site, expires_at: datetime) -> AccessLink:
    link = AccessLink(kind="share", token_hash=f"{next(_serial):064x}", site_id=site.id, expires_at=expires_at)
    db.session.add(link)
    db.session.flush()
    return link


def make_user(name: str = "Bjørn Byggleder") -> User:
    user = User(email=f"user{next(_serial)}@example.no", name=name)
    user.set_password("not-used-in-these-tests")
    db.session.add(user)
    db.session.flush()
    return user


def archived_list(site: Site, day: date, pdf: bytes = b"%PDF-1.4 test") -> DailyList:
    import hashlib

    row = DailyList(site_id=site.id, local_date=day, version=1, data_sha256="0" * 64, pdf=pdf,
                    pdf_sha256=hashlib.sha256(pdf).hexdigest(), checked_at=oslo(day, 16))
    db.session.add(row)
    db.session.flush()
    return row


def seeded_day(site: Site, day: date) -> dict:
    """A realistic day: Norwegian, Polish and Lithuanian names, a foreign employer, a hired-in worker
    (employer = the staffing agency, hired_by = the undertaking that hired them in), flags of every kind."""
    main = make_company("Nordbygg Entreprenør AS")
    agency = make_company("Bemanning Nord AS")
    lithuanian = make_company("UAB Statybų Grupė", foreign_id="304567891", country="LT")
    polish = make_company("Budimex-Pol Sp. z o.o.", foreign_id="5213456789", country="PL")
    people = {
        "lukasz": make_person("Łukasz", "Brzęczyszczykiewicz", polish, date(1979, 12, 1)),
        "ruta": make_person("Rūta", "Jankauskienė", lithuanian, date(1991, 6, 30)),
        "aerlend": make_person("Ærlend", "Ødegård-Åsheim", agency, date(1988, 2, 29)),
        "ase": make_person("Åse", "Bakkeløkken", main, date(1970, 1, 5)),
        "ola": make_person("Ola", "Nordmann", main, date(2001, 11, 11)),
    }
    attend(site, people["lukasz"], day, polish, flags=["possible_copied_card"])
    attend(site, people["ruta"], day, lithuanian, last_out=None, flags=["no_exit_recorded"])
    attend(site, people["aerlend"], day, agency, hired_by=main)
    attend(site, people["ase"], day, main, source="manual", first_in=(9, 15), last_out=(13, 5))
    attend(site, people["ola"], day, main, first_in=(6, 45), last_out=(17, 2))
    scan(site, people["ola"], day, hour=6, verified=False)
    return {"companies": {"main": main, "agency": agency, "lt": lithuanian, "pl": polish}, "people": people}
