"""§ 8 follow-ups: cards seen at the gate whose register duties are unmet ("not valid"), which the
byggherre must report to Arbeidstilsynet and the employer, and the notice to send. (Lost, stolen and
blocked cards send the worker to the site office for an ID check instead: no follow-up.)

The card-check code creates the rows; this module lists them, drafts the notice to Arbeidstilsynet
and the employer (bokmål, ready to copy), and marks them done with a note.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.domain import followups as rules
from app.domain.countries import company_identifier
from app.domain.localtime import to_local
from app.extensions import db
from app.models import FollowUp, ScanEvent, Site, User
from app.services import use_case
from app.services.audit import audit

MAX_NOTE = 2000


class FollowUpError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Notice:
    """A message the builder's representative can copy into an e-mail or a letter."""

    recipients: tuple[str, ...]
    subject: str
    body: str


def site_followups(site_id: int, open_only: bool = False) -> list[FollowUp]:
    """Open items first (oldest first, they are the most overdue), then the done ones."""
    query = select(FollowUp).filter_by(site_id=site_id)
    if open_only:
        query = query.where(FollowUp.done_at.is_(None))
    return rules.reading_order(db.session.scalars(query).all())


def get_followup(site_id: int, followup_id: int) -> FollowUp:
    item = db.session.scalars(select(FollowUp).filter_by(id=followup_id, site_id=site_id)).first()
    if item is None:
        raise FollowUpError("not_found")
    return item


def draft_notice(item: FollowUp, site: Site, tz_name: str, sender_name: str) -> Notice:
    """The bokmål notice to Arbeidstilsynet and the employer about one card seen at the gate."""
    employer = item.card.employer if item.card is not None else None
    event = db.session.get(ScanEvent, item.scan_event_id) if item.scan_event_id else None
    seen_at = event.scanned_at if event is not None else item.created_at
    status = rules.status_text(item.kind)
    holder = item.person.name if item.person is not None else "ukjent"
    lines = [
        f"Byggherren {site.builder.name} melder at et HMS-kort som {rules.status_clause(item.kind)}, ble vist ved "
        f"adgangskontrollen på bygge- og anleggsplassen {site.name}, {site.address}.",
        "",
        f"Kortnummer: {item.card_number}",
        f"Kortinnehaver (ifølge kortregisteret): {holder}",
        f"Arbeidsgiver: {_company_line(employer)}",
        f"Tidspunkt: {to_local(seen_at, tz_name):%d.%m.%Y kl. %H:%M}",
        f"Status fra HMS-kortregisteret: {status}",
    ]
    if site.contract_id:
        lines.append(f"Kontrakt: {site.contract_id}")
    if event is not None and event.decision == "rejected":
        lines += ["", "Personen fikk ikke adgang med dette kortet."]
    lines += ["", "Med vennlig hilsen", sender_name, f"for {site.builder.name}"]
    subject = f"Melding om HMS-kort som {rules.status_clause(item.kind)} – {site.name}"
    return Notice(rules.recipients(item.kind, employer.name if employer is not None else None), subject,
                  "\n".join(lines))


def _company_line(company) -> str:
    if company is None:
        return "ukjent"
    if company.org_number:
        return f"{company.name} (org.nr. {company.org_number})"
    return f"{company.name} ({company_identifier(None, company.country, company.foreign_id)})"


def done_by_name(item: FollowUp) -> str | None:
    user = db.session.get(User, item.done_by_id) if item.done_by_id else None
    return user.name if user else None


@use_case
def mark_done(site_id: int, followup_id: int, user, note: str, now: datetime) -> FollowUp:
    """Close a follow-up with a note saying what was done (sent to whom, when)."""
    note = (note or "").strip()
    if not note:
        raise FollowUpError("note_required")
    if len(note) > MAX_NOTE:
        raise FollowUpError("note_too_long")
    item = get_followup(site_id, followup_id)
    if item.done_at is not None:
        raise FollowUpError("already_done")
    item.done_at, item.done_by_id, item.note = now, user.id, note
    audit("followup.done", user, site_id, "followup", item.id, at=now, kind=item.kind)
    return item
