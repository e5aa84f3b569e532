"""An archived list's PDF is read only where its bytes are wanted: listing versions never loads them."""
from datetime import date

from sqlalchemy import event, inspect, select

from app.extensions import db
from app.models import DailyList, Site
from app.services import lists
from tests.support.builders import archived_list, make_site

DAY = date(2026, 11, 2)


def _statements(run):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731  (before_cursor_execute's statement)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        return run(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_a_version_read_without_asking_for_its_pdf_leaves_the_bytes_in_the_database(app):
    archived_list(make_site(), DAY, pdf=b"%PDF-1.4 " + b"x" * 1000)
    db.session.commit()
    db.session.expunge_all()

    row = db.session.scalars(select(DailyList)).one()

    assert "pdf" in inspect(row).unloaded and row.pdf_sha256


def test_the_download_reads_the_bytes_with_the_row_in_one_statement(app):
    site_id = make_site().id
    archived_list(db.session.get(Site, site_id), DAY, pdf=b"%PDF-1.4 the archived bytes")
    db.session.commit()
    db.session.expunge_all()

    download, statements = _statements(lambda: lists.archived_pdf(site_id, DAY, 1))

    assert download.content == b"%PDF-1.4 the archived bytes"
    assert len([s for s in statements if "daily_list" in s]) == 1
