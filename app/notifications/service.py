"""`flask notify run`: look at the conditions and events people must act on, queue one message per
event and recipient, and send them (or the day's digest).

A lasting condition (a kiosk silent, the card service unreachable, yesterday's list not checked) is
a NotificationCondition row: its first message goes once when it has lasted long enough, and one
more when it clears. Every message has a unique (user, event key), so running every minute never
sends anything twice. Time is passed in, so the tests move it instead of waiting.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.clock import site_zone
from app.domain.localtime import local_date, to_local
from app.extensions import db
from app.models import FollowUp, Kiosk, Membership, ScanEvent, Site, User
from app.models.notifications import NotificationCondition, NotificationMessage, NotificationPreference
from app.notifications import texts
from app.notifications.mailer import Mailer, MailNotConfigured, SmtpSettings
from app.services import daily_control, unit_of_work, use_case

log = logging.getLogger(__name__)

KINDS = ("kiosk_silent", "card_service", "list_unchecked", "card_rejected", "followup")
DIGEST = "digest"
STAFF = ("admin", "builder_rep", "coordinator", "safety_rep")  # may see rejected scans (view_rejected)
KEEPERS = ("admin", "builder_rep")  # may see follow-ups (manage_followups)
KIOSK_SILENT_AFTER = timedelta(minutes=10)
CARD_SERVICE_AFTER = timedelta(minutes=5)
LIST_DEADLINE = time(10, 0)
DIGEST_AT = time(7, 0)
EVENT_LOOKBACK = timedelta(hours=24)  # a first run on an old database does not mail its history


@dataclass(frozen=True)
class RunSummary:
    queued: int
    sent: int
    waiting: int  # not sent: SMTP not configured or failing, or waiting for the digest


def run(now: datetime) -> RunSummary:
    """Check every condition and event, then deliver what is due. The queue is one unit of work,
    each message sent another (app/services/__init__.py)."""
    with unit_of_work():
        queued = _check_kiosks(now) + _check_card_service(now) + _check_lists(now)
        queued += _card_rejections(now) + _followups(now)
    sent = deliver(now)
    waiting = db.session.scalar(db.select(db.func.count()).select_from(NotificationMessage)
                                .where(NotificationMessage.sent_at.is_(None)))
    return RunSummary(queued, sent, waiting)


# --- preferences ------------------------------------------------------------------------------


def preferences(user_id: int) -> dict[str, bool]:
    """Every kind on and the digest off unless the user chose otherwise."""
    chosen = dict(db.session.execute(db.select(NotificationPreference.kind, NotificationPreference.enabled)
                                     .where(NotificationPreference.user_id == user_id)).all())
    return {kind: chosen.get(kind, kind != DIGEST) for kind in (*KINDS, DIGEST)}


@use_case
def save_preferences(user_id: int, choices: dict[str, bool]) -> None:
    for kind in (*KINDS, DIGEST):
        row = db.session.scalar(db.select(NotificationPreference).where(
            NotificationPreference.user_id == user_id, NotificationPreference.kind == kind))
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind)
            db.session.add(row)
        row.enabled = bool(choices.get(kind))


# --- conditions -------------------------------------------------------------------------------


def _url(path: str) -> str:
    base = current_app.config["PORTVAKT_BASE_URL"]
    return base.rstrip("/") + path


def _local_clock(now: datetime) -> str:
    return to_local(now, site_zone()).strftime("%H:%M")


def _working_hours(now: datetime) -> bool:
    """Within the working hours and weekdays in local time (NOTIFY_WORK_HOURS, NOTIFY_WORK_DAYS)."""
    local = to_local(now, site_zone())
    start, end = current_app.config["NOTIFY_WORK_HOURS"].split("-")
    first_day, last_day = (int(d) for d in current_app.config["NOTIFY_WORK_DAYS"].split("-"))
    return (first_day <= local.isoweekday() <= last_day
            and time.fromisoformat(start) <= local.time().replace(tzinfo=None) < time.fromisoformat(end))


def _condition(kind: str, subject: str, site_id: int | None, holds: bool, since: datetime, now: datetime,
               after: timedelta, may_notify: bool, opened, cleared, recipients) -> int:
    """Open, notify or clear one condition; returns the number of messages queued."""
    row = db.session.scalar(db.select(NotificationCondition).where(
        NotificationCondition.kind == kind, NotificationCondition.subject == subject))
    if holds:
        if row is None:
            row = NotificationCondition(kind=kind, subject=subject, site_id=site_id, first_seen_at=since)
            db.session.add(row)
            db.session.flush()
        if row.notified_at is None and may_notify and now - row.first_seen_at >= after:
            row.notified_at = now
            return _queue(kind, f"{kind}:{subject}:{row.id}:open", site_id, opened(), recipients, now)
        return 0
    if row is None:
        return 0
    queued = _queue(kind, f"{kind}:{subject}:{row.id}:cleared", site_id, cleared(), recipients, now) \
        if row.notified_at else 0
    db.session.delete(row)
    return queued


def _check_kiosks(now: datetime) -> int:
    queued = 0
    kiosks = db.session.scalars(db.select(Kiosk).join(Site).where(
        Kiosk.revoked_at.is_(None), Kiosk.last_seen_at.is_not(None), Site.status != "completed"))
    for kiosk in kiosks:
        site, url = kiosk.site.name, _url(f"/sites/{kiosk.site_id}/kiosks")
        since = _local_clock(kiosk.last_seen_at)
        queued += _condition(
            "kiosk_silent", f"kiosk:{kiosk.id}", kiosk.site_id, now - kiosk.last_seen_at >= KIOSK_SILENT_AFTER,
            kiosk.last_seen_at, now, KIOSK_SILENT_AFTER, _working_hours(now),
            lambda: texts.kiosk_silent(site, kiosk.name, since, url), lambda: texts.kiosk_back(site, kiosk.name, url),
            _site_users(kiosk.site_id, KEEPERS))
    return queued


def card_service_reachable() -> bool:
    """One lookup straight to the backend (no cache, no breaker): does the service answer at all?"""
    from app.adapters.cardservice import CardServiceUnavailable, get_card_service
    from app.domain.cards import CardRef

    try:
        get_card_service().backend.fetch(CardRef("card_number", "00000000"), 5.0)
    except CardServiceUnavailable:
        return False
    return True


def _check_card_service(now: datetime) -> int:
    down = not card_service_reachable()
    since = _local_clock(now)
    return _condition("card_service", "card_service", None, down, now, now, CARD_SERVICE_AFTER, True,
                      lambda: texts.card_service_down(since), texts.card_service_back, _all_staff())


def _check_lists(now: datetime) -> int:
    today = local_date(now, site_zone())
    yesterday = today - timedelta(days=1)
    past_deadline = to_local(now, site_zone()).time().replace(tzinfo=None) >= LIST_DEADLINE
    queued = 0
    for site in db.session.scalars(db.select(Site).where(Site.status != "completed")):
        open_days = {row.subject.split(":")[1] for row in db.session.scalars(db.select(NotificationCondition).where(
            NotificationCondition.kind == "list_unchecked", NotificationCondition.site_id == site.id))}
        unchecked = {d.isoformat() for d in daily_control.unchecked_days(site.id, today, days=7)}
        for day in sorted(open_days | ({yesterday.isoformat()} & unchecked)):
            url, name = _url(f"/sites/{site.id}/lists/{day}"), site.name
            shown = f"{day[8:10]}.{day[5:7]}.{day[0:4]}"
            queued += _condition("list_unchecked", f"{site.id}:{day}", site.id, day in unchecked, now, now,
                                 timedelta(0), past_deadline, lambda: texts.list_unchecked(name, shown, url),
                                 lambda: texts.list_checked(name, shown, url), _site_users(site.id, KEEPERS))
    return queued


# --- one-off events ---------------------------------------------------------------------------


def _card_rejections(now: datetime) -> int:
    events = db.session.scalars(db.select(ScanEvent).where(
        ScanEvent.decision == "rejected", ScanEvent.reason.in_(tuple(texts.REASON_WORDS)),
        ScanEvent.received_at >= now - EVENT_LOOKBACK))
    queued = 0
    for event in events:
        site = db.session.get(Site, event.site_id)
        kiosk = db.session.get(Kiosk, event.kiosk_id) if event.kiosk_id else None
        mail = texts.card_rejected(site.name, kiosk.name if kiosk else "–", _local_clock(event.scanned_at),
                                   event.reason, _url(f"/sites/{site.id}/rejected"))
        queued += _queue("card_rejected", f"card_rejected:{event.id}", site.id, mail,
                         _site_users(site.id, STAFF), now)
    return queued


def _followups(now: datetime) -> int:
    queued = 0
    for followup in db.session.scalars(db.select(FollowUp).where(FollowUp.created_at >= now - EVENT_LOOKBACK)):
        site = db.session.get(Site, followup.site_id)
        mail = texts.followup_opened(site.name, _local_clock(followup.created_at),
                                     _url(f"/sites/{site.id}/followups/{followup.id}"))
        queued += _queue("followup", f"followup:{followup.id}", site.id, mail, _site_users(site.id, KEEPERS), now)
    return queued


# --- recipients and the queue -----------------------------------------------------------------


def _site_users(site_id: int, roles: tuple) -> list[int]:
    return list(db.session.scalars(db.select(Membership.user_id).join(User).where(
        Membership.site_id == site_id, Membership.role.in_(roles), User.active.is_(True)).distinct()))


def _all_staff() -> list[int]:
    active_sites = db.select(Site.id).where(Site.status != "completed")
    return list(db.session.scalars(db.select(Membership.user_id).join(User).where(
        User.active.is_(True), Membership.role.in_(STAFF),
        (Membership.site_id.in_(active_sites)) | ((Membership.site_id.is_(None)) & (Membership.role == "admin"))
    ).distinct()))


def _queue(kind: str, event_key: str, site_id: int | None, mail: texts.Mail, user_ids: list[int],
           now: datetime) -> int:
    queued = 0
    for user_id in user_ids:
        choices = preferences(user_id)
        if not choices[kind]:
            continue
        exists = db.session.scalar(db.select(NotificationMessage.id).where(
            NotificationMessage.user_id == user_id, NotificationMessage.event_key == event_key))
        if exists:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(NotificationMessage(user_id=user_id, event_key=event_key, kind=kind, site_id=site_id,
                                                   subject=mail.subject, body=mail.body, digest=choices[DIGEST],
                                                   created_at=now))
            queued += 1
        except IntegrityError:
            pass  # another run queued it at the same moment: theirs stands
    return queued


# --- delivery ---------------------------------------------------------------------------------


def deliver(now: datetime) -> int:
    """Send what is due; a message that fails stays unsent and is tried at the next run."""
    due = list(db.session.scalars(db.select(NotificationMessage).where(
        NotificationMessage.sent_at.is_(None), NotificationMessage.digest.is_(False))
        .order_by(NotificationMessage.id)))
    digests = _due_digests(now)
    if not due and not digests:
        return 0
    try:
        settings = SmtpSettings.from_config(current_app.config)
    except MailNotConfigured:
        log.warning("notify: SMTP_HOST is not set; %d message(s) wait", len(due) + len(digests))
        return 0
    sent = 0
    with Mailer(settings) as mailer:
        for message in due:
            sent += _send(mailer, message, now)
        for user_id, messages in digests.items():
            sent += _send_digest(mailer, user_id, messages, now)
    return sent


def _send(mailer: Mailer, message: NotificationMessage, now: datetime) -> int:
    with unit_of_work():  # one by one: a failure later in the run does not send this one again
        user = db.session.get(User, message.user_id)
        mailer.send(user.email, message.subject, message.body)
        message.sent_at = now
    return 1


def _due_digests(now: datetime) -> dict[int, list[NotificationMessage]]:
    local = to_local(now, site_zone())
    if local.time().replace(tzinfo=None) < DIGEST_AT:
        return {}
    today = local.date().isoformat()
    waiting: dict[int, list[NotificationMessage]] = {}
    for message in db.session.scalars(db.select(NotificationMessage).where(
            NotificationMessage.sent_at.is_(None), NotificationMessage.digest.is_(True))
            .order_by(NotificationMessage.id)):
        waiting.setdefault(message.user_id, []).append(message)
    done_today = set(db.session.scalars(db.select(NotificationMessage.user_id).where(
        NotificationMessage.event_key == f"digest:{today}")))
    return {user: messages for user, messages in waiting.items() if user not in done_today}


def _send_digest(mailer: Mailer, user_id: int, messages: list[NotificationMessage], now: datetime) -> int:
    today = local_date(now, site_zone())
    mail = texts.digest(today.strftime("%d.%m.%Y"), [(m.subject, m.body) for m in messages])
    summary = NotificationMessage(user_id=user_id, event_key=f"digest:{today.isoformat()}", kind=DIGEST,
                                  subject=mail.subject, body=mail.body, created_at=now, sent_at=now)
    with unit_of_work():
        db.session.add(summary)
        for message in messages:
            message.sent_at = now
        db.session.flush()  # the unique digest key: a second run at the same moment fails here, before sending
        mailer.send(db.session.get(User, user_id).email, mail.subject, mail.body)
    return 1
