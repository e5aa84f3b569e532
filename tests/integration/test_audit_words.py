"""The audit log in sentences a builder understands, with links to what each event is about (issue 15, item 6)."""
import re
import uuid
from datetime import date
from pathlib import Path

import pytest

from app.audit_words import SENTENCES
from app.clock import utcnow
from app.extensions import db
from app.models import AttendanceDay, Kiosk, ScanEvent, SiteCompany
from app.services.audit import audit
from tests.support.web import login_as, make_company, make_person, make_site, make_user

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def logged(app):
    site = make_site("Kaia Øst")
    main = make_company("Hovedentreprenør AS", "923609016", site, role="main_contractor")
    sub = make_company("Elektro Øst AS", "987654309", site)
    person = make_person("Ola", "Nordmann")
    kiosk = Kiosk(site_id=site.id, name="Port nord", mode="auto", languages="nb,en", created_at=utcnow())
    db.session.add(kiosk)
    day = date(2026, 3, 2)
    row = AttendanceDay(site_id=site.id, person_id=person.id, local_date=day, employer_id=sub.id,
                        first_in=utcnow(), is_present=True, flags=[])
    scan = ScanEvent(id=str(uuid.uuid4()), site_id=site.id, scanned_at=utcnow(), local_date=day, decision="accepted",
                     reason="ok", direction="in", verified=True, warnings=[], person_id=person.id, message={})
    db.session.add_all([row, scan])
    db.session.flush()
    main_link = db.session.query(SiteCompany).filter_by(company_id=main.id).one()
    sub_link = db.session.query(SiteCompany).filter_by(company_id=sub.id).one()
    user = make_user("builder_rep", site)
    audit("company.add_to_site", user, site_id=site.id, target_type="company", target_id=sub.id,
          site_company_id=sub_link.id, role="subcontractor", parent_id=main_link.id, via="web",
          active_from=None, active_to=None)
    audit("kiosk.create", user, site_id=site.id, target_type="kiosk", target_id=kiosk.id, mode="in", enrollment=False)
    audit("attendance.manual_registration", user, site_id=site.id, target_type="scan_event", target_id=scan.id,
          decision="accepted", direction="in")
    audit("attendance.remove", user, site_id=site.id, target_type="attendance_day", target_id=row.id)
    audit("list.checked", user, site_id=site.id, target_type="daily_list", target_id=1, date=day.isoformat(),
          version=2, people=14, data_sha256="ab" * 32)
    audit("engagement.add", user, site_id=site.id, target_type="engagement", target_id=1, person_id=person.id,
          employer_id=sub.id, hired_by_id=None, registered_via="web")
    audit("site.update", user, site_id=site.id, target_type="site", target_id=site.id, fields=["name", "start_date"])
    db.session.commit()
    return {"site": site, "person": person, "sub": sub, "sub_link": sub_link, "user": user, "day": day}


def test_the_audit_log_speaks_in_sentences_with_links(client, logged):
    site = logged["site"]
    login_as(client, logged["user"])
    body = client.get(f"/sites/{site.id}/audit").get_data(as_text=True)
    table = body[body.index("<tbody>"):body.index("</tbody>")]
    for code in ("role: ", "parent_id", "main_contractor", "subcontractor", "site_company_id", "company ",
                 "scan_event", "attendance_day", "fields:", "mode: "):
        assert code not in table, code
    assert not UUID.search(table)
    assert "Elektro Øst AS" in table and "Hovedentreprenør AS" in table and "underentreprenør" in table
    assert f'href="/sites/{site.id}/people/{logged["person"].id}"' in table
    assert f'href="/sites/{site.id}/companies#entry-{logged["sub_link"].id}"' in table
    assert f'href="/sites/{site.id}/lists/2026-03-02"' in table
    assert "Port nord" in table and "Navn på byggeplassen" in table and "versjon 2" in table


def test_the_admins_audit_log_names_the_site(client, logged):
    login_as(client, make_user("admin"))
    body = client.get("/admin/audit").get_data(as_text=True)
    assert f'<a href="/sites/{logged["site"].id}">Kaia Øst</a>' in body


def test_every_audit_action_the_app_writes_has_a_sentence():
    written = set()
    for path in Path("app").rglob("*.py"):
        text = path.read_text()
        written |= set(re.findall(r'audit\(\s*"([a-z_.]+)"', text))
        if 'f"{kind}_link.revoke"' in text:
            written |= {"share_link.revoke", "self_service_link.revoke"}
    written |= {"share_link.open", "share_link.view_day", "share_link.download", "login_failed"}
    assert written - set(SENTENCES) == set()
