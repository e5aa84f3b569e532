"""Gate kiosks: creating them, enrolling them with a one-time code, revoking them, knowing them by
their bearer token, and what they report about their own health.

Tokens and codes are shown once and stored only as SHA-256 hashes. A token is looked up in the
database on every request, so a revoked kiosk is refused at once by every worker process.
"""
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from sqlalchemy import bindparam, func, or_, select, update

from app.domain.enums import KioskMode
from app.domain.secrets import hash_token, new_enrollment_code, new_token
from app.extensions import db
from app.models import EnrollmentCode, Kiosk, Site, SiteInduction
from app.services import unit_of_work, use_case
from app.services.audit import audit

ENROLLMENT_VALID_FOR = timedelta(minutes=15)
# The cheap heartbeat of every request, not a write per scan. The kiosk's own heartbeat writes
# last_seen_at every few seconds anyway; a write (and the commit that makes the scan reload its
# kiosk) every 5 s cost a busy gate several round trips on one scan in three (bench/ingest.py).
LAST_SEEN_EVERY = timedelta(seconds=30)
DOWN_AFTER = timedelta(minutes=2)
MODES = tuple(mode.value for mode in KioskMode)


class EnrollmentRefused(ValueError):
    """The code is unknown, used, expired, or its kiosk has been revoked."""


@dataclass(frozen=True)
class NewKiosk:
    kiosk: Kiosk
    token: str | None = None  # shown once when made with a token
    enrollment_code: str | None = None  # shown once (and as a QR code) when made for enrollment


@use_case
def create_kiosk(site: Site, name: str, mode: str, actor, now: datetime, enroll: bool = False) -> NewKiosk:
    """A kiosk with either a token now or a 15-minute enrollment code to trade for one at the gate."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if not name.strip():
        raise ValueError("a kiosk needs a name")
    kiosk = Kiosk(site_id=site.id, name=name.strip(), mode=mode, languages=site.kiosk_languages, created_at=now)
    token = None if enroll else new_token()
    if token:
        kiosk.token_hash = hash_token(token)
    db.session.add(kiosk)
    db.session.flush()
    code = _add_enrollment_code(kiosk, now) if enroll else None
    audit("kiosk.create", actor, site_id=site.id, target_type="kiosk", target_id=kiosk.id, at=now,
          mode=mode, enrollment=enroll)
    return NewKiosk(kiosk, token, code)


@use_case
def issue_enrollment_code(kiosk: Kiosk, actor, now: datetime) -> str:
    """A new one-time code for an existing kiosk (new hardware at the same gate)."""
    if kiosk.revoked_at is not None:
        raise EnrollmentRefused("the kiosk is revoked")
    code = _add_enrollment_code(kiosk, now)
    audit("kiosk.enrollment_code", actor, site_id=kiosk.site_id, target_type="kiosk", target_id=kiosk.id, at=now)
    return code


def _add_enrollment_code(kiosk: Kiosk, now: datetime) -> str:
    code = new_enrollment_code()
    db.session.add(EnrollmentCode(kiosk_id=kiosk.id, code_hash=hash_token(code),
                                  expires_at=now + ENROLLMENT_VALID_FOR))
    return code


ENROLLMENT_QR_PREFIX = "portvakt-enroll:"


def enrollment_qr_text(code: str) -> str:
    """What the enrollment QR code holds, so a kiosk's camera cannot take it for an HMS card."""
    return ENROLLMENT_QR_PREFIX + code


def enrollment_qr(code: str) -> segno.QRCode:
    """The enrollment code as a QR code the kiosk's own camera can read (never Micro QR: zbar can't)."""
    return segno.make_qr(enrollment_qr_text(code), error="m")


def normalize_code(text: str) -> str:
    """Guards type codes in any case, with spaces or dashes; a scanned QR text works too."""
    if text.lower().startswith(ENROLLMENT_QR_PREFIX):
        text = text[len(ENROLLMENT_QR_PREFIX):]
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())


@use_case
def enroll_kiosk(code: str, now: datetime) -> tuple[Kiosk, str]:
    """Trade a valid code, once, for a fresh token; any earlier token of the kiosk stops working."""
    row = db.session.scalar(db.select(EnrollmentCode).where(EnrollmentCode.code_hash == hash_token(normalize_code(code))))
    if row is None or row.used_at is not None or row.expires_at <= now or row.kiosk.revoked_at is not None:
        raise EnrollmentRefused("unknown, used or expired enrollment code")
    # A conditional update, so two kiosks racing for one code cannot both win.
    claimed = db.session.execute(
        update(EnrollmentCode).where(EnrollmentCode.id == row.id, EnrollmentCode.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise EnrollmentRefused("unknown, used or expired enrollment code")
    kiosk = row.kiosk
    token = new_token()
    kiosk.token_hash = hash_token(token)
    kiosk.last_seen_at = now
    audit("kiosk.enroll", f"kiosk:{kiosk.id}", site_id=kiosk.site_id, target_type="kiosk",
          target_id=kiosk.id, at=now, enrollment_code_id=row.id)
    return kiosk, token


@use_case
def revoke_kiosk(kiosk: Kiosk, actor, now: datetime) -> None:
    """Stop a kiosk for good: its token and any open enrollment code stop working at once."""
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now
    kiosk.token_hash = None
    db.session.execute(update(EnrollmentCode).where(EnrollmentCode.kiosk_id == kiosk.id,
                                                    EnrollmentCode.used_at.is_(None)).values(expires_at=now))
    audit("kiosk.revoke", actor, site_id=kiosk.site_id, target_type="kiosk", target_id=kiosk.id, at=now)


@dataclass(frozen=True)
class SiteRules:
    """What a gate needs to know about its site on every scan."""

    id: int
    outage_policy: str
    outage_grace_hours: int
    only_registered_companies: bool
    induction_mode: str  # refuse|warn|off: "off" costs a scan no induction lookup
    hmsreg_enabled: bool  # off: an accepted scan queues nothing for HMSREG


@dataclass(frozen=True)
class AuthorizedKiosk:
    """The kiosk behind a valid bearer token, with its site's rules: plain values read in one query."""

    id: int
    name: str
    mode: str
    site_id: int
    last_seen_at: datetime | None
    site: SiteRules


def _kiosk_by_token_statement():
    kiosk, site, induction = Kiosk.__table__.c, Site.__table__.c, SiteInduction.__table__.c
    return (select(kiosk.id, kiosk.name, kiosk.mode, kiosk.site_id, kiosk.last_seen_at, site.outage_policy,
                   site.outage_grace_hours, site.only_registered_companies,
                   func.coalesce(induction.mode, "off"), site.hmsreg_enabled)
            .join_from(Kiosk.__table__, Site.__table__, site.id == kiosk.site_id)
            .outerjoin(SiteInduction.__table__, induction.site_id == kiosk.site_id)
            .where(kiosk.token_hash == bindparam("token_hash"), kiosk.revoked_at.is_(None)))


# Built once, like the scan's own statements: every kiosk request asks it (bench/roundtrips.py).
KIOSK_BY_TOKEN = _kiosk_by_token_statement()


def kiosk_for_token(token: str, now: datetime) -> AuthorizedKiosk | None:
    """The active kiosk with this bearer token, its last_seen_at refreshed every few seconds."""
    if not token or len(token) > 200:
        return None
    token_hash = hash_token(token)
    row = db.session.execute(KIOSK_BY_TOKEN, {"token_hash": token_hash}).one_or_none()
    if row is None:
        return None
    remember_active(token_hash)
    kiosk_id, name, mode, site_id, last_seen_at, *site_rules = row
    kiosk = AuthorizedKiosk(kiosk_id, name, mode, site_id, last_seen_at, SiteRules(site_id, *site_rules))
    touch(kiosk, now)
    return kiosk


# Which tokens belonged to an active kiosk moments ago, by hash, in this process. Not a permission:
# every request still checks its token in the database. It lets a scan that must ask the card
# service skip the check made first so that an unknown token never costs a card-service call
# (scans.record_kiosk_scan): a kiosk revoked meanwhile may cost calls for this long, but every one
# of its scans is refused. Only tokens the database confirmed are kept: one entry per kiosk.
ACTIVE_TOKEN_MEMORY_S = 60.0
_active_tokens: dict[str, float] = {}  # token hash -> until (time.monotonic())


def remember_active(token_hash: str) -> None:
    _active_tokens[token_hash] = time.monotonic() + ACTIVE_TOKEN_MEMORY_S


def active_lately(token_hash: str) -> bool:
    return _active_tokens.get(token_hash, 0.0) > time.monotonic()


def touch(kiosk: AuthorizedKiosk, now: datetime) -> None:
    """Refresh the kiosk's last_seen_at, at most every LAST_SEEN_EVERY (committed at once)."""
    if kiosk.last_seen_at is not None and now - kiosk.last_seen_at < LAST_SEEN_EVERY:
        return
    # Conditional, so many requests at once make one write; its own unit of work, committed at
    # once, so a long scan transaction never holds the kiosk row.
    with unit_of_work():
        db.session.execute(
            update(Kiosk).where(Kiosk.id == kiosk.id,
                                or_(Kiosk.last_seen_at.is_(None), Kiosk.last_seen_at < now - LAST_SEEN_EVERY))
            .values(last_seen_at=now).execution_options(synchronize_session=False)
        )


HEALTH_FIELDS = ("fps", "decode_rate", "last_sync_at", "version")


@use_case
def record_heartbeat(kiosk_id: int, report: dict, now: datetime) -> None:
    """Keep what the kiosk says about itself, so the web app can show gates that are struggling."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    kiosk.queue_depth = report.get("queue_depth")
    kiosk.health = {**{k: report.get(k) for k in HEALTH_FIELDS}, "reported_at": now.isoformat()}
    kiosk.last_seen_at = now


def kiosk_is_down(kiosk: Kiosk, now: datetime) -> bool:
    """Not heard from for DOWN_AFTER: the web UI shows the gate as down."""
    return kiosk.revoked_at is None and (kiosk.last_seen_at is None or now - kiosk.last_seen_at > DOWN_AFTER)


def privacy_notice(site: Site) -> dict:
    """What the kiosk shows under "Personvern" (GDPR art. 13, short): who is responsible, on what
    basis, what for, who may see it, for how long, the right to complain, and where the full notice is."""
    controller, url = site.builder.name, privacy_url(site)
    months, days = site.retention_months, site.passage_retention_days
    times_nb = (f" Inn- og utpasseringstider (art. 6 nr. 1 bokstav f: å vite hvem som er på byggeplassen, bl.a. ved "
                f"evakuering) slettes etter {days} dager." if site.records_times else "")
    times_en = (f" Entry and exit times (Art. 6(1)(f): knowing who is on site, e.g. in an evacuation) are "
                f"deleted after {days} days." if site.records_times else "")
    return {
        "nb": (f"Behandlingsansvarlig er byggherren {controller}. Navn, fødselsdato, arbeidsgiver og "
               f"HMS-kortnummer føres i oversiktslisten etter byggherreforskriften § 15 (personvernforordningen "
               f"art. 6 nr. 1 bokstav c) og oppbevares i {months} måneder etter at arbeidene er ferdige.{times_nb} "
               f"Listen vises på forespørsel til arbeidsgiver, verneombud, Arbeidstilsynet og Skatteetaten; "
               f"et HMS-kort som ikke er gyldig, meldes til Arbeidstilsynet og arbeidsgiver (HMS-kortforskriften "
               f"§ 8). Besøkende står bare på evakueringslisten og slettes etter {_visitor_days()} dager. "
               f"Du kan be byggeplasskontoret om innsyn og klage til Datatilsynet. Mer: {url}"),
        "en": (f"The controller is the client (byggherre) {controller}. Name, date of birth, employer and HMS "
               f"card number are kept on the site list under byggherreforskriften § 15 (GDPR Art. 6(1)(c)) "
               f"for {months} months after the works are finished.{times_en} The list is shown on request to "
               f"your employer, the safety representative, the Labour Inspection Authority and the tax "
               f"authorities; a card that is not valid is reported to the Labour Inspection Authority and the "
               f"employer (§ 8). Visitors are on the evacuation list only and are deleted after {_visitor_days()} "
               f"days. Ask the site office for access to your data; you may complain to Datatilsynet. More: {url}"),
    }


def _visitor_days() -> int:
    from app.services.visitors import retention_days

    return retention_days()


def privacy_url(site: Site) -> str:
    """The site's full privacy notice (public): absolute when a request is known, else the path."""
    from flask import has_request_context, url_for

    return url_for("privacy.notice", site_id=site.id, _external=has_request_context())
