"""Crews: who works on a site for which employer (engagements), and who hired them in (§ 15 c).

One service for the three ways an engagement is made before anyone reaches the gate: by the site
office (builder_rep), by an employer_rep for its own company's people, and by importing a crew
list. The web app and `flask crew` both call it. An import is all or nothing: every row is checked
(the pure rules in app/domain/crew_import.py, then the site's contract chain and our records of the
people), and only a file without a single error is written, in one transaction.

A person is found the way the gate would find them, so an imported worker and the same worker
scanned later are ONE person with one card: by HMS card number when we know the card (its holder's
name and date of birth must match), else by name and date of birth among the people engaged on this
site, else created, with a Card row that the first scan fills in (card_checks.record_check).
"""
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.adapters.cardservice import get_card_service
from app.clock import site_today
from app.domain import oversiktsliste
from app.domain.attendance import active_on
from app.domain.cards import CardRef, LookupOutcome
from app.domain.crew_import import MAX_BYTES, CrewRow, ParsedCrew, Problem, RowError, check_header, parse_table
from app.domain.enums import RegisteredVia
from app.domain.orgnr import is_valid_org_number, normalize_org_number
from app.extensions import db
from app.models import AttendanceDay, Card, Company, Engagement, Person, SiteCompany
from app.services import use_case
from app.services.audit import audit
from app.services.card_checks import record_check
from app.services.companies import chain_companies  # noqa: F401 (the crew pages' employers)
from app.services.crew_files import read_table

VIA = tuple(via.value for via in RegisteredVia)
CHUNK = 500  # ids per IN (...) query
MAX_READ = MAX_BYTES + 1  # read no more of a file than it takes to see it is too big


class CrewRefused(ValueError):
    """Why an engagement cannot be made; `field` names the form field the problem belongs next to."""

    def __init__(self, problem: Problem, field: str | None = None):
        super().__init__(problem.en)
        self.problem, self.field = problem, field


@dataclass(frozen=True)
class Member:
    """One worker to engage, with the companies already resolved to ids."""

    first_name: str
    last_name: str
    birth_date: date
    card_number: str
    employer_id: int
    hired_by_id: int | None = None
    active_from: date | None = None
    active_to: date | None = None
    # The contact phone for the roll call; only written when set_phone (a crew file with the phone
    # column, the crew form): a seven-column file and `flask crew add` leave a stored phone alone.
    phone: str | None = None
    set_phone: bool = False


@dataclass(frozen=True)
class PlannedRow:
    row: int
    member: Member
    action: str  # create | update | unchanged
    person_id: int | None  # None: a new person


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do; `errors` empty means it may be written."""

    rows: tuple[PlannedRow, ...]
    errors: tuple[RowError, ...]
    blank_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict:
        return {action: self.count(action) for action in ("create", "update", "unchanged")}


# --- reading --------------------------------------------------------------------------------------


def site_crew(site_id: int, company_scope: int | None = None) -> list[Engagement]:
    """The site's engagements (an employer_rep's own company only), in the § 15 list's order."""
    query = (select(Engagement).where(Engagement.site_id == site_id)
             .options(joinedload(Engagement.person), joinedload(Engagement.employer), joinedload(Engagement.hired_by))
             .order_by(Engagement.id))
    if company_scope is not None:
        query = query.where(Engagement.employer_id == company_scope)
    return sorted(db.session.scalars(query).unique(), key=lambda e: (*oversiktsliste.list_order(
        e.employer, e.person.last_name, e.person.first_name, e.person.birth_date, None), e.id))


def card_numbers(engagements: list[Engagement]) -> dict[int, str]:
    """person id → a card number, for showing the crew (one query for all)."""
    ids = {e.person_id for e in engagements}
    found: dict[int, str] = {}
    for chunk in _chunks(sorted(ids)):
        for person_id, number in db.session.execute(
                select(Card.person_id, Card.number).where(Card.person_id.in_(chunk)).order_by(Card.id)):
            found[person_id] = number
    return found


# --- import ---------------------------------------------------------------------------------------


def parse_file(content: bytes, filename: str, today: date) -> ParsedCrew:
    """The file checked by the pure rules; raises CrewFileError when it cannot be read at all."""
    return parse_rows(read_table(content, filename), today)


def parse_rows(table: list[list[str]], today: date) -> ParsedCrew:
    return parse_table(table, today, current_app.config["CARD_NUMBER_PATTERN"])


def plan_import(site_id: int, parsed: ParsedCrew, company_scope: int | None = None) -> ImportPlan:
    """Check the parsed rows against the contract chain and our records; writes nothing."""
    orgs = _chain_orgs(site_id)
    members, errors = [], list(parsed.errors)
    for row in parsed.rows:
        try:
            members.append((row.row, _member(row, orgs, company_scope, parsed.has_phone)))
        except CrewRefused as refused:
            errors.append(RowError(row.row, refused.problem))
    planned, plan_errors = _plan(site_id, members)
    errors += plan_errors
    return ImportPlan(tuple(planned), tuple(sorted(errors, key=lambda e: e.row)), parsed.blank_rows)


@use_case
def import_crew(site_id: int, parsed: ParsedCrew, actor, company_scope: int | None = None,
                dry_run: bool = False) -> ImportPlan:
    """Plan, and when the whole file is good and this is not a dry run, write it in one transaction."""
    plan = plan_import(site_id, parsed, company_scope)
    if not plan.ok or dry_run:
        return plan
    records = _records(site_id, [planned.member.card_number for planned in plan.rows])
    for planned in plan.rows:
        _write(site_id, planned.member, "import", records)
    db.session.flush()
    audit("crew.import", actor, site_id=site_id, target_type="site", target_id=site_id,
          rows=len(plan.rows), **plan.counts)
    return plan


@dataclass(frozen=True)
class PreviewLine:
    """One row of the file as the user sent it, with what importing it would do or what is wrong."""

    row: int
    cells: tuple[str, ...]
    action: str | None  # create | update | unchanged, None when the row has errors
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Upload:
    """A checked upload: the file's cells (carried to the confirm step) and the plan."""

    table: list[list[str]]
    plan: ImportPlan

    @property
    def columns(self) -> tuple[str, ...]:
        """The file's columns (the seven documented ones, perhaps with phone); checked at upload."""
        return check_header(self.table[0])

    @property
    def lines(self) -> list[PreviewLine]:
        actions = {planned.row: planned.action for planned in self.plan.rows}
        problems: dict[int, list[Problem]] = {}
        for error in self.plan.errors:
            problems.setdefault(error.row, []).append(error.problem)
        width = len(self.columns)
        return [PreviewLine(number, tuple(cells[:width]), actions.get(number), tuple(problems.get(number, ())))
                for number, cells in enumerate(self.table[1:], start=2) if number in actions or number in problems]


def preview_upload(site_id: int, content: bytes, filename: str, today: date,
                   company_scope: int | None = None) -> Upload:
    """Read and check an uploaded file without writing; raises CrewFileError when it cannot be read."""
    table = read_table(content, filename)
    return Upload(table, plan_import(site_id, parse_rows(table, today), company_scope))


def import_table(site_id: int, table: list[list[str]], actor, today: date,
                 company_scope: int | None = None) -> ImportPlan:
    """Import cells that were checked at upload, checking them all again (the chain may have changed)."""
    return import_crew(site_id, parse_rows(table, today), actor, company_scope)


# --- one worker -----------------------------------------------------------------------------------


@use_case
def add_member(site_id: int, member: Member, actor, company_scope: int | None = None,
               via: str | None = None) -> tuple[Engagement, str]:
    """Engage one worker (the web form, `flask crew add`); returns the engagement and create|update|unchanged.

    Unless told otherwise, an employer_rep's registration is "employer", anyone else's "site_office".
    """
    via = via or ("employer" if company_scope is not None else "site_office")
    if via not in VIA:
        raise ValueError(f"unknown registered_via {via!r}")
    _check_companies(site_id, member.employer_id, member.hired_by_id, company_scope)
    planned, errors = _plan(site_id, [(0, member)])
    if errors:
        raise CrewRefused(errors[0].problem, "card_number")
    engagement = _write(site_id, member, via, _records(site_id, [member.card_number]))
    db.session.flush()
    action = planned[0].action
    if action != "unchanged":
        audit("engagement.add" if action == "create" else "engagement.update", actor, site_id=site_id,
              target_type="engagement", target_id=engagement.id, person_id=engagement.person_id,
              employer_id=member.employer_id, hired_by_id=member.hired_by_id, registered_via=via)
    return engagement, action


@use_case
def add_by_card(site_id: int, card_number: str, employer_org: str, hired_by_org: str | None,
                actor) -> tuple[Engagement, str]:
    """Engage the holder of a card (`flask crew add`): our Card row, else the HMS card service's answer."""
    orgs = _chain_orgs(site_id)
    employer_id = _org_on_chain(employer_org, orgs, "employer")
    hired_by_id = _org_on_chain(hired_by_org, orgs, "hired_by") if hired_by_org else None
    card = _card_for(card_number.strip())
    person = card.person
    member = Member(person.first_name, person.last_name, person.birth_date, card.number, employer_id, hired_by_id)
    return add_member(site_id, member, actor, via="site_office")


def _card_for(number: str) -> Card:
    card = db.session.scalar(select(Card).where(Card.number == number))
    if card is not None:
        return card
    ref = CardRef("card_number", number)
    check = get_card_service().lookup(ref)
    if check.outcome is LookupOutcome.UNAVAILABLE:
        raise CrewRefused(Problem("HMS-kortregisteret svarer ikke nå; prøv igjen senere",
                                  "The HMS card service is not answering; try again later"), "card_number")
    if check.outcome is not LookupOutcome.FOUND:
        raise CrewRefused(Problem("Ukjent HMS-kort: registeret kjenner ikke dette kortnummeret",
                                  "Unknown HMS card: the card register does not know this number"), "card_number")
    card = record_check(ref, check)
    db.session.flush()
    return card


# --- the contract chain and the employer_rep's scope -------------------------------------------------


def _chain_orgs(site_id: int) -> dict[str, int]:
    """org number → company id, for the companies on the site's contract chain."""
    return {org: company_id for org, company_id in db.session.execute(
        select(Company.org_number, Company.id).join(SiteCompany, SiteCompany.company_id == Company.id)
        .where(SiteCompany.site_id == site_id, Company.org_number.is_not(None)))}


def _member(row: CrewRow, orgs: dict[str, int], company_scope: int | None, set_phone: bool = False) -> Member:
    employer_id = _org_on_chain(row.employer_org, orgs, "employer")
    hired_by_id = _org_on_chain(row.hired_by_org, orgs, "hired_by") if row.hired_by_org else None
    _check_scope(employer_id, company_scope)
    return Member(row.first_name, row.last_name, row.birth_date, row.card_number, employer_id, hired_by_id,
                  row.active_from, row.active_to, row.phone, set_phone)


def _org_on_chain(org: str, orgs: dict[str, int], field: str) -> int:
    number = normalize_org_number(org or "")
    if not is_valid_org_number(number):
        raise CrewRefused(Problem(f"«{number[:20]}» er ikke et gyldig organisasjonsnummer",
                                  f"'{number[:20]}' is not a valid organisation number"), field)
    if number not in orgs:
        raise _not_on_chain(field, number)
    return orgs[number]


def _not_on_chain(field: str, number: str) -> CrewRefused:
    if field == "hired_by":
        return CrewRefused(Problem(
            f"Innleievirksomheten er ikke i kontraktskjeden for denne byggeplassen (org.nr. {number}). "
            "Legg firmaet til under Firmaer først",
            f"The hiring company is not on this site's contract chain (org no. {number}). "
            "Add the company under Companies first"), field)
    return CrewRefused(Problem(
        f"Arbeidsgiveren er ikke i kontraktskjeden for denne byggeplassen (org.nr. {number}). "
        "Legg firmaet til under Firmaer først",
        f"The employer is not on this site's contract chain (org no. {number}). "
        "Add the company under Companies first"), field)


def _check_companies(site_id: int, employer_id: int, hired_by_id: int | None, company_scope: int | None) -> None:
    on_chain = set(db.session.scalars(select(SiteCompany.company_id).where(SiteCompany.site_id == site_id)))
    if employer_id not in on_chain:
        raise _not_on_chain("employer", _identifier(employer_id))
    if hired_by_id is not None and hired_by_id not in on_chain:
        raise _not_on_chain("hired_by", _identifier(hired_by_id))
    if hired_by_id == employer_id:
        raise CrewRefused(Problem("Innleid av kan ikke være arbeidsgiveren selv",
                                  "Hired by cannot be the employer itself"), "hired_by")
    _check_scope(employer_id, company_scope)


def _identifier(company_id: int) -> str:
    company = db.session.get(Company, company_id)
    return company.identifier if company is not None else "?"


def _check_scope(employer_id: int, company_scope: int | None) -> None:
    """An employer_rep registers only its own company's people (hired in by anyone on the chain)."""
    if company_scope is not None and employer_id != company_scope:
        raise CrewRefused(Problem("Du kan bare registrere folk som er ansatt i ditt eget firma",
                                  "You may only register people employed by your own company"), "employer")


# --- finding people, planning, writing ----------------------------------------------------------


@dataclass
class _Records:
    """What we already know about the file's people on this site, read in a few queries."""

    cards: dict[str, Card]
    site_people: dict[tuple, Person]
    engagements: dict[tuple, Engagement]
    planned: dict[tuple, int] = field(default_factory=dict)  # engagement key → the row that plans it


def _plan(site_id: int, members: list[tuple[int, Member]]) -> tuple[list[PlannedRow], list[RowError]]:
    records = _records(site_id, [m.card_number for _, m in members])
    planned, errors = [], []
    for row, member in members:
        try:
            planned.append(_plan_one(row, member, records))
        except CrewRefused as refused:
            errors.append(RowError(row, refused.problem))
    return planned, errors


def _plan_one(row: int, member: Member, records: _Records) -> PlannedRow:
    person = _known_person(member, records)
    person_key = person.id if person is not None else ("new", *_person_key(member.first_name, member.last_name,
                                                                           member.birth_date))
    key = (person_key, member.employer_id)
    if key in records.planned:
        raise CrewRefused(Problem(f"Samme person og arbeidsgiver som rad {records.planned[key]}",
                                  f"Same person and employer as row {records.planned[key]}"))
    records.planned[key] = row
    engagement = records.engagements.get(key) if person is not None else None
    if engagement is None:
        action = "create"
    elif (engagement.hired_by_id, engagement.active_from, engagement.active_to) == \
            (member.hired_by_id, member.active_from, member.active_to) and \
            (not member.set_phone or engagement.phone == member.phone):
        action = "unchanged"
    else:
        action = "update"
    return PlannedRow(row, member, action, person.id if person is not None else None)


def _known_person(member: Member, records: _Records) -> Person | None:
    """The card's holder (who must be this person), else someone on the site with this name and birth date."""
    key = _person_key(member.first_name, member.last_name, member.birth_date)
    card = records.cards.get(member.card_number)
    if card is not None:
        holder = card.person
        if _person_key(holder.first_name, holder.last_name, holder.birth_date) != key:
            raise CrewRefused(Problem(
                "HMS-kortet er registrert på en annen person (navn eller fødselsdato stemmer ikke)",
                "The HMS card belongs to someone else (name or date of birth does not match)"), "card_number")
        return holder
    return records.site_people.get(key)


def _person_key(first: str, last: str, born: date) -> tuple:
    return " ".join(f"{first} {last}".split()).casefold(), born


def _records(site_id: int, numbers: list[str]) -> _Records:
    cards = {}
    for chunk in _chunks(sorted(set(numbers))):
        for card in db.session.scalars(select(Card).where(Card.number.in_(chunk)).options(joinedload(Card.person))):
            cards[card.number] = card
    engagements = list(db.session.scalars(select(Engagement).where(Engagement.site_id == site_id)
                                          .options(joinedload(Engagement.person))))
    people = {_person_key(e.person.first_name, e.person.last_name, e.person.birth_date): e.person
              for e in engagements}
    return _Records(cards, people, {(e.person_id, e.employer_id): e for e in engagements})


def _write(site_id: int, member: Member, via: str, records: _Records) -> Engagement:
    """Person, card and engagement for one planned row; `records` learns them for the next rows.
    Flushes."""
    person = _known_person(member, records)
    if person is None:
        person = Person(first_name=member.first_name, last_name=member.last_name, birth_date=member.birth_date)
        db.session.add(person)
        records.site_people[_person_key(person.first_name, person.last_name, person.birth_date)] = person
    if member.card_number not in records.cards:
        # No status yet: the first scan asks the card service and fills it in (card_checks.record_check).
        card = Card(number=member.card_number, person=person, employer_id=member.employer_id)
        db.session.add(card)
        records.cards[card.number] = card
    db.session.flush()
    engagement = records.engagements.get((person.id, member.employer_id))
    if engagement is None:
        engagement = Engagement(person_id=person.id, site_id=site_id, employer_id=member.employer_id,
                                registered_via=via)
        db.session.add(engagement)
        records.engagements[(person.id, member.employer_id)] = engagement
    engagement.hired_by_id, engagement.active_from, engagement.active_to = (
        member.hired_by_id, member.active_from, member.active_to)
    if member.set_phone:
        engagement.phone = member.phone
    _update_todays_row(site_id, person.id, engagement)
    return engagement


def _update_todays_row(site_id: int, person_id: int, engagement: Engagement) -> None:
    """A worker already on today's list (scanned before the crew was registered) gets the
    innleievirksomhet the engagement names, so today's § 15 list is right the same day (a checked
    version of today then reads "endret siden"). Earlier days stay as they were recorded."""
    today = site_today()
    if not active_on(engagement.active_from, engagement.active_to, today):
        return
    db.session.execute(update(AttendanceDay).where(
        AttendanceDay.site_id == site_id, AttendanceDay.person_id == person_id, AttendanceDay.local_date == today,
        AttendanceDay.employer_id == engagement.employer_id, AttendanceDay.removed_at.is_(None),
    ).values(hired_by_id=engagement.hired_by_id).execution_options(synchronize_session=False))


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]
