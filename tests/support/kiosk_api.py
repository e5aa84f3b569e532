"""Fixtures and factories for the kiosk API tests: a small world (two sites, kiosks, workers with
cards) that exists both in our database and in a real card-service emulator process.

Test modules import the fixtures they use: `from tests.support.kiosk_api import cardsim, world  # noqa`.
"""
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from app.domain.orgnr import check_digit
from app.domain.secrets import hash_token, new_token
from app.extensions import db
from app.models import Builder, Card, Company, Engagement, Kiosk, Person, Site, SiteCompany
from tests.support.processes import start_cardsim, start_gunicorn

CARDSIM_TOKEN = "api-test-token"


def org_number(prefix: int) -> str:
    while (check := check_digit(str(prefix))) is None:
        prefix += 1
    return f"{prefix}{check}"


@pytest.fixture(scope="session")
def cardsim(tmp_path_factory):
    data = tmp_path_factory.mktemp("cardsim-api") / "cards.json"
    data.write_text(json.dumps({"cards": []}))
    service = start_cardsim(str(data), token=CARDSIM_TOKEN)
    yield service
    service.stop()


@pytest.fixture(scope="module")
def live(_app, database_url, cardsim):
    """gunicorn on a free port, on the tests' database, talking to the emulator."""
    server = start_gunicorn(database_url, env={"CARD_SERVICE_URL": cardsim.url, "CARD_SERVICE_TOKEN": CARDSIM_TOKEN})
    yield server
    server.stop()


def set_faults(cardsim, mode="ok", **extra) -> None:
    requests.put(f"{cardsim.url}/_sim/faults", json={"mode": mode, **extra}, timeout=5).raise_for_status()


def card_service_config(cardsim) -> dict:
    return {"CARD_SERVICE_URL": cardsim.url, "CARD_SERVICE_TOKEN": CARDSIM_TOKEN}


@dataclass
class Worker:
    person_id: int
    name: str
    card_number: str
    qr_token: str
    employer: str

    @property
    def qr(self) -> str:
        return f"https://hmskort.no/v/{self.qr_token}"


@dataclass
class World:
    cardsim: object
    site_id: int
    other_site_id: int
    tokens: dict = field(default_factory=dict)  # kiosk name -> bearer token
    kiosk_ids: dict = field(default_factory=dict)
    workers: dict = field(default_factory=dict)  # short name -> Worker
    agency: str = ""
    main_contractor: str = ""

    def headers(self, kiosk="gate") -> dict:
        return {"Authorization": f"Bearer {self.tokens[kiosk]}"}

    def put_card(self, number, status="valid", first="Kari", last="Nordmann", employer=("Elektro Øst AS", org_number(98765430)),
                 qr_token=None, valid_to="2027-06-30") -> None:
        record = {"card_number": number, "status": status, "issued_on": "2025-06-30", "valid_to": valid_to,
                  "holder": {"first_name": first, "last_name": last, "birth_date": "1984-05-17"},
                  "employer": {"name": employer[0], "org_number": employer[1]}, "qr_token": qr_token}
        requests.put(f"{self.cardsim.url}/_sim/cards/{number}", json=record, timeout=5).raise_for_status()


def fresh_card_service(app, cardsim) -> None:
    """A new card-service client for the app: empty cache, closed breaker."""
    from app.adapters.cardservice import card_service_from_config

    app.extensions["card_service"] = card_service_from_config({**app.config, **card_service_config(cardsim)})


def build_world(app, cardsim) -> World:
    """Two sites of one byggherre; kiosks auto/in/out on the first, one on the second; four workers."""
    fresh_card_service(app, cardsim)
    set_faults(cardsim, "ok")
    builder = Builder(name="Fjordbygg Eiendom AS", org_number=org_number(92160001))
    site = Site(name="Kvartal Løkkeveien", street="Løkkeveien 10", postcode="4008", city="Stavanger",
                builder=builder)
    other = Site(name="Nye Tromsø brannstasjon", street="Stakkevollvegen 65", postcode="9019", city="Tromsø",
                 builder=builder)
    electro = Company(name="Elektro Øst AS", org_number=org_number(98765430))
    agency = Company(name="Bemanning Nord AS", org_number=org_number(99988870))
    main = Company(name="Nordbygg Entreprenør AS", org_number=org_number(91234560))
    db.session.add_all([builder, site, other, electro, agency, main])
    db.session.flush()
    for company in (electro, agency, main):
        db.session.add(SiteCompany(site=site, company=company, role="subcontractor"))
    world = World(cardsim=cardsim, site_id=site.id, other_site_id=other.id,
                  agency=agency.name, main_contractor=main.name)
    for name, site_, mode in [("gate", site, "auto"), ("gate2", site, "auto"), ("in", site, "in"),
                              ("out", site, "out"), ("tromso", other, "auto")]:
        token = new_token()
        kiosk = Kiosk(site=site_, name=name, mode=mode, token_hash=hash_token(token))
        db.session.add(kiosk)
        db.session.flush()
        world.tokens[name], world.kiosk_ids[name] = token, kiosk.id
    people = [("kari", "Kari", "Nordmann", electro, None), ("lukasz", "Łukasz", "Brzęczyszczykiewicz", electro, None),
              ("ruta", "Rūta", "Jankauskienė", agency, main), ("ola", "Ola", "Ødegård", electro, None)]
    for index, (key, first, last, employer, hired_by) in enumerate(people):
        number = f"{40000000 + index * 7919:08d}"
        person = Person(first_name=first, last_name=last, birth_date=date(1984, 5, 17))
        card = Card(number=number, person=person, employer=employer, valid_to=date(2027, 6, 30))
        db.session.add_all([person, card, Engagement(person=person, site=site, employer=employer, hired_by=hired_by)])
        db.session.flush()
        qr_token = f"qr-{key}-{uuid.uuid4().hex[:12]}"
        world.put_card(number, first=first, last=last, employer=(employer.name, employer.org_number),
                       qr_token=qr_token)
        world.workers[key] = Worker(person.id, person.name, number, qr_token, employer.name)
    db.session.commit()
    return world


@pytest.fixture
def world(app, cardsim):
    return build_world(app, cardsim)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def scan_body(payload: str, at: datetime | None = None, direction="auto", scan_id=None) -> dict:
    return {"id": scan_id or str(uuid.uuid4()), "payload": payload,
            "scanned_at": iso(at or utc_now()), "direction": direction}


def local_morning(days_ago: int, hour: int = 7) -> datetime:
    """hour:00 Oslo time `days_ago` days back, in UTC: tests that must stay on one local date."""
    oslo = (utc_now() - timedelta(days=days_ago)).astimezone(ZoneInfo("Europe/Oslo"))
    return oslo.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
