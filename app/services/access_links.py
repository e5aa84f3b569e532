"""Read-only access on request: share links for a site's lists, and a worker's self-service link.

A link is a random token that lives only in the URL it is sent as; the database keeps its sha256.
Opening a link is audit-logged by id, never by token.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, union, update

from app.domain import oversiktsliste
from app.domain import share_links as rules
from app.domain.enums import LinkKind
from app.domain.secrets import hash_token, new_token
from app.extensions import db
from app.models import AccessLink, AttendanceDay, Engagement, Person, SiteCompany
from app.services import use_case
from app.services.audit import audit
from app.services.person_record import person_record, record_json

SHARE = LinkKind.SHARE.value
SELF_SERVICE = LinkKind.SELF_SERVICE.value
SELF_SERVICE_LIFETIME = timedelta(days=7)
# After the one-time link is used, its browser may look (and download) for a short while.
SELF_SERVICE_VIEW = timedelta(minutes=30)


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


def share_link_expiry(today: date, valid_days: int, tz_name: str) -> datetime:
    """When a link "for `valid_days` days" made on `today` stops (app/domain/share_links.expiry)."""
    return rules.expiry(today, valid_days, tz_name)


def _check_share_request(site_id, date_from, date_to, expires_at, now, company_id) -> None:
    refused = rules.request_refused(date_from, date_to, expires_at, now)
    if refused:
        raise LinkError(refused)
    if company_id is not None and not _company_on_site(site_id, company_id):
        raise LinkError("company_not_on_site")


def _company_on_site(site_id: int, company_id: int) -> bool:
    found = select(SiteCompany.id).filter_by(site_id=site_id, company_id=company_id)
    return db.session.scalars(found).first() is not None


def site_links(site_id: int, kind: str = SHARE) -> list[AccessLink]:
    return list(db.session.scalars(select(AccessLink).filter_by(site_id=site_id, kind=kind)
                                   .order_by(AccessLink.created_at.desc(), AccessLink.id.desc())))


@use_case
def revoke_link(site_id: int, link_id: int, user, now: datetime, kind: str = SHARE) -> AccessLink:
    """Stop a link at once. Revoking twice is harmless; the first time is kept."""
    link = db.session.scalars(select(AccessLink).filter_by(id=link_id, site_id=site_id, kind=kind)).first()
    if link is None:
        raise LinkError("not_found")
    if link.revoked_at is None:
        link.revoked_at = now
        audit(f"{kind}_link.revoke", user, site_id, "access_link", link.id, at=now)
    return link


def find_link(token: str, kind: str, now: datetime) -> AccessLink:
    """The link behind a token, if it still opens; LinkError("not_found"/"expired"/...) otherwise."""
    link = db.session.scalars(select(AccessLink).filter_by(token_hash=hash_token(token), kind=kind)).first()
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
    engaged = select(Engagement.person_id).filter_by(site_id=site_id)
    attended = select(AttendanceDay.person_id).filter_by(site_id=site_id)
    return set(db.session.scalars(union(engaged, attended)))


def site_people(site_id: int) -> list[Person]:
    """Everyone a self-service link can be made for: engaged on the site or ever on its list, in the list's
    name order (Norwegian: æ ø å last)."""
    ids = _site_person_ids(site_id)
    if not ids:
        return []
    people = db.session.scalars(select(Person).where(Person.id.in_(ids)))
    return sorted(people, key=lambda p: (*oversiktsliste.name_key(p), p.id))


@use_case
def redeem_self_service_link(token: str, now: datetime) -> AccessLink:
    """Use a self-service link up: it opens exactly once (the browser then holds a short session)."""
    link = find_link(token, SELF_SERVICE, now)
    # A conditional UPDATE, so two browsers opening the link at once cannot both get in.
    claimed = db.session.execute(update(AccessLink).where(AccessLink.id == link.id, AccessLink.used_at.is_(None))
                                 .values(used_at=now).execution_options(synchronize_session="fetch"))
    if claimed.rowcount != 1:
        raise LinkError("used")
    audit("self_service_link.open", f"self_service:{link.id}", link.site_id, "access_link", link.id, at=now)
    return link


def self_service_view(link_id: int) -> AccessLink:
    """The used self-service link behind a browser's 30-minute view, checked on every request so
    that revoking it ends the view at once; LinkError("revoked"/"not_found") otherwise."""
    link = db.session.scalars(select(AccessLink).filter_by(id=link_id, kind=SELF_SERVICE)).first()
    if link is None:
        raise LinkError("not_found")
    if link.revoked_at is not None:
        raise LinkError("revoked")
    return link


def share_link_dates(link: AccessLink, today: date) -> list[date]:
    """The days a share link covers, newest first, never past today."""
    return rules.days_shown(link.date_from, link.date_to, today)


def shared_day(link: AccessLink, day: date, whole_list: bool = False) -> date:
    """`day`, when the opened link shows it; LinkError("not_covered") otherwise, and for `whole_list`
    (an archived version holds every employer) when the link shows one employer only."""
    if not rules.covers(link.date_from, link.date_to, day) or (whole_list and link.company_id is not None):
        raise LinkError("not_covered")
    return day


def share_link_period(link: AccessLink, today: date) -> tuple[date, date]:
    """The period report's first and last day; LinkError("not_covered") while none has begun."""
    period = rules.period_shown(link.date_from, link.date_to, today)
    if period is None:
        raise LinkError("not_covered")
    return period


def self_service_grant(link: AccessLink, now: datetime) -> dict:
    """The browser session's record of a used link (plain values: it is stored in the session cookie)."""
    return {"link": link.id, "person": link.person_id, "site": link.site_id,
            "until": (now + SELF_SERVICE_VIEW).timestamp()}


def granted_self_service_link(grant: dict | None, now: datetime) -> tuple[AccessLink, datetime]:
    """The link a browser's grant names and until when it may look: LinkError("no_grant") once its
    30 minutes are over (or without one), LinkError("revoked") as soon as the link is revoked."""
    if not grant or now.timestamp() >= grant.get("until", 0):
        raise LinkError("no_grant")
    return self_service_view(grant["link"]), datetime.fromtimestamp(grant["until"], timezone.utc)


@use_case
def self_service_download(link: AccessLink, now: datetime) -> str:
    """The worker's record as JSON for download; the download is audit-logged by the link's id."""
    audit("self_service_link.download", f"self_service:{link.id}", link.site_id, "access_link", link.id, at=now)
    return record_json(person_record(link.person_id, link.site_id))
