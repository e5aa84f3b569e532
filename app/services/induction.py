"""A site's safety induction (HMS-introduksjon): its settings, who completed which version, and the
one-person, one-site, time-limited link a worker completes it through on a phone.

The link is a signed token (itsdangerous, the app's SECRET_KEY, salt "induction") naming the person
and the site, valid LINK_LIFETIME: the gate makes one for every refusal it answers, so it cannot be a
stored one-time token like the self-service link (a replayed scan must give the same kind of answer).
It grants no reading of any record, only completing this site's induction as that person.
"""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import defer

from app.clock import local_day
from app.domain import induction as rules
from app.extensions import db
from app.models import Card, InductionCompletion, InductionImage, Person, Site, SiteInduction
from app.services import use_case
from app.services.audit import audit

LINK_LIFETIME = timedelta(days=7)  # as the self-service link
SALT = "induction"


class InductionError(ValueError):
    """An induction request that cannot be honoured; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Status:
    """A person's induction on a site, for the pages: done (and until when) or missing."""

    required: bool  # the site has an induction in refuse or warn mode
    valid: bool
    version: int | None = None
    completed_at: datetime | None = None
    valid_until: date | None = None


def settings(site_id: int) -> SiteInduction | None:
    return db.session.get(SiteInduction, site_id)


@use_case
def set_induction(site_id: int, actor, now: datetime, mode: str | None = None, valid_months: int | None = None,
                  texts: dict | None = None, questions: list | None = None, require_again: bool = False) -> SiteInduction:
    """Create or change a site's induction. A new text or new questions make a new version; with
    `require_again` only that version counts from now on. Commits."""
    if db.session.get(Site, site_id) is None:
        raise InductionError("unknown_site")
    if mode is not None and mode not in rules.MODES:
        raise InductionError("bad_mode")
    if valid_months is not None and not 1 <= valid_months <= 120:
        raise InductionError("bad_valid_months")
    row = settings(site_id)
    if row is None:
        row = SiteInduction(site_id=site_id, mode=rules.OFF, valid_months=12, version=0, required_version=1,
                            texts={}, questions=[])
        db.session.add(row)
    changed_content = False
    if texts is not None:
        clean = {lang: text for lang, text in texts.items() if lang in rules.LANGUAGES and (text or "").strip()}
        if clean != (row.texts or {}):
            row.texts, changed_content = clean, True
    if questions is not None and questions != (row.questions or []):
        row.questions, changed_content = questions, True
    if changed_content or row.version == 0:
        row.version = (row.version or 0) + 1
        if require_again:
            row.required_version = row.version
    if (mode or row.mode) != rules.OFF and not (row.texts or {}).get("nb"):
        raise InductionError("no_text")
    row.mode = mode or row.mode
    row.valid_months = valid_months or row.valid_months
    row.updated_at = now
    audit("induction.set", actor, site_id, "site_induction", site_id, at=now, mode=row.mode,
          version=row.version, required_version=row.required_version, valid_months=row.valid_months)
    return row


def _completions(site_id: int, person_ids: list[int]) -> dict[int, list[InductionCompletion]]:
    found: dict[int, list[InductionCompletion]] = {}
    if not person_ids:
        return found
    rows = db.session.scalars(select(InductionCompletion).where(
        InductionCompletion.site_id == site_id, InductionCompletion.person_id.in_(person_ids))
        .order_by(InductionCompletion.completed_at))
    for row in rows:
        found.setdefault(row.person_id, []).append(row)
    return found


def statuses(site_id: int, person_ids: list[int], now: datetime) -> dict[int, Status]:
    """Each person's induction status on the site (one query for all of them)."""
    row = settings(site_id)
    required = row is not None and row.mode != rules.OFF
    if row is None:
        return {pid: Status(False, False) for pid in person_ids}
    today, found = local_day(now), _completions(site_id, person_ids)
    result = {}
    for pid in person_ids:
        counted = [c for c in found.get(pid, []) if c.version >= row.required_version]
        last = counted[-1] if counted else None
        until = rules.valid_until(rules.Completion(last.version, local_day(last.completed_at)),
                                  row.valid_months) if last else None
        result[pid] = Status(required, until is not None and until >= today, last.version if last else None,
                             last.completed_at if last else None, until)
    return result


def status(site_id: int, person_id: int, now: datetime) -> Status:
    return statuses(site_id, [person_id], now)[person_id]


def gate_outcome(site_id: int, person_id: int, now: datetime) -> str | None:
    """What the gate does about this person's induction: "refuse", "warn" or None."""
    row = settings(site_id)
    if row is None or row.mode == rules.OFF:
        return None
    return rules.gate_outcome(row.mode, status(site_id, person_id, now).valid)


@use_case
def complete(site_id: int, person_id: int, now: datetime, method: str, actor, held_by: str | None = None,
             version: int | None = None) -> InductionCompletion:
    """Record that a person completed the site's induction (by the link, or a briefing held by `held_by`).
    Commits."""
    row = settings(site_id)
    if row is None or row.version == 0:
        raise InductionError("no_induction")
    if db.session.get(Person, person_id) is None:
        raise InductionError("unknown_person")
    if method == "briefing" and not (held_by or "").strip():
        raise InductionError("held_by_required")
    done = InductionCompletion(site_id=site_id, person_id=person_id, version=version or row.version,
                               completed_at=now, method=method, held_by=(held_by or "").strip()[:200] or None,
                               recorded_by_id=getattr(actor, "id", None))
    db.session.add(done)
    db.session.flush()
    audit("induction.complete", actor, site_id, "induction_completion", done.id, at=now, method=method,
          person_id=person_id, version=done.version)
    return done


@use_case
def complete_by_card(site_id: int, card_number: str, now: datetime, actor, held_by: str) -> InductionCompletion:
    """A builder_rep's in-person briefing, the worker named by an HMS card we know."""
    card = db.session.scalars(select(Card).where(Card.number == card_number.strip())).first()
    if card is None:
        raise InductionError("unknown_card")
    return complete(site_id, card.person_id, now, "briefing", actor, held_by=held_by)


def completions_csv(site_id: int) -> bytes:
    """Who completed which version when (UTF-8 with BOM, `;`, for Excel)."""
    rows = db.session.execute(
        select(InductionCompletion, Person).join(Person, Person.id == InductionCompletion.person_id)
        .where(InductionCompletion.site_id == site_id).order_by(InductionCompletion.completed_at)).all()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["name", "birth_date", "version", "completed_at_utc", "method", "held_by"])
    for done, person in rows:
        writer.writerow([person.name, person.birth_date.isoformat(), done.version,
                         done.completed_at.isoformat(timespec="seconds"), done.method, done.held_by or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def missing_count(site_id: int, person_ids: list[int], now: datetime) -> int:
    """How many of these people (the expected workers) lack a valid induction; 0 when none is required."""
    found = statuses(site_id, person_ids, now)
    return sum(1 for s in found.values() if s.required and not s.valid)


# ---- the worker's link ------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(site_id: int, person_id: int) -> str:
    return _serializer().dumps({"s": site_id, "p": person_id})


def link_url(site_id: int, person_id: int) -> str:
    """The absolute URL of the person's induction on the site (for the kiosk's QR and the office)."""
    return url_for("induction.take", token=make_token(site_id, person_id), _external=True)


def read_token(token: str) -> tuple[int, int]:
    """(site_id, person_id) of a link still valid; InductionError("expired"/"not_found") otherwise."""
    try:
        data = _serializer().loads(token, max_age=int(LINK_LIFETIME.total_seconds()))
    except SignatureExpired:
        raise InductionError("expired") from None
    except BadSignature:
        raise InductionError("not_found") from None
    return int(data["s"]), int(data["p"])


def link_for_card(site_id: int, card_number: str) -> str | None:
    """The induction link of the person holding this card, for the kiosk's refusal."""
    person_id = db.session.scalar(select(Card.person_id).where(Card.number == card_number))
    return link_url(site_id, person_id) if person_id is not None else None


def take_by_link(token: str, answers: list[int | None], now: datetime) -> InductionCompletion:
    """The worker's answers from the link: all right records the completion, else InductionError("wrong")."""
    site_id, person_id = read_token(token)
    row = settings(site_id)
    if row is None or row.version == 0:
        raise InductionError("no_induction")
    if not rules.answers_right(row.questions or [], answers):
        raise InductionError("wrong")
    return complete(site_id, person_id, now, "link", f"induction_link:{person_id}")


def expected_missing(site_id: int, now: datetime) -> int:
    """How many workers expected on the site today (engaged, not barred) lack a valid induction: the
    dashboard's number; 0 when the site requires none."""
    from app.services.expected import expected_not_arrived

    row = settings(site_id)
    if row is None or row.mode == rules.OFF:
        return 0
    engaged = expected_not_arrived(site_id, local_day(now), set())
    return missing_count(site_id, [e.person_id for e in engaged], now)


# ---- pictures in the text ---------------------------------------------------------------------

def images(site_id: int) -> list[InductionImage]:
    """The site's pictures, oldest first (their bytes are loaded only when one is served)."""
    return list(db.session.scalars(select(InductionImage).where(InductionImage.site_id == site_id)
                                   .options(defer(InductionImage.data)).order_by(InductionImage.id)))


def image_ids(site_id: int) -> set[int]:
    return set(db.session.scalars(select(InductionImage.id).where(InductionImage.site_id == site_id)))


def image(site_id: int, image_id: int) -> InductionImage | None:
    """One picture of this site; None for an unknown id or another site's picture."""
    row = db.session.get(InductionImage, image_id)
    return row if row is not None and row.site_id == site_id else None


@use_case
def add_image(site_id: int, data: bytes, name: str, actor, now: datetime) -> InductionImage:
    """Store an uploaded picture after reading its type from its bytes. Refuses with InductionError
    "image_type", "image_too_large" or "too_many_images". Commits."""
    if db.session.get(Site, site_id) is None:
        raise InductionError("unknown_site")
    if len(data) > rules.MAX_IMAGE_BYTES:
        raise InductionError("image_too_large")
    mimetype = rules.image_type(data)
    if mimetype is None:
        raise InductionError("image_type")
    if len(image_ids(site_id)) >= rules.MAX_IMAGES_PER_SITE:
        raise InductionError("too_many_images")
    row = InductionImage(site_id=site_id, name=(name or "").strip()[:200] or "bilde", mimetype=mimetype, data=data,
                         uploaded_at=now, uploaded_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit("induction.image_add", actor, site_id, "induction_image", row.id, at=now)
    return row


@use_case
def delete_image(site_id: int, image_id: int, actor, now: datetime) -> bool:
    """Delete one of the site's pictures; a reference to it in the text then reads as text. Commits."""
    row = image(site_id, image_id)
    if row is None:
        return False
    db.session.delete(row)
    audit("induction.image_delete", actor, site_id, "induction_image", image_id, at=now)
    return True
