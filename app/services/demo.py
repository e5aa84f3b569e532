"""A realistic demo, made through the same services a byggherre uses: sites, contract chains, crews,
kiosks and users, four weeks of attendance with checked lists, and one finished site counting down
to its deletion.

It also writes the card-service emulator's data file, so the emulator knows the same cards.
The attendance history is synthetic: it is written as the gate would have left it (the in/out
rules of app/domain/attendance.py), since a real scan cannot be sent weeks into the past.
"""
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


from sqlalchemy import exists, select

from app.clock import site_zone
from app.domain import attendance as rules
from app.domain.orgnr import check_digit
from app.domain.sites import SiteSettings
from app.extensions import db
from app.models import AttendanceDay, Card, Engagement, Kiosk, Site, User
from app.services import accounts, companies, crews, kiosks, lists, sites
from app.services import use_case

QR_BASE = "https://hmskort.no/v/"
ACTOR = "demo"
HISTORY_DAYS = 28
FINISHED_DAYS_AGO = 60  # the finished site: its list is deleted six months after this

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

# Which employer each demo worker has; "bemanning" workers are hired in by the main contractor.
WORKFORCE = (["main"] * 10 + ["elektro"] * 6 + ["ror"] * 5 + ["betong"] * 6 + ["bemanning"] * 6
             + ["renhold"] * 3 + ["enk"] * 1 + ["lt"] * 6 + ["pl"] * 5)
# Every seventh worker is not registered in advance: the gate makes their engagement from the card.
NOT_PRE_REGISTERED = 7


def org_number(prefix: int) -> str:
    """A valid Norwegian org number from an 8-digit prefix (skip prefixes with no check digit)."""
    while True:
        digits = str(prefix)
        check = check_digit(digits)
        if check is not None:
            return digits + str(check)
        prefix += 1


BUILDER = ("Fjordbygg Eiendom AS", org_number(92160001))
COMPANIES = {  # key: (name, org number or None, country, foreign id or None, role under the main contractor)
    "main": ("Nordbygg Entreprenør AS", org_number(91234560), "NO", None, "main_contractor"),
    "elektro": ("Elektro Øst AS", org_number(98765430), "NO", None, "subcontractor"),
    "ror": ("Rørlegger Hansen & Sønn AS", org_number(97531860), "NO", None, "subcontractor"),
    "betong": ("Betong Vest AS", org_number(93344550), "NO", None, "subcontractor"),
    "bemanning": ("Bemanning Nord AS", org_number(99988870), "NO", None, "staffing_agency"),
    "renhold": ("Renhold Ærlig AS", org_number(91112220), "NO", None, "subcontractor"),
    "enk": ("Snekker Øyvind Åsen ENK", org_number(92223330), "NO", None, "sole_proprietor"),
    "lt": ("UAB Statybų Grupė", None, "LT", "304567891", "subcontractor"),
    "pl": ("Budimex-Pol Sp. z o.o.", None, "PL", "5213456789", "subcontractor"),
}


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
    return not db.session.scalar(select(exists(select(Site.id)) | exists(select(User.id))))


@use_case
def seed_demo(cardsim_path: str, today: date, now: datetime, rng_seed: int = 15) -> DemoResult:
    """Fill an empty database with the demo and write the emulator's card file: one unit of work, so a
    failure half-way leaves the database empty and the command can simply run again."""
    rng = random.Random(rng_seed)
    result = DemoResult()
    finished_on = today - timedelta(days=FINISHED_DAYS_AGO)
    demo_sites = _sites(today)
    chains = {site.id: _contract_chain(site.id, site.start_date) for site in demo_sites}
    sim_cards = _workers(rng, demo_sites, chains, today, result)
    _kiosks(demo_sites, now, result)
    users = _users(demo_sites, chains, result)
    finished = demo_sites[2]
    for site in demo_sites:
        last = finished_on if site is finished else today - timedelta(days=1)
        _history(rng, site, last, users[site.id], leave_unchecked=site is not finished)
    sites.close_site(finished.id, finished_on, ACTOR, today)
    result.sites = [{"id": s.id, "name": s.name, "address": s.address, "builder": s.builder.name}
                    for s in demo_sites[:2]]
    result.companies = [{"id": link.company.id, "name": link.company.name, "org_number": link.company.org_number}
                        for link in chains[demo_sites[0].id].values()]
    result.cardsim_data = write_cardsim_data(cardsim_path, sim_cards)
    return result


def _sites(today: date) -> list[Site]:
    builder_name, builder_org = BUILDER
    plans = [
        SiteSettings(name="Kvartal Løkkeveien", street="Løkkeveien 10", postcode="4008", city="Stavanger",
                     builder_name=builder_name, builder_org=builder_org, start_date=today - timedelta(days=200),
                     planned_end=today + timedelta(days=400), contract_id=4255),
        # No planned end on purpose: the dashboard's warning has something to show.
        SiteSettings(name="Nye Tromsø brannstasjon", street="Stakkevollvegen 65", postcode="9019", city="Tromsø",
                     builder_name=builder_name, builder_org=builder_org, start_date=today - timedelta(days=90),
                     contract_id=3003, outage_policy="lenient"),
        SiteSettings(name="Hinna barnehage", street="Hinnasvingen 4", postcode="4020", city="Stavanger",
                     builder_name=builder_name, builder_org=builder_org, start_date=today - timedelta(days=330),
                     planned_end=today - timedelta(days=FINISHED_DAYS_AGO)),
    ]
    return [sites.create_site(plan, ACTOR, today) for plan in plans]


def _contract_chain(site_id: int, start: date) -> dict:
    """The same companies on every site: the main contractor at the top, everyone else under it."""
    links = {}
    for key, (name, org, country, foreign_id, role) in COMPANIES.items():
        parent = None if key == "main" else links["main"].id
        links[key] = companies.add_to_site(site_id, companies.NewCompany(
            name=name, org_number=org, foreign_id=foreign_id, country=country, role=role, parent_id=parent,
            active_from=start), ACTOR, via="demo")
    return links


def _workers(rng, demo_sites, chains, today, result) -> list:
    """48 workers with cards in every status. Most are engaged in advance through the crew service;
    every seventh exists only in the card register, as a worker the gate meets for the first time."""
    sim_cards = []
    statuses = {index: status for index, status in enumerate(SPECIAL_STATUSES, start=3)}
    for index, employer_key in enumerate(WORKFORCE):
        site = demo_sites[1] if index % 4 == 0 else demo_sites[2] if index % 11 == 5 else demo_sites[0]
        employer = chains[site.id][employer_key].company
        hired_by = chains[site.id]["main"].company if employer_key == "bemanning" else None
        member = crews.Member(
            first_name=FIRST_NAMES[index % len(FIRST_NAMES)], last_name=LAST_NAMES[(index * 7) % len(LAST_NAMES)],
            birth_date=date(1962 + rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 29)),
            card_number=f"{40000000 + index * 7919:08d}", employer_id=employer.id,
            hired_by_id=hired_by.id if hired_by else None, active_from=site.start_date)
        status, reason = statuses.get(index, ("valid", ""))
        card = _card(member, employer_key, status, rng, today)
        if index % NOT_PRE_REGISTERED != 6:
            crews.add_member(site.id, member, ACTOR, via="import")
            _record_card_details(card)
        qr_token = secrets.token_urlsafe(16)
        sim_cards.append(_sim_card(card, member, employer, status, reason, qr_token))
        result.cards.append({
            "number": card.number, "qr_payload": QR_BASE + qr_token, "status": status,
            "holder": {"name": f"{member.first_name} {member.last_name}", "birth_date": member.birth_date.isoformat()},
            "employer": {"name": employer.name, "org_number": employer.org_number},
            "site_id": site.id, "pre_registered": index % NOT_PRE_REGISTERED != 6,
        })
    return sim_cards


@dataclass(frozen=True)
class _CardFacts:
    """What the card register says about a demo card."""

    number: str
    card_type: str
    issued_on: date
    valid_to: date


def _card(member, employer_key: str, status: str, rng, today: date) -> _CardFacts:
    issued = today - timedelta(days=800 if status == "expired" else rng.randrange(30, 700))
    return _CardFacts(member.card_number, "cleaning" if employer_key == "renhold" else "construction",
                      issued, issued + timedelta(days=730))  # an HMS card is issued for two years


def _record_card_details(facts: _CardFacts) -> None:
    """The crew import knows only the number; the rest is what the register would answer at the gate."""
    card = db.session.scalar(db.select(Card).where(Card.number == facts.number))
    card.card_type, card.issued_on, card.valid_to = facts.card_type, facts.issued_on, facts.valid_to


def _sim_card(card: _CardFacts, member, employer, status: str, reason: str, qr_token: str) -> dict:
    return {
        "card_number": card.number, "card_type": card.card_type, "status": status,
        "status_reason": reason, "issued_on": card.issued_on.isoformat(),
        "valid_to": card.valid_to.isoformat(), "qr_token": qr_token,
        "holder": {"first_name": member.first_name, "last_name": member.last_name,
                   "birth_date": member.birth_date.isoformat()},
        "employer": {"name": employer.name, "org_number": employer.org_number or employer.foreign_id},
    }


def _kiosks(demo_sites, now: datetime, result) -> None:
    """The gates; all but one reported in a moment ago (the last one shows what "down" looks like)."""
    plan = [(demo_sites[0], "Hovedport", "auto"), (demo_sites[0], "Port nord inn", "in"),
            (demo_sites[0], "Port nord ut", "out"), (demo_sites[1], "Port", "auto")]
    for number, (site, name, mode) in enumerate(plan):
        made = kiosks.create_kiosk(site, name, mode, ACTOR, now)
        kiosk = db.session.get(Kiosk, made.kiosk.id)
        kiosk.last_seen_at = now if number != 2 else now - timedelta(hours=20)
        kiosk.queue_depth = 0
        result.kiosks.append({"id": kiosk.id, "site_id": site.id, "name": name, "mode": mode, "token": made.token})


def _users(demo_sites, chains, result) -> dict[int, User]:
    """One account per role; returns each site's builder_rep, who checks its lists."""
    site, tromso, finished = demo_sites
    plan = [
        ("admin@demo.portvakt.no", "Anne Admin", "admin", None, None),
        ("byggherre@demo.portvakt.no", "Bjørn Byggleder", "builder_rep", site, None),
        ("sha@demo.portvakt.no", "Siri Koordinator", "coordinator", site, None),
        ("verneombud@demo.portvakt.no", "Vegard Verneombud", "safety_rep", site, None),
        ("elektro@demo.portvakt.no", "Eli Elektro", "employer_viewer", site, chains[site.id]["elektro"].company),
        ("bemanning@demo.portvakt.no", "Berit Bemanning", "employer_rep", site, chains[site.id]["bemanning"].company),
        ("tromso@demo.portvakt.no", "Tore Tromsø", "builder_rep", tromso, None),
    ]
    reps = {}
    for email, name, role, where, company in plan:
        password = secrets.token_urlsafe(9)
        user = accounts.create_user(ACTOR, email, name, password)
        accounts.add_membership(ACTOR, user, role, where.id if where else None, company.id if company else None)
        if role == "builder_rep":
            reps[where.id] = user
        result.users.append({"email": email, "password": password, "role": role,
                             "site_id": where.id if where else None})
    # The same builder's representative keeps the finished site: its dashboard card shows the deletion date.
    accounts.add_membership(ACTOR, reps[site.id], "builder_rep", finished.id, None)
    reps[finished.id] = reps[site.id]
    return reps


def _history(rng, site: Site, last: date, checker: User, leave_unchecked: bool) -> None:
    """Four weeks of weekdays up to `last`: most of the crew each day, a few absent; lists checked
    in the afternoon, except the newest day when `leave_unchecked` (the dashboard's morning flag)."""
    tz = ZoneInfo(site_zone())
    crew = db.session.execute(db.select(Engagement.person_id, Engagement.employer_id, Engagement.hired_by_id)
                              .where(Engagement.site_id == site.id)).all()
    cards = dict(db.session.execute(db.select(Card.person_id, Card.id).where(
        Card.person_id.in_([person_id for person_id, _, _ in crew]))).all())
    days = [last - timedelta(days=n) for n in range(HISTORY_DAYS) if (last - timedelta(days=n)).weekday() < 5]
    for day in sorted(days):
        for person_id, employer_id, hired_by_id in crew:
            if rng.random() < 0.12:
                continue  # absent: ill, on another site, a day off
            came = datetime.combine(day, time(6, 30), tz) + timedelta(minutes=rng.randrange(75))
            left = datetime.combine(day, time(15, 0), tz) + timedelta(minutes=rng.randrange(100))
            state = rules.apply_scan(rules.apply_scan(None, "in", came, False), "out", left, False)
            db.session.add(AttendanceDay(
                site_id=site.id, person_id=person_id, local_date=day, employer_id=employer_id,
                hired_by_id=hired_by_id, card_id=cards.get(person_id), first_in=state.first_in,
                last_out=state.last_out, last_scan_at=state.last_scan_at, is_present=state.is_present,
                flags=list(state.flags)))
        if not (leave_unchecked and day == max(days)):
            lists.check_day(site.id, day, checker, datetime.combine(day, time(16, 45), tz))


def write_cardsim_data(path: str, cards: list) -> str:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"cards": cards}, ensure_ascii=False, indent=1), encoding="utf-8")
    return str(target.resolve())
