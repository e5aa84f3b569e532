"""A realistic demo: one byggherre, two sites, a contract chain, 48 workers with cards in every status.

It also writes the card-service emulator's data file, so the emulator knows the same cards.
"""
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from app.domain.orgnr import check_digit
from app.domain.secrets import hash_token, new_token
from app.extensions import db
from app.models import (
    Builder, Card, Company, Engagement, Kiosk, Membership, Person, Role, Site, SiteCompany, User,
)

QR_BASE = "https://hmskort.no/v/"

FIRST_NAMES = [
    "Ola", "Kari", "Øyvind", "Åse", "Bjørn", "Ingrid", "Ærlend", "Sigrid", "Håkon", "Solveig",
    "Łukasz", "Małgorzata", "Piotr", "Agnieszka", "Grzegorz", "Jonas", "Rūta", "Mantas",
    "Aušra", "Tomas", "Ahmed", "Fatima", "Mikael", "Liv", "Jørgen", "Tuva", "Ståle", "Nils",
]
LAST_NAMES = [
    "Nordmann", "Hansen", "Ødegård", "Åsheim", "Kristiansen", "Bakkeløkken", "Strøm", "Dahl",
    "Wiśniewski", "Żółkowska", "Jankauskienė", "Kazlauskas", "Petrauskaitė", "Brzęczyszczykiewicz",
    "Haugen", "Lie", "Sæther", "Aas", "Berg", "Hussein",
]

# Statuses other than "valid" that the demo shows, one card each.
SPECIAL_STATUSES = [
    ("not_valid", "Arbeidsgiver oppfyller ikke registerplikter"),
    ("expired", "Kortets gyldighetstid er utløpt"),
    ("blocked", "Arbeidsforholdet er avsluttet"),
    ("lost", "Meldt tapt"),
    ("stolen", "Meldt stjålet"),
    ("confiscated", "Inndratt"),
    ("destroyed", "Makulert"),
]


def org_number(prefix: int) -> str:
    """A valid Norwegian org number from an 8-digit prefix (skip prefixes with no check digit)."""
    while True:
        digits = str(prefix)
        check = check_digit(digits)
        if check is not None:
            return digits + str(check)
        prefix += 1


@dataclass
class DemoResult:
    sites: list = field(default_factory=list)
    companies: list = field(default_factory=list)
    kiosks: list = field(default_factory=list)
    users: list = field(default_factory=list)
    cards: list = field(default_factory=list)
    cardsim_data: str = ""

    def as_dict(self) -> dict:
        return {
            "sites": self.sites, "companies": self.companies, "kiosks": self.kiosks,
            "users": self.users, "cards": self.cards, "cardsim_data": self.cardsim_data,
        }


def database_is_empty() -> bool:
    return db.session.query(Site.id).first() is None and db.session.query(User.id).first() is None


def seed_demo(cardsim_path: str, today: date, rng_seed: int = 15) -> DemoResult:
    """Fill an empty database with the demo and write the emulator's card file."""
    rng = random.Random(rng_seed)
    result = DemoResult()
    builder = Builder(name="Fjordbygg Eiendom AS", org_number=org_number(92160001))
    sites = [
        Site(name="Kvartal Løkkeveien", street="Løkkeveien 10", postcode="4008", city="Stavanger",
             builder=builder, start_date=today - timedelta(days=200), contract_id="KV-2026-014"),
        Site(name="Nye Tromsø brannstasjon", street="Stakkevollvegen 65", postcode="9019",
             city="Tromsø", builder=builder, start_date=today - timedelta(days=90),
             contract_id="TB-2026-003", outage_policy="lenient"),
    ]
    db.session.add_all([builder, *sites])
    companies = _companies()
    db.session.add_all(companies.values())
    db.session.flush()
    _contract_chain(sites, companies)
    sim_cards = _people_and_cards(rng, sites, companies, today, result)
    _kiosks(sites, result)
    _users(sites, companies, result)
    db.session.commit()

    result.sites = [
        {"id": s.id, "name": s.name, "address": s.address, "builder": builder.name} for s in sites
    ]
    result.companies = [
        {"id": c.id, "name": c.name, "org_number": c.org_number} for c in companies.values()
    ]
    result.cardsim_data = write_cardsim_data(cardsim_path, sim_cards)
    return result


def _companies() -> dict:
    return {
        "main": Company(name="Nordbygg Entreprenør AS", org_number=org_number(91234560)),
        "elektro": Company(name="Elektro Øst AS", org_number=org_number(98765430)),
        "ror": Company(name="Rørlegger Hansen & Sønn AS", org_number=org_number(97531860)),
        "betong": Company(name="Betong Vest AS", org_number=org_number(93344550)),
        "bemanning": Company(name="Bemanning Nord AS", org_number=org_number(99988870)),
        "renhold": Company(name="Renhold Ærlig AS", org_number=org_number(91112220)),
        "enk": Company(name="Snekker Øyvind Åsen ENK", org_number=org_number(92223330)),
        "lt": Company(name="UAB Statybų Grupė", foreign_id="304567891", country="LT"),
        "pl": Company(name="Budimex-Pol Sp. z o.o.", foreign_id="5213456789", country="PL"),
    }


def _contract_chain(sites, companies) -> None:
    for site in sites:
        main = SiteCompany(site=site, company=companies["main"], role="main_contractor")
        db.session.add(main)
        for key, role in [("elektro", "subcontractor"), ("ror", "subcontractor"),
                          ("betong", "subcontractor"), ("bemanning", "staffing_agency"),
                          ("renhold", "subcontractor"), ("enk", "sole_proprietor"),
                          ("lt", "subcontractor"), ("pl", "subcontractor")]:
            db.session.add(SiteCompany(site=site, company=companies[key], role=role, parent=main))


# Which employer each demo worker has; "bemanning" workers are hired in by the main contractor.
WORKFORCE = (["main"] * 10 + ["elektro"] * 6 + ["ror"] * 5 + ["betong"] * 6 + ["bemanning"] * 6
             + ["renhold"] * 3 + ["enk"] * 1 + ["lt"] * 6 + ["pl"] * 5)


def _people_and_cards(rng, sites, companies, today, result) -> list:
    sim_cards = []
    statuses = {index: status for index, status in enumerate(SPECIAL_STATUSES, start=3)}
    for index, employer_key in enumerate(WORKFORCE):
        employer = companies[employer_key]
        person = Person(first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
                        last_name=LAST_NAMES[(index * 7) % len(LAST_NAMES)],
                        birth_date=date(1962 + rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 29)))
        status, reason = statuses.get(index, ("valid", ""))
        issued = today - timedelta(days=rng.randrange(30, 700))
        if status == "expired":
            issued = today - timedelta(days=800)
        valid_to = issued + timedelta(days=730)  # an HMS card is issued for two years
        card = Card(number=f"{40000000 + index * 7919:08d}", person=person, employer=employer,
                    card_type="cleaning" if employer_key == "renhold" else "construction",
                    issued_on=issued, valid_to=valid_to)
        site = sites[0] if index % 4 else sites[1]
        hired_by = companies["main"] if employer_key == "bemanning" else None
        db.session.add_all([person, card, Engagement(person=person, site=site, employer=employer,
                                                     hired_by=hired_by, active_from=site.start_date)])
        qr_token = secrets.token_urlsafe(16)
        sim_cards.append(_sim_card(card, person, employer, status, reason, qr_token))
        result.cards.append({
            "number": card.number, "qr_payload": QR_BASE + qr_token, "status": status,
            "holder": {"name": person.name, "birth_date": person.birth_date.isoformat()},
            "employer": {"name": employer.name, "org_number": employer.org_number},
            "site_id": None, "_site": site,
        })
    db.session.flush()
    for card in result.cards:
        card["site_id"] = card.pop("_site").id
    return sim_cards


def _sim_card(card, person, employer, status, reason, qr_token) -> dict:
    return {
        "card_number": card.number, "card_type": card.card_type, "status": status,
        "status_reason": reason, "issued_on": card.issued_on.isoformat(),
        "valid_to": card.valid_to.isoformat(), "qr_token": qr_token,
        "holder": {"first_name": person.first_name, "last_name": person.last_name,
                   "birth_date": person.birth_date.isoformat()},
        "employer": {"name": employer.name, "org_number": employer.org_number or employer.foreign_id},
    }


def _kiosks(sites, result) -> None:
    plan = [(sites[0], "Hovedport", "auto"), (sites[0], "Port nord inn", "in"),
            (sites[0], "Port nord ut", "out"), (sites[1], "Port", "auto")]
    for site, name, mode in plan:
        token = new_token()
        kiosk = Kiosk(site=site, name=name, mode=mode, token_hash=hash_token(token))
        db.session.add(kiosk)
        db.session.flush()
        result.kiosks.append({"id": kiosk.id, "site_id": site.id, "name": name, "mode": mode, "token": token})


def _users(sites, companies, result) -> None:
    plan = [
        ("admin@demo.portvakt.no", "Anne Admin", Role.ADMIN, None, None),
        ("byggherre@demo.portvakt.no", "Bjørn Byggleder", Role.BUILDER_REP, sites[0], None),
        ("sha@demo.portvakt.no", "Siri Koordinator", Role.COORDINATOR, sites[0], None),
        ("verneombud@demo.portvakt.no", "Vegard Verneombud", Role.SAFETY_REP, sites[0], None),
        ("elektro@demo.portvakt.no", "Eli Elektro", Role.EMPLOYER_VIEWER, sites[0], companies["elektro"]),
        ("tromso@demo.portvakt.no", "Tore Tromsø", Role.BUILDER_REP, sites[1], None),
    ]
    for email, name, role, site, company in plan:
        password = secrets.token_urlsafe(9)
        user = User(email=email, name=name)
        user.set_password(password)
        user.memberships.append(Membership(role=role.value, site=site, company=company))
        db.session.add(user)
        db.session.flush()
        result.users.append({"email": email, "password": password, "role": role.value,
                             "site_id": site.id if site else None})


def write_cardsim_data(path: str, cards: list) -> str:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"cards": cards}, ensure_ascii=False, indent=1), encoding="utf-8")
    return str(target.resolve())
