"""Archived lists lose their in/out times with the passage log (issue 15, item 10): re-rendered
without them, same data hash, recorded, and `flask list verify` still knows both files."""
import hashlib
from datetime import date, datetime, time, timedelta, timezone

from app.extensions import db
from app.models import AuditLog, DailyList
from app.services import list_redaction, lists, retention
from tests.support.builders import attend, make_company, make_person, make_site, make_user
from tests.support.pdftext import pdf_pages

DAY = date(2026, 3, 2)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(11), timezone.utc)


def checked_site(prints_times=True):
    site = make_site(passage_retention_days=90, prints_times=prints_times)
    main = make_company("Nordbygg Entreprenør AS")
    attend(site, make_person("Rūta", "Jankauskienė", main), DAY, main)  # 07:00–15:30
    db.session.commit()
    version = lists.check_day(site.id, DAY, make_user(), noon(DAY))
    return site, main, version


def text(pdf: bytes) -> str:
    return " ".join(pdf_pages(pdf))


def test_a_checked_version_loses_its_times_when_the_passage_log_does(db_session, runner, tmp_path):
    site, _, version = checked_site()
    original, data_hash = version.pdf, version.data_sha256
    assert "07:00" in text(original) and "15:30" in text(original)

    retention.purge(noon(DAY + timedelta(days=90)))  # the last day the times are kept
    assert "07:00" in text(db.session.get(DailyList, version.id).pdf)

    retention.purge(noon(DAY + timedelta(days=91)))
    db.session.expire_all()
    kept = db.session.get(DailyList, version.id)
    assert "07:00" not in text(kept.pdf) and "15:30" not in text(kept.pdf)
    assert "Jankauskienė" in text(kept.pdf) and data_hash[:16] in text(kept.pdf)
    assert kept.data_sha256 == data_hash and kept.pdf_sha256 == hashlib.sha256(kept.pdf).hexdigest()
    record = db.session.query(AuditLog).filter_by(action="list.redacted").one()
    assert record.details["original_pdf_sha256"] == hashlib.sha256(original).hexdigest()

    assert lists.verify_pdf(kept.pdf).id == version.id
    assert lists.verify_pdf(original).id == version.id  # the copy someone downloaded before
    assert list_redaction.redaction_of(version.id) is not None
    path = tmp_path / "original.pdf"
    path.write_bytes(original)
    result = runner.invoke(args=["list", "verify", str(path)])
    assert result.exit_code == 0 and "fjernet" in result.output


def test_a_version_the_list_has_moved_on_from_is_replaced_by_a_notice_keeping_its_hashes(db_session):
    site, main, version = checked_site()
    attend(site, make_person("Ola", "Nordmann", main), DAY, main)  # after the check: v1 cannot be re-made
    db.session.commit()
    original_hash = version.pdf_sha256
    retention.purge(noon(DAY + timedelta(days=91)))
    db.session.expire_all()
    kept = db.session.get(DailyList, version.id)
    words = text(kept.pdf)
    assert "07:00" not in words and version.data_sha256 in words.replace("\n", "").replace(" ", "")
    assert original_hash in words.replace("\n", "").replace(" ", "")


def test_a_version_printed_without_times_is_left_as_it_is(db_session):
    site, _, version = checked_site(prints_times=False)
    before = version.pdf_sha256
    retention.purge(noon(DAY + timedelta(days=91)))
    db.session.expire_all()
    assert db.session.get(DailyList, version.id).pdf_sha256 == before
    assert db.session.query(AuditLog).filter_by(action="list.redacted").count() == 0
