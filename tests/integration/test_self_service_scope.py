"""Issue 16, items 1 and 6: a self-service link shows only the records of the site that made it,
and revoking it ends the browser's 30-minute view at once (also after it was used)."""
import json
import re
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Engagement, FollowUp, ScanEvent
from tests.support.web import login_as
from tests.support.workflow_data import make_attendance, make_person, make_site, make_user, site_company

SITE_A, SITE_B = "Kvartal Løkkeveien", "Brygga Nord"
NOTE_A = "Notat fra byggherrens representant på A"


@pytest.fixture
def two_sites(app):
    """One worker, known on site A (engagement, a day, a scan with a note, a follow-up) and on site B."""
    site_a, site_b = make_site(SITE_A), make_site(SITE_B, org_prefix=92345670)
    worker = make_person(site_a)
    start = utcnow() - timedelta(days=3)
    make_attendance(site_a, worker, day=start.date(), first_in=start)
    card = worker.cards[0]
    db.session.add_all([
        ScanEvent(id="00000000-0000-4000-8000-0000000000a1", site_id=site_a.id, card_id=card.id,
                  card_number=card.number, person_id=worker.id, scanned_at=start, local_date=start.date(),
                  decision="accepted", reason="ok", direction="in", source="manual", note=NOTE_A),
        FollowUp(site_id=site_a.id, card_id=card.id, card_number=card.number, person_id=worker.id, kind="lost"),
        Engagement(person=worker, site=site_b, employer=site_company(site_b)),
    ])
    rep_b = make_user("builder_rep", site_b, email="rep-b@test.portvakt.no")
    db.session.commit()
    return site_a, site_b, worker, rep_b


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("portvakt_lang", "en")
    login_as(client, user)
    return client


def make_link(client, site_id: int, person_id: int) -> str:
    page = client.post(f"/sites/{site_id}/self-service", data={"person_id": str(person_id)}).get_data(as_text=True)
    return re.search(r'id="self-service-url">[^<]*/me/([^<]+)<', page).group(1)


def opened(app, token: str):
    worker = app.test_client()
    worker.set_cookie("portvakt_lang", "en")
    assert worker.get(f"/me/{token}").status_code == 302
    return worker


def test_a_link_made_on_site_b_shows_nothing_from_site_a(app, two_sites):
    site_a, site_b, worker, rep_b = two_sites
    rep = signed_in(app, rep_b)
    assert rep.get(f"/sites/{site_a.id}/people/{worker.id}").status_code in (403, 404)  # as before
    viewer = opened(app, make_link(rep, site_b.id, worker.id))

    data = json.loads(viewer.get("/me/data.json").data)
    assert data["person"]["last_name"] == "Żółkowski" and data["cards"]  # the person's own card stays
    assert [e["site"] for e in data["engagements"]] == [SITE_B]
    assert data["attendance_days"] == [] and data["scan_events"] == [] and data["follow_ups"] == []
    page = viewer.get("/me").get_data(as_text=True)
    for leaked in (SITE_A, NOTE_A):
        assert leaked not in json.dumps(data, ensure_ascii=False) and leaked not in page
    assert "each site for its own records" in page


def test_the_same_worker_gets_site_a_records_through_site_a(app, two_sites):
    site_a, _, worker, _ = two_sites
    rep_a = make_user("builder_rep", site_a, email="rep-a@test.portvakt.no")
    db.session.commit()
    viewer = opened(app, make_link(signed_in(app, rep_a), site_a.id, worker.id))
    data = json.loads(viewer.get("/me/data.json").data)
    assert [e["site"] for e in data["engagements"]] == [SITE_A]
    assert [d["site"] for d in data["attendance_days"]] == [SITE_A]
    assert [s["note"] for s in data["scan_events"]] == [NOTE_A]
    assert [f["site"] for f in data["follow_ups"]] == [SITE_A]


def test_revoking_a_used_link_ends_the_view_at_once(app, two_sites):
    _, site_b, worker, rep_b = two_sites
    rep = signed_in(app, rep_b)
    viewer = opened(app, make_link(rep, site_b.id, worker.id))
    assert viewer.get("/me").status_code == 200

    links = rep.get(f"/sites/{site_b.id}/self-service").get_data(as_text=True)
    revoke = re.search(r'action="(/sites/\d+/self-service/\d+/revoke)"', links)
    assert revoke is not None, "a used link must offer Revoke too"
    assert rep.post(revoke.group(1)).status_code == 302

    assert viewer.get("/me").status_code == 410
    assert viewer.get("/me/data.json").status_code in (403, 410)  # and it stays closed
    assert viewer.get("/me").status_code in (403, 410)


def test_revoking_ends_the_json_download_too(app, two_sites):
    _, site_b, worker, rep_b = two_sites
    rep = signed_in(app, rep_b)
    viewer = opened(app, make_link(rep, site_b.id, worker.id))
    link_id = re.search(r'/self-service/(\d+)/revoke', rep.get(f"/sites/{site_b.id}/self-service")
                        .get_data(as_text=True)).group(1)
    rep.post(f"/sites/{site_b.id}/self-service/{link_id}/revoke")
    assert viewer.get("/me/data.json").status_code == 410


def test_a_view_ends_when_its_link_is_deleted_by_retention(app, two_sites):
    """The grant is only as good as the link row behind it: no row, no view."""
    from app.models import AccessLink

    _, site_b, worker, rep_b = two_sites
    viewer = opened(app, make_link(signed_in(app, rep_b), site_b.id, worker.id))
    AccessLink.query.filter_by(kind="self_service").delete()
    db.session.commit()
    assert viewer.get("/me").status_code in (403, 410)


def test_the_record_service_is_scoped_by_site(app, two_sites):
    from app.services.person_record import person_record

    site_a, site_b, worker, _ = two_sites
    record = person_record(worker.id, site_b.id)
    assert [e["site"] for e in record["engagements"]] == [SITE_B] and not record["attendance_days"]
    assert len(person_record(worker.id, site_a.id)["scan_events"]) == 1
