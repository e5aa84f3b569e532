"""The gate's hot queries: what one kiosk scan reads, in one statement, and what it writes, in one.

Each statement a scan sends costs about as much Python as SQL (bench/README.md, "Scan ingest" and
"the floor"), so a warm scan sends one SELECT that carries everything the decision needs and one
write that stores everything it decided. The decision between the two is Python (app/domain/);
these statements only move data. Rows are read by column name. The statements are built once, at
import: building one cost more than sending it (bench/roundtrips.py).
"""
import fcntl
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (Date, and_, bindparam, cast, false, func, insert, literal, null, or_, select, type_coerce,
                        union_all, update)

from app.domain import attendance
from app.domain.contract_chain import KnownCompany
from app.extensions import db
from app.models.periods import active_on
from app.models import (AttendanceDay, Card, CardOrder, Company, Engagement, Kiosk, OutboxDelivery, Person, ScanEvent,
                        Site, SiteCompany, SiteInduction)

_kiosk, _site, _induction = Kiosk.__table__, Site.__table__, SiteInduction.__table__
_card, _person, _company = Card.__table__, Person.__table__, Company.__table__
_day, _event, _outbox = AttendanceDay.__table__, ScanEvent.__table__, OutboxDelivery.__table__
_recent = _event.alias("recent")
_engagement = Engagement.__table__
_ordered_person = _person.alias("ordered_person")


class DayChanged(Exception):
    """The person's day changed between the scan's read and its write: read again and decide again."""


# --- the read --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateKiosk:
    """The kiosk behind the request, and its site's rules (columns of the gate read)."""

    id: int
    name: str
    mode: str
    site_id: int
    last_seen_at: datetime | None


@dataclass(frozen=True)
class CardOnRecord:
    """What a new card-service answer is compared with, to be written with the scan instead of
    before it (card_checks.fits_record): the holder's names and date of birth, the employer's
    identifiers, and whether a worker with a card on order and the same date of birth waits here."""

    first_name: str
    last_name: str
    birth_date: date
    employer: KnownCompany
    order_waiting: bool


@dataclass(frozen=True)
class GateCard:
    """The card on record, its holder and employer, and this site's rules about them."""

    card_id: int
    number: str
    valid_to: date | None
    person_id: int
    person_name: str
    employer_id: int
    employer_name: str
    last_status: str | None
    last_valid_at: datetime | None
    person_barred: bool
    employer_registered: bool  # on this site's contract chain today
    on_record: CardOnRecord | None = None  # read only with a new answer from the card service


@dataclass(frozen=True)
class GateDay:
    """The person's row on the site's list for the scan's date, with the version its write checks."""

    id: int
    version: int
    first_in: datetime | None
    last_out: datetime | None
    last_scan_at: datetime | None
    is_present: bool
    flags: tuple[str, ...]
    removed: bool


@dataclass(frozen=True)
class RecentScan:
    """A stored, not voided scan near this one: an accepted scan of the card, or this gate's read of its number."""

    id: str
    site_id: int
    kiosk_id: int | None
    card_id: int | None
    card_number: str | None
    decision: str
    direction: str
    scanned_at: datetime


@dataclass(frozen=True)
class GateSnapshot:
    """Everything one scan's decision reads, from one statement."""

    site_id: int
    outage_policy: str
    outage_grace_hours: int
    only_registered_companies: bool
    induction_mode: str  # refuse|warn|off
    hmsreg_enabled: bool
    kiosk: GateKiosk | None  # None for a registration made in the web app
    card: GateCard | None  # None when no card number was asked about, or we have no such card
    day: GateDay | None
    recent: tuple[RecentScan, ...]
    # The holder's engagements at the site, oldest first, for a day's first row; read with a new
    # card-service answer only (nearly every day's first scan has one), else None: not read.
    engagements: tuple[attendance.Engagement, ...] | None = None


def _decision_columns():
    """The kiosk's site and rules, the kiosk, the card with its holder, employer and this site's
    rules about them (EXISTS columns), and the holder's day."""
    today = bindparam("today", type_=Date)
    barred = (select(Engagement.id)
              .where(Engagement.site_id == _site.c.id, Engagement.person_id == _card.c.person_id,
                     Engagement.barred.is_(True)).exists())
    registered = (select(SiteCompany.id)
                  .where(SiteCompany.site_id == _site.c.id, SiteCompany.company_id == _card.c.employer_id,
                         active_on(SiteCompany.active_from, SiteCompany.active_to, today)).exists())
    return [
        _site.c.id.label("site_id"), _site.c.outage_policy, _site.c.outage_grace_hours,
        _site.c.only_registered_companies, func.coalesce(_induction.c.mode, "off").label("induction_mode"),
        _site.c.hmsreg_enabled,
        _kiosk.c.id.label("kiosk_id"), _kiosk.c.name.label("kiosk_name"), _kiosk.c.mode.label("kiosk_mode"),
        _kiosk.c.last_seen_at.label("kiosk_last_seen_at"),
        _card.c.id.label("card_id"), _card.c.number.label("card_number"), _card.c.valid_to.label("card_valid_to"),
        _card.c.person_id, _person.c.first_name, _person.c.last_name, _card.c.employer_id,
        _company.c.name.label("employer_name"), _card.c.last_status, _card.c.last_valid_at,
        barred.label("person_barred"), registered.label("employer_registered"),
        _day.c.id.label("day_id"), _day.c.version.label("day_version"), _day.c.first_in, _day.c.last_out,
        _day.c.last_scan_at, _day.c.is_present, _day.c.flags, _day.c.removed_at,
    ]


def _on_record_columns():
    """The card's record as a new answer from the card service is compared with (CardOnRecord)."""
    order_waiting = (select(CardOrder.id).join(_ordered_person, _ordered_person.c.id == CardOrder.person_id)
                     .where(CardOrder.site_id == _site.c.id, CardOrder.card_id.is_(None),
                            _ordered_person.c.birth_date == _person.c.birth_date).exists())
    return [_person.c.birth_date, _company.c.org_number.label("employer_org_number"),
            _company.c.country.label("employer_country"), _company.c.foreign_id.label("employer_foreign_id"),
            order_waiting.label("order_waiting")]


def _recent_columns():
    return [_recent.c.id.label("recent_id"), _recent.c.site_id.label("recent_site_id"),
            _recent.c.kiosk_id.label("recent_kiosk_id"), _recent.c.card_id.label("recent_card_id"),
            _recent.c.card_number.label("recent_card_number"), _recent.c.decision.label("recent_decision"),
            _recent.c.direction.label("recent_direction"), _recent.c.scanned_at.label("recent_scanned_at")]


def _engagement_columns():
    return [_engagement.c.id.label("engagement_id"), _engagement.c.employer_id.label("engagement_employer_id"),
            _engagement.c.hired_by_id.label("engagement_hired_by_id"),
            _engagement.c.active_from.label("engagement_active_from"),
            _engagement.c.active_to.label("engagement_active_to")]


def _nulls(columns, in_sql: bool = False):
    """NULLs in the other parts' columns, typed as those columns so their values still decode, and
    `in_sql` (a CAST) where no part before has the type: PostgreSQL settles a UNION's column types
    two parts at a time, and two untyped NULLs settle as text."""
    typed = cast if in_sql else type_coerce
    return [typed(null(), column.type).label(column.name) for column in columns]


def _gate_read(kiosk_filter, on_record: bool):
    """One row with the decision's columns (the kiosk by `kiosk_filter`, or none), then one row per
    recent scan, and with `on_record` one per engagement of the holder at the site. UNION ALL, each
    part's columns NULL in the others' rows: joined, every recent scan would repeat the decision's
    columns, and decoding them cost more than the query.

    A NULL parameter matches nothing (NULL = x is never true): no card number, no card; no kiosk,
    no repeat reads at it."""
    if kiosk_filter is None:  # a registration made in the web app: the site by id, no kiosk
        source = _site.outerjoin(_kiosk, false())
        where = _site.c.id == bindparam("site_id")
        kiosk_id, site_id = null(), bindparam("site_id")
    else:
        source = _kiosk.join(_site, _site.c.id == _kiosk.c.site_id)
        where = and_(kiosk_filter, _kiosk.c.revoked_at.is_(None))
        # The parts below ask for the kiosk (and the card) several times: found once, in a CTE.
        gate_kiosk = select(_kiosk.c.id, _kiosk.c.site_id).where(where).cte("gate_kiosk")
        kiosk_id, site_id = select(gate_kiosk.c.id).scalar_subquery(), select(gate_kiosk.c.site_id).scalar_subquery()
    source = (source
              .outerjoin(_induction, _induction.c.site_id == _site.c.id)
              .outerjoin(_card, _card.c.number == bindparam("card_number"))
              .outerjoin(_person, _person.c.id == _card.c.person_id)
              .outerjoin(_company, _company.c.id == _card.c.employer_id)
              .outerjoin(_day, and_(_day.c.site_id == _site.c.id, _day.c.person_id == _card.c.person_id,
                                    _day.c.local_date == bindparam("local_date", type_=Date))))
    decision, recent = _decision_columns() + (_on_record_columns() if on_record else []), _recent_columns()
    engagements = _engagement_columns() if on_record else []
    gate_card = select(_card.c.id, _card.c.person_id).where(_card.c.number == bindparam("card_number")).cte("gate_card")
    card_id, holder = select(gate_card.c.id).scalar_subquery(), select(gate_card.c.person_id).scalar_subquery()
    parts = [
        select(*decision, *_nulls(recent), *_nulls(engagements, in_sql=True)).select_from(source).where(where),
        select(*_nulls(decision), *recent, *_nulls(engagements, in_sql=True)).where(
            _recent_scans(_recent, card_id, holder, site_id, kiosk_id)),
    ]
    if on_record:
        parts.append(select(*_nulls(decision), *_nulls(recent), *engagements).where(
            _engagement.c.site_id == site_id, _engagement.c.person_id == holder))
    return union_all(*parts)


def _recent_scans(recent, card_id, holder, site_id, kiosk_id):
    """The stored scans the rules can use (domain/attendance.ScanWindow): the card's accepted scans
    at other sites, and here between the exits nearest the new scan (the copied-card rules); this
    gate's reads of the number (repeat reads; also an unknown card's). Each arm keeps its own time
    range beside its index's key, so the index finds only the window, however long the history."""
    here_from = func.coalesce(_nearest_exit(site_id, holder, card_id, before=True), _at("here_start"))
    here_to = func.coalesce(_nearest_exit(site_id, holder, card_id, before=False), _at("here_end"))
    return or_(
        and_(_accepted_of_card(recent, holder, card_id), recent.c.scanned_at.between(_at("start"), _at("end")),
             or_(recent.c.site_id != site_id, recent.c.scanned_at.between(here_from, here_to))),
        and_(recent.c.kiosk_id == kiosk_id, recent.c.card_number == bindparam("number"),
             recent.c.voided_at.is_(None), recent.c.scanned_at.between(_at("repeat_start"), _at("repeat_end"))))


def _nearest_exit(site_id, holder, card_id, before: bool):
    """When the card last went out here before the new scan (before=True), or first after it: the
    (person_id, scanned_at) index read from the new scan outwards, stopping at the first exit."""
    exit_ = _event.alias("exit_before" if before else "exit_after")
    if before:
        when, nearest_first = exit_.c.scanned_at.between(_at("here_start"), _at("at")), exit_.c.scanned_at.desc()
    else:
        when, nearest_first = exit_.c.scanned_at.between(_at("at"), _at("here_end")), exit_.c.scanned_at.asc()
    return (select(exit_.c.scanned_at)
            .where(_accepted_of_card(exit_, holder, card_id), exit_.c.site_id == site_id,
                   exit_.c.direction == "out", when)
            .order_by(nearest_first).limit(1).scalar_subquery())


def _accepted_of_card(scans, holder, card_id):
    # By holder too: the (person_id, scanned_at) index finds them.
    return and_(scans.c.person_id == holder, scans.c.card_id == card_id, scans.c.decision == "accepted",
                scans.c.voided_at.is_(None))


def _at(name: str):
    return bindparam(name, type_=_event.c.scanned_at.type)


# Why one statement: a scan's kiosk, card, day and recent scans are all known before it asks, and
# each round trip costs as much Python as SQL (bench/README.md, "Scan ingest"). Keyed by what finds
# the kiosk, and by whether a new card-service answer is to be compared with the card's record.
_KIOSK_FILTERS = {"token_hash": _kiosk.c.token_hash == bindparam("token_hash"),
                  "kiosk_id": _kiosk.c.id == bindparam("kiosk_id"), "site_id": None}
GATE_READS = {(key, on_record): _gate_read(kiosk_filter, on_record)
              for key, kiosk_filter in _KIOSK_FILTERS.items() for on_record in (False, True)}


def read_gate(*, local_date: date, today: date, window: attendance.ScanWindow, number: str | None,
              card_number: str | None, token_hash: str | None = None, kiosk_id: int | None = None,
              site_id: int | None = None, on_record: bool = False) -> GateSnapshot | None:
    """What a scan's decision needs, keyed by exactly one of token_hash, kiosk_id (a kiosk scan) or
    site_id (a registration in the web app). None when no active kiosk (or no site) matches.
    `card_number` joins the card on record; `number` finds this gate's earlier reads of it;
    `on_record` reads the card's CardOnRecord too."""
    params = {"local_date": local_date, "today": today, "at": window.at, "start": window.start, "end": window.end,
              "here_start": window.here_start, "here_end": window.here_end, "repeat_start": window.repeat_start,
              "repeat_end": window.repeat_end, "number": number, "card_number": card_number}
    key = "token_hash" if token_hash is not None else "kiosk_id" if kiosk_id is not None else "site_id"
    params[key] = {"token_hash": token_hash, "kiosk_id": kiosk_id, "site_id": site_id}[key]
    rows = db.session.execute(GATE_READS[key, on_record], params).all()
    first = next((row for row in rows if row.site_id is not None), None)
    return _snapshot(first, rows, on_record) if first is not None else None


def _card_on_record(first) -> CardOnRecord:
    employer = KnownCompany(first.employer_id, first.employer_org_number, first.employer_country,
                            first.employer_foreign_id)
    return CardOnRecord(first.first_name, first.last_name, first.birth_date, employer, bool(first.order_waiting))


def _snapshot(first, rows, on_record: bool) -> GateSnapshot:
    kiosk = None if first.kiosk_id is None else GateKiosk(
        first.kiosk_id, first.kiosk_name, first.kiosk_mode, first.site_id, first.kiosk_last_seen_at)
    card = None if first.card_id is None else GateCard(
        first.card_id, first.card_number, first.card_valid_to, first.person_id, f"{first.first_name} {first.last_name}",
        first.employer_id, first.employer_name, first.last_status, first.last_valid_at,
        bool(first.person_barred), bool(first.employer_registered), _card_on_record(first) if on_record else None)
    day = None if first.day_id is None else GateDay(
        first.day_id, first.day_version, first.first_in, first.last_out, first.last_scan_at,
        bool(first.is_present), tuple(first.flags or ()), first.removed_at is not None)
    recent = tuple(RecentScan(r.recent_id, r.recent_site_id, r.recent_kiosk_id, r.recent_card_id,
                              r.recent_card_number, r.recent_decision, r.recent_direction, r.recent_scanned_at)
                   for r in rows if r.recent_id is not None)
    engagements = None
    if on_record:
        engagements = tuple(attendance.Engagement(r.engagement_employer_id, r.engagement_hired_by_id,
                                                  r.engagement_active_from, r.engagement_active_to)
                            for r in sorted((r for r in rows if r.engagement_id is not None),
                                            key=lambda r: r.engagement_id))
    return GateSnapshot(first.site_id, first.outage_policy, first.outage_grace_hours,
                        bool(first.only_registered_companies), first.induction_mode, bool(first.hmsreg_enabled),
                        kiosk, card, day, recent, engagements)


# --- the write -------------------------------------------------------------------------------

EVENT_COLUMNS = ("id", "site_id", "kiosk_id", "card_id", "card_number", "person_id", "scanned_at", "received_at",
                 "local_date", "decision", "reason", "direction", "verified", "late", "warnings", "message",
                 "source", "note", "needs_approval")
DAY_STATE_COLUMNS = ("first_in", "last_out", "last_scan_at", "is_present", "flags")
NEW_DAY_COLUMNS = ("site_id", "person_id", "local_date", "employer_id", "hired_by_id", "card_id", "source",
                   *DAY_STATE_COLUMNS)
CHANGED_DAY_COLUMNS = ("card_id", "source", *DAY_STATE_COLUMNS)
# What a card-service answer writes on the card row itself (card_checks.card_fields).
CARD_COLUMNS = ("card_type", "issued_on", "valid_to", "last_status", "last_status_reason", "last_checked_at")


def _binds(table, columns, prefix: str) -> dict:
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in columns}


INSERT_EVENT = insert(_event).values(_binds(_event, EVENT_COLUMNS, "event_"))
INSERT_DAY = insert(_day).values(**_binds(_day, NEW_DAY_COLUMNS, "day_"), version=literal(0)).returning(_day.c.id)
# The concurrency check is in the statement: the day is written only if nobody wrote it since the
# read (its version); otherwise nothing is written and the scan is read and decided again.
# card_id and source: NULL keeps what the row has (a card-ordered registration has no card; only a
# manual change marks the row manual).
UPDATE_DAY = (update(_day).where(_day.c.id == bindparam("day_id"), _day.c.version == bindparam("day_version"))
              .values(**_binds(_day, DAY_STATE_COLUMNS, "day_"),
                      card_id=func.coalesce(bindparam("day_card_id", type_=_day.c.card_id.type), _day.c.card_id),
                      source=func.coalesce(bindparam("day_source", type_=_day.c.source.type), _day.c.source),
                      version=_day.c.version + 1)
              .returning(_day.c.id))
# A new answer from the card service that changes only the card's own fields is written with the
# scan (card_checks.fits_record). NULL keeps what the row has: the last "valid" when this answer is
# not one, the QR token's hash when the card was not scanned by QR.
UPDATE_CARD = (update(_card).where(_card.c.id == bindparam("card_id"))
               .values(**_binds(_card, CARD_COLUMNS, "card_"),
                       last_valid_at=func.coalesce(bindparam("card_last_valid_at", type_=_card.c.last_valid_at.type),
                                                   _card.c.last_valid_at),
                       qr_token_hash=func.coalesce(bindparam("card_qr_token_hash", type_=_card.c.qr_token_hash.type),
                                                   _card.c.qr_token_hash)))
# HMSREG gets one registration per accepted scan at a site that has it on (app/services/connectors.py).
INSERT_HMSREG = insert(_outbox).values(
    site_id=bindparam("event_site_id"), receiver=literal("hmsreg"), ref=bindparam("event_id"),
    state=literal("pending"), attempts=literal(0),
    next_attempt_at=bindparam("event_received_at", type_=_outbox.c.next_attempt_at.type),
    created_at=bindparam("event_received_at", type_=_outbox.c.created_at.type))


def _one_write(day_statement, hmsreg: bool, card: bool):
    """PostgreSQL: the event (and the HMSREG row, and the card's new answer) as data-modifying CTEs
    of the day's write."""
    others = [INSERT_HMSREG.cte("new_delivery")] if hmsreg else []
    others += [UPDATE_CARD.cte("card_answer")] if card else []
    if day_statement is None:  # a rejected scan, or nobody to list: the event is the statement
        return INSERT_EVENT.add_cte(*others) if others else INSERT_EVENT
    return day_statement.add_cte(INSERT_EVENT.cte("new_event"), *others)


# Built once per shape: (day write, HMSREG on, card answer). Why one statement: see the module docstring.
ONE_WRITE = {(day, hmsreg, card): _one_write(statement, hmsreg, card)
             for day, statement in (("none", None), ("insert", INSERT_DAY), ("update", UPDATE_DAY))
             for hmsreg in (False, True) for card in (False, True)}


@dataclass(frozen=True)
class DayWrite:
    """What a scan writes to the person's day: a new row (`day_id` None) or a change to the row read."""

    values: dict  # NEW_DAY_COLUMNS for a new row, CHANGED_DAY_COLUMNS for a change
    day_id: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class CardWrite:
    """A new card-service answer written with the scan: the card row's CARD_COLUMNS, last_valid_at
    and qr_token_hash (None keeps what the row has)."""

    card_id: int
    values: dict


def write_scan(event: dict, day: DayWrite | None, hmsreg: bool, card: CardWrite | None = None) -> None:
    """Store a scan's event, its effect on the day and the card's new answer: one statement on
    PostgreSQL, a few in-process ones on SQLite (no data-modifying CTEs there). Raises DayChanged
    when the day changed since it was read; a duplicate scan id or a day row made meanwhile raises
    IntegrityError."""
    params = {f"event_{name}": event[name] for name in EVENT_COLUMNS}
    if card is not None:
        params.update(_card_params(card))
    kind = "none" if day is None else "insert" if day.day_id is None else "update"
    if day is not None:
        params.update({f"day_{name}": value for name, value in day.values.items()})
        if day.day_id is not None:
            params.update(day_id=day.day_id, day_version=day.version)
    if db.session.get_bind().dialect.name == "postgresql":
        result = db.session.execute(ONE_WRITE[kind, hmsreg, card is not None], params)
    else:
        result = _write_one_by_one(kind, hmsreg, card is not None, params)
    if kind != "none" and result.first() is None:
        raise DayChanged()


def write_card(card: CardWrite) -> None:
    """A new answer about the card alone, for a scan that registers nothing (a repeat read)."""
    db.session.execute(UPDATE_CARD, _card_params(card))


def _card_params(card: CardWrite) -> dict:
    return {"card_id": card.card_id, **{f"card_{name}": value for name, value in card.values.items()}}


def _write_one_by_one(kind: str, hmsreg: bool, card: bool, params: dict):
    db.session.execute(INSERT_EVENT, params)
    if hmsreg:
        db.session.execute(INSERT_HMSREG, params)
    if card:
        db.session.execute(UPDATE_CARD, params)
    if kind == "none":
        return None
    return db.session.execute(INSERT_DAY if kind == "insert" else UPDATE_DAY, params)


# --- SQLite: one gate writer at a time ---------------------------------------------------------

_writer_thread_lock = threading.Lock()
_writer_files: dict[tuple[int, str], int] = {}  # (process id, lock file): a descriptor per process


@contextmanager
def one_gate_writer():
    """On SQLite, kiosk scans queue here, across the server's threads and worker processes, from
    their read to their commit. SQLite lets one writer in at a time and the others sleep and retry
    on a growing schedule, so under load a scan waited far longer than the write ahead of it took
    (bench/README.md, "Scan ingest"); a lock that wakes the next writer when it is free does not.
    Held around the whole scan, so no scan holds SQLite's write lock while it waits here.
    PostgreSQL's writers need no such queue."""
    bind = db.session.get_bind()
    path = bind.url.database if bind.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with _writer_thread_lock:
        fd = _lock_file(path + ".gate-lock")
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _lock_file(path: str) -> int:
    # Opened in each process, never inherited: a descriptor shared across fork shares its lock too.
    key = (os.getpid(), path)
    if key not in _writer_files:
        _writer_files[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return _writer_files[key]


# --- the web app's registrations: the day read under a lock -----------------------------------

DAY_FOR_UPDATE = (select(_day.c.id, _day.c.version, _day.c.first_in, _day.c.last_out, _day.c.last_scan_at,
                         _day.c.is_present, _day.c.flags, _day.c.removed_at)
                  .where(_day.c.site_id == bindparam("site_id"), _day.c.person_id == bindparam("person_id"),
                         _day.c.local_date == bindparam("local_date"))
                  .with_for_update())


def locked_day(site_id: int, person_id: int, day_date: date) -> GateDay | None:
    """The person's day, locked until the transaction ends (manual registrations, voids): on SQLite,
    which has no row locks, by taking the database's write lock before reading."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(_day).where(false()).values(id=_day.c.id))
    row = db.session.execute(DAY_FOR_UPDATE, {"site_id": site_id, "person_id": person_id,
                                              "local_date": day_date}).one_or_none()
    if row is None:
        return None
    return GateDay(row.id, row.version, row.first_in, row.last_out, row.last_scan_at, bool(row.is_present),
                   tuple(row.flags or ()), row.removed_at is not None)
