"""Archived § 15 lists lose their in/out times when the passage log does (retention.py).

A checked version that printed times is re-rendered without them from the same data: the data
hash printed on it stays the same (times are outside it by design, app/domain/oversiktsliste.py),
the new PDF's sha256 replaces the old one, and the audit log records the original's sha256, so
`flask list verify` still recognises a copy downloaded before. A version the list has moved on from
(changed after it was checked) cannot be re-made as it was: its PDF becomes one page naming the
version and both hashes (reports/redacted.py).
"""
import hashlib
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import String, cast, select

from app.clock import site_zone
from app.domain import oversiktsliste
from app.domain.localtime import local_date, to_local
from app.extensions import db
from app.models import AuditLog, DailyList, Site
from app.services import lists
from app.services.audit import audit
from reports.daily import render_daily_list
from reports.redacted import RedactedVersion, render_redacted_version

REDACTED = "list.redacted"


def redact_day(site: Site, day: date, now: datetime, actor) -> int:
    """Every archived version of `day` that printed in/out times, without them; how many changed."""
    changed = 0
    for version in db.session.scalars(select(DailyList).where(DailyList.site_id == site.id,
                                                              DailyList.local_date == day)):
        made = _without_times(site, version, now)
        if made is None:
            continue
        pdf, how = made
        original = version.pdf_sha256
        version.pdf, version.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
        audit(REDACTED, actor, site_id=site.id, target_type="daily_list", target_id=version.id, at=now,
              date=day.isoformat(), version=version.version, how=how, reason="passage_retention_days",
              original_pdf_sha256=original, pdf_sha256=version.pdf_sha256, data_sha256=version.data_sha256)
        changed += 1
    return changed


def _without_times(site: Site, version: DailyList, now: datetime) -> tuple[bytes, str] | None:
    """(new PDF, how) for a version that printed times, or None when it printed none."""
    liste = lists.build_day(site.id, version.local_date)
    for printed in (True, False):
        candidate = replace(liste, header=replace(liste.header, times_printed=printed))
        if oversiktsliste.data_sha256(candidate) == version.data_sha256:
            if not printed:
                return None
            report = lists._report(candidate, site, version.checked_at, lists._control(version))
            return render_daily_list(replace(report, show_times=False)), "re-rendered"
    if not _printed_times(version, site):
        return None
    tz = site_zone()
    notice = RedactedVersion(site.name, site.address, site.builder.name, version.local_date, version.version,
                             version.checked_by.name if version.checked_by else "–",
                             to_local(version.checked_at, tz), version.data_sha256, version.pdf_sha256,
                             local_date(now, tz), site.passage_retention_days)
    return render_redacted_version(notice), "replaced"


def _printed_times(version: DailyList, site: Site) -> bool:
    """Whether this version printed times: as its check recorded it, else (older versions) the site's setting."""
    checked = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "list.checked", AuditLog.target_type == "daily_list",
        AuditLog.target_id == str(version.id))).first()
    if checked is not None and "times_printed" in (checked.details or {}):
        return bool(checked.details["times_printed"])
    return lists.prints_times(site)


def original_of(pdf_sha256: str) -> DailyList | None:
    """The archived version whose PDF this was before its times were removed, or None."""
    digest = pdf_sha256.strip().lower()
    for record in db.session.scalars(select(AuditLog).where(
            AuditLog.action == REDACTED, cast(AuditLog.details, String).contains(digest)).order_by(AuditLog.id)):
        if (record.details or {}).get("original_pdf_sha256") == digest:
            return db.session.get(DailyList, int(record.target_id))
    return None


def redaction_of(version_id: int) -> AuditLog | None:
    """The newest record of a version's times being removed, or None."""
    return db.session.scalars(select(AuditLog).where(
        AuditLog.action == REDACTED, AuditLog.target_type == "daily_list",
        AuditLog.target_id == str(version_id)).order_by(AuditLog.id.desc())).first()
