"""Deleting what the law no longer lets us keep, safely, every night.

byggherreforskriften § 15: the list is kept six months after the works are finished (a site may
keep it longer, never shorter), then its personal data goes: attendance, scan events, follow-ups,
archived lists, access links, engagements, card orders (with their receipts), and the people and
cards no live site still needs.
In/out times are employee monitoring with a shorter life of their own (site.passage_retention_days):
after that only the date-level list rows remain. The audit log gets counts, never names.

`today` is the local calendar date in PORTVAKT_TZ at the `now` the caller passes in.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import delete, or_, select, update

from app.clock import local_day
from app.domain import sites as site_rules
from app.domain.oversiktsliste import UNVERIFIED
from app.extensions import db
from app.models import (
    AccessLink, AttendanceDay, Card, CardOrder, DailyList, Engagement, FollowUp, InductionCompletion, InductionImage,
    Person, ScanEvent, Site, SiteInduction,
)
from app.services import list_redaction, visitors
from app.services import unit_of_work
from app.services.audit import audit

CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit


@dataclass(frozen=True)
class SiteRetention:
    """A site's retention dates, for the dashboard and the CLI."""

    site_id: int
    name: str
    completion_date: date | None
    keep_list_until: date | None  # the last day the list is kept; purged the day after
    passage_retention_days: int

    @property
    def deletion_date(self) -> date | None:
        """The day the purge deletes the list."""
        return self.keep_list_until + timedelta(days=1) if self.keep_list_until else None


@dataclass
class PurgeSummary:
    """What a purge deleted (or, with dry_run, would delete): counts only."""

    dry_run: bool
    today: date
    sites: dict[int, dict[str, int]] = field(default_factory=dict)
    times_cleared: int = 0
    archived_lists_redacted: int = 0  # checked versions re-rendered (or replaced) without in/out times
    scan_events_expired: int = 0
    people: int = 0
    cards: int = 0
    visitors: int = 0  # visitor records past VISITOR_RETENTION_DAYS (app/services/visitors.py)

    def as_details(self) -> dict:
        return {"dry_run": self.dry_run, "today": self.today.isoformat(),
                "sites": {str(site_id): counts for site_id, counts in self.sites.items()},
                "times_cleared": self.times_cleared, "scan_events_expired": self.scan_events_expired,
                "archived_lists_redacted": self.archived_lists_redacted,
                "people": self.people, "cards": self.cards, "visitors": self.visitors}


def keep_list_until(site: Site) -> date | None:
    """The last day a completed site's list is kept: completion + max(6, retention_months) months."""
    return site_rules.keep_list_until(site.completion_date, site.retention_months)


def passage_cutoff(site: Site, today: date) -> date:
    """Days before this date have their in/out times and scan events removed."""
    return today - timedelta(days=max(1, site.passage_retention_days or 0))


def retention_overview() -> list[SiteRetention]:
    """Every site with its retention dates."""
    return [SiteRetention(site.id, site.name, site.completion_date, keep_list_until(site), site.passage_retention_days)
            for site in db.session.scalars(select(Site).order_by(Site.id))]


def sites_without_completion_date() -> list[SiteRetention]:
    """Sites whose list can never be purged because nobody entered when the works finish (dashboard warning)."""
    return [site for site in retention_overview() if site.completion_date is None]


def purge(now: datetime, dry_run: bool = False, actor="cli",
          progress: Callable[[int, int], None] | None = None, as_of: date | None = None) -> PurgeSummary:
    """Purge every site whose list has expired and every expired in/out time; commit (or roll back for a dry run).

    `as_of` purges as if today were that date (to try the rule without waiting six months); the
    audit row keeps the real time. `progress(done, total)` is called after each site, for long runs.
    """
    try:
        with unit_of_work():
            return _purge(now, dry_run, actor, progress, as_of)
    except _DryRun as dry:
        return dry.summary


class _DryRun(Exception):
    """Ends a dry run's unit of work: what it deleted is rolled back, its summary is kept."""

    def __init__(self, summary: PurgeSummary):
        super().__init__("dry run")
        self.summary = summary


def _purge(now: datetime, dry_run: bool, actor, progress: Callable[[int, int], None] | None,
           as_of: date | None) -> PurgeSummary:
    today = as_of or local_day(now)
    summary = PurgeSummary(dry_run, today)
    sites = db.session.scalars(select(Site).order_by(Site.id)).all()
    candidates: set[int] = set()
    for done, site in enumerate(sites, start=1):
        limit = keep_list_until(site)
        if limit is not None and today > limit:
            candidates |= _people_of_site(site.id)
            summary.sites[site.id] = _purge_site(site.id)
        else:
            # People and cards only these scans named (rejected scans make them from the card
            # service's answer) go with the scans, unless something else still needs them.
            candidates |= _expire_passages(site, today, summary, now, actor)
        if progress:
            progress(done, len(sites))
    summary.people, summary.cards = _purge_people(candidates)
    summary.visitors = visitors.purge(today)
    if dry_run:
        raise _DryRun(summary)
    audit("retention.purge", actor, at=now, **summary.as_details())
    return summary


def _count(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0


def _purge_site(site_id: int) -> dict[str, int]:
    """Delete one expired site's personal data; the site, its kiosks and the audit log stay."""
    site_scans = select(ScanEvent.id).where(ScanEvent.site_id == site_id)
    return {
        "follow_ups": _count(delete(FollowUp).where(
            or_(FollowUp.site_id == site_id, FollowUp.scan_event_id.in_(site_scans)))),
        "scan_events": _count(delete(ScanEvent).where(ScanEvent.site_id == site_id)),
        "attendance_days": _count(delete(AttendanceDay).where(AttendanceDay.site_id == site_id)),
        "daily_lists": _count(delete(DailyList).where(DailyList.site_id == site_id)),
        "access_links": _count(delete(AccessLink).where(AccessLink.site_id == site_id)),
        "engagements": _count(delete(Engagement).where(Engagement.site_id == site_id)),
        # Card-on-order records and their receipts name the worker: personal data like the list.
        "card_orders": _count(delete(CardOrder).where(CardOrder.site_id == site_id)),
        # Who took the site's induction, and the induction itself, go with the list.
        "induction_completions": _count(delete(InductionCompletion).where(InductionCompletion.site_id == site_id)),
        "inductions": _count(delete(SiteInduction).where(SiteInduction.site_id == site_id)),
        "induction_images": _count(delete(InductionImage).where(InductionImage.site_id == site_id)),
    }


def _people_of_site(site_id: int) -> set[int]:
    """Everyone the site's rows name: the people who may have no other reason to be kept."""
    people = set()
    for model in (AttendanceDay, Engagement, ScanEvent, FollowUp, AccessLink, CardOrder, InductionCompletion):
        people |= set(db.session.scalars(select(model.person_id).where(
            model.site_id == site_id, model.person_id.is_not(None)).distinct()))
    return people


def _expire_passages(site: Site, today: date, summary: PurgeSummary, now: datetime, actor) -> set[int]:
    """Null the in/out times of old days, take them off those days' archived lists too, and delete
    their scan events; the list rows stay. Returns the people those scan events named."""
    cutoff = passage_cutoff(site, today)
    days_with_times = set(db.session.scalars(select(AttendanceDay.local_date).where(
        AttendanceDay.site_id == site.id, AttendanceDay.local_date < cutoff,
        or_(AttendanceDay.first_in.is_not(None), AttendanceDay.last_out.is_not(None))).distinct()))
    summary.times_cleared += _count(
        update(AttendanceDay)
        .where(AttendanceDay.site_id == site.id, AttendanceDay.local_date < cutoff,
               or_(AttendanceDay.first_in.is_not(None), AttendanceDay.last_out.is_not(None)))
        .values(first_in=None, last_out=None))
    _keep_unverified_flags(site.id, cutoff)
    for day in sorted(days_with_times):  # each day once: the day its times expire
        summary.archived_lists_redacted += list_redaction.redact_day(site, day, now, actor)
    old_scans = select(ScanEvent.id).where(ScanEvent.site_id == site.id, ScanEvent.local_date < cutoff)
    named = set(db.session.scalars(select(ScanEvent.person_id).where(
        ScanEvent.id.in_(old_scans), ScanEvent.person_id.is_not(None)).distinct()))
    named |= set(db.session.scalars(select(Card.person_id).where(Card.id.in_(
        select(ScanEvent.card_id).where(ScanEvent.id.in_(old_scans)))).distinct()))
    # A follow-up outlives the scan that raised it: it keeps its own card number and kind.
    _count(update(FollowUp).where(FollowUp.scan_event_id.in_(old_scans)).values(scan_event_id=None))
    summary.scan_events_expired += _count(
        delete(ScanEvent).where(ScanEvent.site_id == site.id, ScanEvent.local_date < cutoff))
    return named


def _keep_unverified_flags(site_id: int, cutoff: date) -> None:
    """Before old scans go, note "not verified" on their list rows: the § 15 list must still say it."""
    unconfirmed = db.session.execute(select(ScanEvent.person_id, ScanEvent.local_date).where(
        ScanEvent.site_id == site_id, ScanEvent.local_date < cutoff, ScanEvent.decision == "accepted",
        ScanEvent.verified.is_(False), ScanEvent.reverified_at.is_(None), ScanEvent.voided_at.is_(None),
        ScanEvent.person_id.is_not(None)).distinct()).all()
    for person_id, day in unconfirmed:
        row = db.session.scalars(select(AttendanceDay).where(
            AttendanceDay.site_id == site_id, AttendanceDay.person_id == person_id,
            AttendanceDay.local_date == day)).first()
        if row is not None and UNVERIFIED not in (row.flags or []):
            row.flags = [*(row.flags or []), UNVERIFIED]  # a new list, so SQLAlchemy sees the change
    db.session.flush()


def _purge_people(candidates: set[int]) -> tuple[int, int]:
    """Delete the candidates no remaining row needs, with their cards and self-service links."""
    ids = sorted(candidates)
    people = cards = 0
    for start in range(0, len(ids), CHUNK):
        chunk = [person_id for person_id in ids[start:start + CHUNK] if not _still_needed(person_id)]
        if not chunk:
            continue
        _count(delete(AccessLink).where(AccessLink.person_id.in_(chunk)))
        # An induction taken on a live site does not keep a person nobody else needs.
        _count(delete(InductionCompletion).where(InductionCompletion.person_id.in_(chunk)))
        cards += _count(delete(Card).where(Card.person_id.in_(chunk)))
        people += _count(delete(Person).where(Person.id.in_(chunk)))
    return people, cards


def _still_needed(person_id: int) -> bool:
    """Named by a row that stays (another site's list, engagement, scan, follow-up or card order), or its card is."""
    for model in (AttendanceDay, Engagement, ScanEvent, FollowUp, CardOrder):
        if db.session.scalar(select(model.id).where(model.person_id == person_id).limit(1)) is not None:
            return True
    cards = select(Card.id).where(Card.person_id == person_id)
    for model in (AttendanceDay, ScanEvent, FollowUp, CardOrder):
        if db.session.scalar(select(model.id).where(model.card_id.in_(cards)).limit(1)) is not None:
            return True
    return False
