"""Workers whose HMS card is on order: record the documented order, list a site's orders, hand back
the receipt, and link the order to the card when it is first scanned.

Arbeidstilsynet accepts work while a card is on order if the order is documented, so a
builder_rep records who (name and date of birth only, never a national id number), for whom,
the order reference or receipt and who approved it, for at most 30 days. Registering such a
worker on the day's list lives with the other registrations in app/services/scans.py
(`register_card_ordered`), under the same in/out rules and locks.
"""
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import delete, select, union, update
from sqlalchemy.orm import joinedload

from app.clock import local_day
from app.domain import card_orders as rules
from app.domain.attendance import DayState
from app.extensions import db
from app.models import (
    AccessLink, AttendanceDay, Card, CardOrder, Engagement, FollowUp, Person, ScanEvent, SiteCompany,
)
from app.models.people import MAX_NAME_LENGTH
from app.services import use_case
from app.services.audit import audit
from app.services.companies import chain_companies  # noqa: F401 (the companies an order may name)

EARLIEST_BIRTH = date(1900, 1, 1)


class CardOrderRefused(ValueError):
    """Why an order cannot be recorded or used; `field` names the form field the message belongs to."""

    def __init__(self, field: str, code: str):
        super().__init__(code)
        self.field, self.code = field, code


@dataclass(frozen=True)
class NewCardOrder:
    first_name: str
    last_name: str
    birth_date: date
    employer_id: int  # a company on the site's contract chain
    hired_by_id: int | None  # the innleievirksomhet, for a hired-in worker
    order_reference: str | None
    receipt: bytes | None
    receipt_filename: str | None
    approved_by: str
    valid_until: date


@dataclass(frozen=True)
class OrderRow:
    """One order as the site's page shows it."""

    order: CardOrder
    status: str  # open|expired|linked


class Receipt(NamedTuple):
    content: bytes
    filename: str
    mimetype: str


# ---- recording ---------------------------------------------------------------------------------

@use_case
def record_order(site_id: int, new: NewCardOrder, user, now: datetime) -> CardOrder:
    """Record a card-ordered worker on the site; the person is one already on this site or a new one.

    Also engages the worker on the site with the order's employer and innleievirksomhet, so that
    the card, once it comes, is listed with the same § 15 c facts. Audited with ids only; commits.
    """
    today = local_day(now)
    names = _checked_names(new)
    _check_dates(new, today)
    _check_chain(site_id, new)
    receipt = _checked_receipt(new)
    if not (new.order_reference or "").strip() and receipt is None:
        raise CardOrderRefused("order_reference", "reference_or_receipt")
    person = _person_on_site(site_id, *names, new.birth_date)
    order = CardOrder(site_id=site_id, person=person, employer_id=new.employer_id, hired_by_id=new.hired_by_id,
                      order_reference=(new.order_reference or "").strip()[:100] or None,
                      approved_by=new.approved_by.strip()[:200], valid_until=new.valid_until,
                      created_by_id=user.id, created_at=now, **(receipt or {}))
    db.session.add(order)
    db.session.flush()
    engagement = _engage(site_id, person, new, today)
    audit("card_order.create", user, site_id=site_id, target_type="card_order", target_id=order.id, at=now,
          person_id=person.id, employer_id=new.employer_id, hired_by_id=new.hired_by_id,
          engagement_id=engagement, receipt=receipt is not None)
    return order


def _checked_names(new: NewCardOrder) -> tuple[str, str]:
    first, last = " ".join(new.first_name.split()), " ".join(new.last_name.split())
    if not first or len(first) > MAX_NAME_LENGTH:
        raise CardOrderRefused("first_name", "name")
    if not last or len(last) > MAX_NAME_LENGTH:
        raise CardOrderRefused("last_name", "name")
    if not new.approved_by.strip():
        raise CardOrderRefused("approved_by", "approved_by")
    return first, last


def _check_dates(new: NewCardOrder, today: date) -> None:
    if not EARLIEST_BIRTH <= new.birth_date < today:
        raise CardOrderRefused("birth_date", "birth_date")
    problem = rules.validity_problem(new.valid_until, today)
    if problem is not None:
        raise CardOrderRefused("valid_until", problem)


def _check_chain(site_id: int, new: NewCardOrder) -> None:
    """Employer and innleievirksomhet must be on the site's contract chain (the § 15 list names them)."""
    on_chain = set(db.session.scalars(select(SiteCompany.company_id).where(SiteCompany.site_id == site_id)))
    if new.employer_id not in on_chain:
        raise CardOrderRefused("employer_id", "not_on_chain")
    if new.hired_by_id is not None and (new.hired_by_id not in on_chain or new.hired_by_id == new.employer_id):
        raise CardOrderRefused("hired_by_id", "not_on_chain")


def _checked_receipt(new: NewCardOrder) -> dict | None:
    """The receipt's columns, or None without one; refuses anything but a PDF, JPEG or PNG ≤ 5 MB."""
    if not new.receipt:
        return None
    if len(new.receipt) > rules.MAX_RECEIPT_BYTES:
        raise CardOrderRefused("receipt", "receipt_too_large")
    kind = rules.receipt_type(new.receipt)
    if kind is None:
        raise CardOrderRefused("receipt", "receipt_type")
    mimetype, extension = kind
    return dict(receipt=new.receipt, receipt_mimetype=mimetype,
                receipt_filename=rules.receipt_filename(new.receipt_filename, extension))


def _person_on_site(site_id: int, first: str, last: str, birth_date: date) -> Person:
    """Someone already on this site's rows with this name (folded) and date of birth, else a new person.

    Only this site's people: an order must not reveal, or attach to, a person known from another
    site. Two records of one worker are merged when the card is scanned (link_scanned_card).
    """
    on_site = union(*(select(model.person_id).where(model.site_id == site_id)
                      for model in (AttendanceDay, Engagement, CardOrder))).subquery()
    candidates = db.session.scalars(select(Person).where(Person.birth_date == birth_date,
                                                         Person.id.in_(select(on_site.c.person_id)))
                                    .order_by(Person.id))
    for person in candidates:
        if rules.same_person(person.first_name, person.last_name, person.birth_date, first, last, birth_date):
            return person
    person = Person(first_name=first, last_name=last, birth_date=birth_date)
    db.session.add(person)
    return person


def _engage(site_id: int, person: Person, new: NewCardOrder, today: date) -> int | None:
    """The worker's engagement with this employer on the site, made when missing; its id when made."""
    db.session.flush()
    existing = db.session.scalar(select(Engagement.id).where(
        Engagement.person_id == person.id, Engagement.site_id == site_id, Engagement.employer_id == new.employer_id))
    if existing is not None:
        return None
    engagement = Engagement(person_id=person.id, site_id=site_id, employer_id=new.employer_id,
                            hired_by_id=new.hired_by_id, active_from=today, registered_via="site_office")
    db.session.add(engagement)
    db.session.flush()
    return engagement.id


# ---- reading ------------------------------------------------------------------------------------

def orders_of_site(site_id: int, now: datetime) -> list[OrderRow]:
    """Every order of the site with its status: open first, then expired, then linked; newest first."""
    today = local_day(now)
    orders = db.session.scalars(select(CardOrder).where(CardOrder.site_id == site_id)
                                .options(joinedload(CardOrder.person), joinedload(CardOrder.employer),
                                         joinedload(CardOrder.hired_by), joinedload(CardOrder.card))
                                .order_by(CardOrder.id.desc()))
    rows = [OrderRow(order, rules.status(order.valid_until, order.card_id is not None, today)) for order in orders]
    rank = {rules.OPEN: 0, rules.EXPIRED: 1, rules.LINKED: 2}
    return sorted(rows, key=lambda row: rank[row.status])


MAX_ID = 2**31 - 1  # an integer column's range: a larger id in a URL is no order, not a database error


def find_order(site_id: int, order_id: int) -> CardOrder | None:
    if not 0 < order_id <= MAX_ID:
        return None
    return db.session.scalar(select(CardOrder).where(CardOrder.id == order_id, CardOrder.site_id == site_id))


def usable_on(order: CardOrder, day: date) -> bool:
    """May the order put its worker on `day`'s list? Not once linked (the card is scanned instead)."""
    recorded_on = local_day(order.created_at)
    return order.card_id is None and rules.is_valid_on(day, recorded_on, order.valid_until)


def receipt_of(site_id: int, order_id: int) -> Receipt | None:
    order = find_order(site_id, order_id)
    if order is None or not order.receipt:
        return None
    return Receipt(order.receipt, order.receipt_filename or "kvittering", order.receipt_mimetype)


# ---- linking the card when it comes --------------------------------------------------------------

def link_scanned_card(site_id: int, card: Card, at: datetime) -> list[int]:
    """Link the site's unlinked orders for this card's holder (folded name and date of birth) to it.

    Called by the card check whenever the card service's answer is recorded. The worker must stay
    one person: when the order's person is not the card's holder, the order's person is merged
    into the holder. Expired orders are linked too: their days are the same worker's. Flushes;
    returns the ids linked.
    """
    holder = card.person
    orders = db.session.scalars(
        select(CardOrder).join(Person, Person.id == CardOrder.person_id)
        .where(CardOrder.site_id == site_id, CardOrder.card_id.is_(None), Person.birth_date == holder.birth_date)
        .order_by(CardOrder.id)).all()
    linked = []
    for order in orders:
        person = order.person
        if not rules.same_person(person.first_name, person.last_name, person.birth_date,
                                 holder.first_name, holder.last_name, holder.birth_date):
            continue
        merged_from = None
        if person.id != holder.id:
            merged_from = person.id
            merge_person(person.id, holder.id)
        db.session.execute(update(CardOrder).where(CardOrder.id == order.id).values(card_id=card.id, linked_at=at))
        audit("card_order.linked", "system", site_id=site_id, target_type="card_order", target_id=order.id, at=at,
              card_id=card.id, person_id=holder.id, merged_person_id=merged_from)
        linked.append(order.id)
    if linked:
        db.session.flush()
        db.session.expire_all()  # rows were moved by bulk statements: read them again
    return linked


# Every table that names a person, for merging two records of the same worker.
_PERSON_ROWS = (AttendanceDay, ScanEvent, Engagement, CardOrder, FollowUp, AccessLink, Card)


def merge_person(source_id: int, target_id: int) -> None:
    """Move everything that names `source_id` to `target_id`, then delete the source person.

    Two rows of one site and day become one (combine_days); a second engagement with the same
    employer on the same site goes.
    """
    db.session.flush()
    _combine_duplicate_days(source_id, target_id)
    for engagement in db.session.scalars(select(Engagement).where(Engagement.person_id == source_id)).all():
        if db.session.scalar(select(Engagement.id).where(
                Engagement.person_id == target_id, Engagement.site_id == engagement.site_id,
                Engagement.employer_id == engagement.employer_id)) is not None:
            db.session.delete(engagement)
    db.session.flush()
    for model in _PERSON_ROWS:
        db.session.execute(update(model).where(model.person_id == source_id).values(person_id=target_id)
                           .execution_options(synchronize_session=False))
    db.session.execute(delete(Person).where(Person.id == source_id).execution_options(synchronize_session=False))


def _combine_duplicate_days(source_id: int, target_id: int) -> None:
    for row in db.session.scalars(select(AttendanceDay).where(AttendanceDay.person_id == source_id)).all():
        kept = db.session.scalar(select(AttendanceDay).where(
            AttendanceDay.person_id == target_id, AttendanceDay.site_id == row.site_id,
            AttendanceDay.local_date == row.local_date))
        if kept is None:
            continue
        state = rules.combine_days(_state(kept), _state(row))
        kept.first_in, kept.last_out, kept.last_scan_at = state.first_in, state.last_out, state.last_scan_at
        kept.is_present, kept.flags = state.is_present, list(state.flags)
        kept.card_id = kept.card_id or row.card_id
        db.session.delete(row)
    db.session.flush()


def _state(day: AttendanceDay) -> DayState:
    return DayState(first_in=day.first_in, last_out=day.last_out, last_scan_at=day.last_scan_at,
                    is_present=bool(day.is_present), flags=tuple(day.flags or ()))
