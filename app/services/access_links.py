"""Read-only access on request: share links for a site's lists, and a worker's self-service link.

A link is a random token that lives only in the URL it is sent as; the database keeps its sha256.
Opening a link is audit-logged by id, never by token.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain import oversiktsliste
from app.domain.secrets import hash_token, new_token
from app.extensions import db
from app.models import AccessLink, AttendanceDay, Engagement, Person, SiteCompany
from app.services import use_case
from app.services.audit import audit

SHARE = "share"
SELF_SERVICE = "self_service"
MAX_SHARE_LIFETIME = timedelta(days=90)
MAX_SHARE_RANGE_DAYS = 366
SELF_SERVICE_LIFETIME = timedelta(days=7)


class LinkError(ValueError):
    """A link request or an opened link that cannot be honoured; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NewLink:
    """The link as stored, and its token: shown once to its maker, never again."""

    link: AccessLink
    token: str


def link_state(link: AccessLink, now: datetime) -> str:
    """"active", or why the link no longer opens: "revoked", "expired" or (self-service) "used"."""
    if link.revoked_at is not None:
        return "revoked"
    if now >= link.expires_at:
        return "expired"
    if link.kind == SELF_SERVICE and link.used_at is not None:
        return "used"
    return "active"


@use_case
def create_share_link(site_id: int, user, date_from: date, date_to: date, expires_at: datetime,
                      now: datetime, recipient: str = "", company_id: int | None = None) -> NewLink:
    """A read-only link to a site's lists over a date range; an employer's link shows only its people."""
    _check_share_request(site_id, date_from, date_to, expires_at, now, company_id)
    token = new_token()
    link = AccessLink(kind=SHARE, token_hash=hash_token(token), site_id=site_id, company_id=company_id,
                      date_from=date_from, date_to=date_to, recipient=(recipient or "").strip() or None,
                      created_by_id=user.id, created_at=now, expires_at=expires_at)
    db.session.add(link)
    db.session.flush()
    audit("share_link.create", user, site_id, "access_link", link.id, at=now,
          days=(date_to - date_from).days + 1, company_id=company_id)
    return NewLink(link, token)


def _check_share_request(site_id, date_from, date_to, expires_at, now, company_id) -> None:
    if date_from.year < 2000 or date_to > now.date() + timedelta(days=MAX_SHARE_RANGE_DAYS):
        raise LinkError("date_out_of_range")  # a typo (0202 for 2026), not a real request
    if date_from > date_to:
        raise LinkError("date_range_reversed")
    if (date_to - date_from).days >= MAX_SHARE_RANGE_DAYS:
        raise LinkError("date_range_too_long")
    if expires_at <= now:
        raise LinkError("expiry_in_past")
    if expires_at - now > MAX_SHARE_LIFETIME:
        raise LinkError("expiry_too_far")
    if company_id is not None and not _company_on_site(site_id, company_id):
        raise LinkError("company_not_on_site")


def _company_on_site(site_id: int, company_id: int) -> bool:
    return db.session.query(SiteCompany.id).filter_by(site_id=site_id, company_id=company_id).first() is not None


def site_links(site_id: int, kind: str = SHARE) -> list[AccessLink]:
    return (AccessLink.query.filter_by(site_id=site_id, kind=kind)
            .order_by(AccessLink.created_at.desc(), AccessLink.id.desc()).all())


@use_case
def revoke_link(site_id: int, link_id: int, user, now: datetime, kind: str = SHARE) -> AccessLink:
    """Stop a link at once. Revoking twice is harmless; the first time is kept."""
    link = AccessLink.query.filter_by(id=link_id, site_id=site_id, kind=kind).first()
    if link is None:
        raise LinkError("not_found")
    if link.revoked_at is None:
        link.revoked_at = now
        audit(f"{kind}_link.revoke", user, site_id, "access_link", link.id, at=now)
    return link


def find_link(token: str, kind: str, now: datetime) -> AccessLink:
    """The link behind a token, if it still opens; LinkError("not_found"/"expired"/...) otherwise."""
    link = AccessLink.query.filter_by(token_hash=hash_token(token), kind=kind).first()
    if link is None:
        raise LinkError("not_found")
    state = link_state(link, now)
    if state != "active":
        raise LinkError(state)
    return link


@use_case
def open_share_link(token: str, now: datetime, what: str = "open", **details) -> AccessLink:
    """Find a share link that still opens and log that it was used (page view or a download)."""
    link = find_link(token, SHARE, now)
    if link.used_at is None:
        link.used_at = now
    audit(f"share_link.{what}", f"share:{link.id}", link.site_id, "access_link", link.id, at=now, **details)
    return link


@use_case
def create_self_service_link(site_id: int, person_id: int, user, now: datetime) -> NewLink:
    """A one-time link that shows one worker of this site everything Portvakt holds about them."""
    if not _person_on_site(site_id, person_id):
        raise LinkError("person_not_on_site")
    token = new_token()
    link = AccessLink(kind=SELF_SERVICE, token_hash=hash_token(token), site_id=site_id,
                      person_id=person_id, created_by_id=user.id, created_at=now,
                      expires_at=now + SELF_SERVICE_LIFETIME)
    db.session.add(link)
    db.session.flush()
    audit("self_service_link.create", user, site_id, "access_link", link.id, at=now)
    return NewLink(link, token)


def _person_on_site(site_id: int, person_id: int) -> bool:
    return person_id in _site_person_ids(site_id)


def _site_person_ids(site_id: int) -> set[int]:
    engaged = db.session.query(Engagement.person_id).filter_by(site_id=site_id)
    attended = db.session.query(AttendanceDay.person_id).filter_by(site_id=site_id)
    return {person_id for (person_id,) in engaged.union(attended)}


def site_people(site_id: int) -> list[Person]:
    """Everyone a self-service link can be made for: engaged on the site or ever on its list, in the list's
    name order (Norwegian: æ ø å last)."""
    ids = _site_person_ids(site_id)
    if not ids:
        return []
    return sorted(Person.query.filter(Person.id.in_(ids)).all(), key=lambda p: (*oversiktsliste.name_key(p), p.id))


@use_case
def redeem_self_service_link(token: str, now: datetime) -> AccessLink:
    """Use a self-service link up: it opens exactly once (the browser then holds a short session)."""
    link = find_link(token, SELF_SERVICE, now)
    # A conditional UPDATE, so two browsers opening the link at once cannot both get in.
    claimed = (db.session.query(AccessLink).filter(AccessLink.id == link.id, AccessLink.used_at.is_(None))
               .update({AccessLink.used_at: now}, synchronize_session="fetch"))
    if claimed != 1:
        raise LinkError("used")
    audit("self_service_link.open", f"self_service:{link.id}", link.site_id, "access_link", link.id, at=now)
    return link


def self_service_view(link_id: int) -> AccessLink:
    """The used self-service link behind a browser's 30-minute view, checked on every request so
    that revoking it ends the view at once; LinkError("revoked"/"not_found") otherwise."""
    link = AccessLink.query.filter_by(id=link_id, kind=SELF_SERVICE).first()
    if link is None:
        raise LinkError("not_found")
    if link.revoked_at is not None:
        raise LinkError("revoked")
    return link


def share_link_dates(link: AccessLink, today: date) -> list[date]:
    """The days a share link covers, newest first, never past today."""
    last = min(link.date_to, today)
    return [last - timedelta(days=n) for n in range((last - link.date_from).days + 1)]
