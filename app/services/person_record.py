"""GDPR art. 15: what one site holds about one person, and nothing about anyone else.

The self-service page and its JSON download both show exactly this record. It is scoped to the
site whose link was opened: the link's maker sees its URL, and must not reach another site's
records through it, so a worker asks each site for its own records.
"""
import json

from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceDay, Card, CardOrder, Engagement, FollowUp, Person, ScanEvent, Site


def person_record(person_id: int, site_id: int) -> dict:
    """The person, their cards, and their engagements, attendance days, scan events and follow-ups
    on `site_id` only.

    Plain dicts and lists with dates and UTC datetimes; `record_json` turns it into the download.
    The cards are the person's own (every site that knows the person sees them on its people page).
    """
    person = db.session.get(Person, person_id)
    if person is None:
        raise LookupError("person not found")
    cards = db.session.scalars(select(Card).filter_by(person_id=person_id).order_by(Card.id)).all()
    return {
        "site": db.session.get(Site, site_id).name,  # whose records these are
        "person": {"first_name": person.first_name, "last_name": person.last_name,
                   "birth_date": person.birth_date},
        "cards": [_card(card) for card in cards],
        "engagements": [_engagement(e) for e in _on_site(Engagement, person_id, site_id, Engagement.id)],
        "attendance_days": [_attendance(day) for day in _on_site(AttendanceDay, person_id, site_id,
                                                                 AttendanceDay.local_date.desc(), AttendanceDay.id)],
        "scan_events": [_scan(event) for event in _scan_events(person_id, site_id, [c.id for c in cards])],
        "follow_ups": [_followup(f) for f in _on_site(FollowUp, person_id, site_id, FollowUp.created_at.desc())],
        "card_orders": [_card_order(order) for order in _on_site(CardOrder, person_id, site_id, CardOrder.id)],
    }


def _on_site(model, person_id: int, site_id: int, *order_by):
    return db.session.scalars(select(model).filter_by(person_id=person_id, site_id=site_id).order_by(*order_by))


def _scan_events(person_id: int, site_id: int, card_ids: list[int]):
    # A scan of the person's card is about them even when it was not matched to the person.
    condition = ScanEvent.person_id == person_id
    if card_ids:
        condition = condition | ScanEvent.card_id.in_(card_ids)
    return db.session.scalars(select(ScanEvent).where(ScanEvent.site_id == site_id, condition)
                              .order_by(ScanEvent.scanned_at.desc())).all()


def _company(company):
    if company is None:
        return None
    return {"name": company.name, "identifier": company.identifier}


def _card(card: Card) -> dict:
    return {"number": card.number, "card_type": card.card_type, "employer": _company(card.employer),
            "issued_on": card.issued_on, "valid_to": card.valid_to,
            "last_status": card.last_status, "last_status_reason": card.last_status_reason,
            "last_checked_at": card.last_checked_at}


def _engagement(engagement: Engagement) -> dict:
    return {"site": engagement.site.name, "employer": _company(engagement.employer),
            "hired_by": _company(engagement.hired_by), "active_from": engagement.active_from,
            "active_to": engagement.active_to, "barred": engagement.barred,
            "barred_reason": engagement.barred_reason,
            "phone": engagement.phone}  # the roll-call phone: theirs, so in their record


def _attendance(day: AttendanceDay) -> dict:
    site = db.session.get(Site, day.site_id)
    return {"site": site.name, "date": day.local_date, "employer": _company(day.employer),
            "hired_by": _company(day.hired_by), "first_in": day.first_in, "last_out": day.last_out,
            "source": day.source, "flags": list(day.flags or []), "removed_at": day.removed_at,
            "removed_reason": day.removed_reason}


def _scan(event: ScanEvent) -> dict:
    site = db.session.get(Site, event.site_id)
    return {"site": site.name, "gate": event.kiosk.name if event.kiosk else None,
            "scanned_at": event.scanned_at, "direction": event.direction,
            "decision": event.decision, "reason": event.reason, "verified": event.verified,
            "warnings": list(event.warnings or []), "source": event.source, "note": event.note,
            "voided_at": event.voided_at, "void_reason": event.void_reason}


def _followup(followup: FollowUp) -> dict:
    site = db.session.get(Site, followup.site_id)
    return {"site": site.name, "card_number": followup.card_number, "kind": followup.kind,
            "created_at": followup.created_at, "done_at": followup.done_at}


def _card_order(order: CardOrder) -> dict:
    """A card on order, as documented for the site; the receipt's file name, not its bytes."""
    return {"employer": _company(order.employer), "hired_by": _company(order.hired_by),
            "order_reference": order.order_reference, "receipt": order.receipt_filename,
            "approved_by": order.approved_by, "valid_until": order.valid_until, "created_at": order.created_at,
            "card_number": order.card.number if order.card else None}


def record_json(record: dict) -> str:
    """The record as JSON: dates and times in ISO 8601 (times in UTC), letters as they are."""
    return json.dumps(record, ensure_ascii=False, indent=1, default=lambda value: value.isoformat())
