"""The list-workflow pages through the Flask test client, with the real card-service emulator behind
manual registration: daily control, corrections, share links, self-service and follow-ups."""
import json
import re
from datetime import date, timedelta

import pytest

from app.clock import utcnow
from app.domain.localtime import local_date
from app.extensions import db
from app.models import AccessLink, AttendanceDay, AuditLog, Company, DailyList, FollowUp, Person
from tests.support.kiosk_api import cardsim, world  # noqa: F401  (fixtures)
from tests.support.web import login_as, make_user


@pytest.fixture
def today(app):
    return local_date(utcnow(), app.config["PORTVAKT_TZ"])


@pytest.fixture
def rep(app, world):
    from app.models import Site

    return make_user("builder_rep", db.session.get(Site, world.site_id))


def signed_in(app, user):
    client = app.test_client()
    client.set_cookie("portvakt_lang", "en")  # English message ids, whether or not the .mo files are built
    login_as(client, user)
    return client


def register(client, world, worker="kari", reason="Kortleseren virket ikke"):
    return client.post(f"/sites/{world.site_id}/lists/manual",
                       data={"card_number": world.workers[worker].card_number, "reason": reason, "direction": "in"})


def test_manual_registration_check_correction_and_a_second_version(app, world, rep, today):
    client = signed_in(app, rep)
    day_url = f"/sites/{world.site_id}/lists/{today.isoformat()}"
    assert register(client, world).headers["Location"].endswith(day_url)
    assert register(client, world, "lukasz").status_code == 302
    page = client.get(day_url).get_data(as_text=True)
    assert "Nordmann, Kari" in page and "NOT CHECKED" in page

    assert client.post(day_url + "/check").status_code == 302
    assert client.post(day_url + "/check").status_code == 302  # unchanged: no second version
    assert [v.version for v in DailyList.query.filter_by(site_id=world.site_id)] == [1]
    assert "Checked, version 1" in client.get(day_url).get_data(as_text=True)
    index_url = f"/sites/{world.site_id}/lists"
    assert "Checked, version 1" in client.get(index_url).get_data(as_text=True)

    row = AttendanceDay.query.filter_by(person_id=world.workers["lukasz"].person_id).one()
    remove_url = f"/sites/{world.site_id}/lists/rows/{row.id}/remove"
    assert client.post(remove_url, data={"reason": ""}).status_code == 200  # a reason is required
    assert db.session.get(AttendanceDay, row.id).removed_at is None
    assert client.post(remove_url, data={"reason": "Feil person registrert"}).status_code == 302
    db.session.expire_all()
    removed = db.session.get(AttendanceDay, row.id)
    assert removed.removed_at is not None and removed.removed_reason == "Feil person registrert"
    page = client.get(day_url).get_data(as_text=True)
    assert "Changed since version 1" in page and 'class="removed"' in page
    index = client.get(index_url).get_data(as_text=True)  # the lists index says so too
    assert "Changed since version 1" in index and "Checked, version 1" not in index

    client.post(day_url + "/check")
    assert "Checked, version 2" in client.get(index_url).get_data(as_text=True)
    assert sorted(v.version for v in DailyList.query.filter_by(site_id=world.site_id)) == [1, 2]
    archived = client.get(day_url + "/v1.pdf")
    assert archived.status_code == 200 and archived.data.startswith(b"%PDF")
    actions = [a.action for a in AuditLog.query.order_by(AuditLog.id)]
    assert actions.count("attendance.manual_registration") == 2 and "attendance.remove" in actions
    assert actions.count("list.checked") == 2


def test_a_day_that_has_not_begun_cannot_be_checked(app, world, rep, today):
    client = signed_in(app, rep)
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = client.post(f"/sites/{world.site_id}/lists/{tomorrow}/check", follow_redirects=True)
    assert "has not begun" in response.get_data(as_text=True) and DailyList.query.count() == 0


def test_a_card_the_service_rejects_is_not_registered_and_the_form_says_why(app, world, rep):
    world.put_card("49999990", status="lost", first="Ola", last="Tapt")
    client = signed_in(app, rep)
    response = client.post(f"/sites/{world.site_id}/lists/manual",
                           data={"card_number": "49999990", "reason": "Kortet kunne ikke leses", "direction": "in"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="error"' in page and "Not registered" in page
    assert AttendanceDay.query.count() == 0


@pytest.mark.parametrize("data", [
    {"card_number": "abc", "reason": "Kortleseren virket ikke"},
    {"card_number": "", "reason": ""},
    {"card_number": "4" * 40, "reason": "x" * 600},
    {"card_number": "40000000", "reason": "Kort", "direction": "sideways"},
])
def test_bad_manual_registration_input_shows_errors_and_stores_nothing(app, world, rep, data):
    response = signed_in(app, rep).post(f"/sites/{world.site_id}/lists/manual", data=data)
    assert response.status_code == 200 and 'class="error"' in response.get_data(as_text=True)
    assert AttendanceDay.query.count() == 0


@pytest.mark.parametrize("path", ["/lists/2026-13-45", "/lists/yesterday", "/lists/{today}/download/exe",
                                  "/lists/{today}/v99.pdf", "/lists/rows/999999/remove", "/followups/999999"])
def test_nonsense_paths_are_404_pages(app, world, rep, today, path):
    response = signed_in(app, rep).get(f"/sites/{world.site_id}" + path.format(today=today.isoformat()))
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)


def test_date_picker_with_a_bad_date_says_so(app, world, rep):
    response = signed_in(app, rep).get(f"/sites/{world.site_id}/lists?day=31.02.2026")
    assert response.status_code == 200 and "Choose a date" in response.get_data(as_text=True)


def test_employer_viewer_sees_only_its_own_people_and_no_archive(app, world, rep, today):
    from app.models import Site

    client = signed_in(app, rep)
    register(client, world, "kari")
    register(client, world, "ruta")  # employed by the staffing agency
    client.post(f"/sites/{world.site_id}/lists/{today.isoformat()}/check")
    electro = Company.query.filter_by(name="Elektro Øst AS").one()
    viewer = signed_in(app, make_user("employer_viewer", db.session.get(Site, world.site_id), electro))
    day_url = f"/sites/{world.site_id}/lists/{today.isoformat()}"
    page = viewer.get(day_url).get_data(as_text=True)
    assert "Nordmann, Kari" in page and "Jankauskienė" not in page and 'id="control"' not in page
    csv = viewer.get(day_url + "/download/csv").data.decode("utf-8-sig")
    assert "Nordmann" in csv and "Jankauskienė" not in csv
    assert viewer.get(day_url + "/v1.pdf").status_code == 403
    index = viewer.get(f"/sites/{world.site_id}/lists").get_data(as_text=True)
    assert re.search(r"<td>1</td>", index) and "Checked, version" not in index  # Kari only, no control state
    period = viewer.get(f"/sites/{world.site_id}/lists/period?date_from={today.isoformat()}"
                        f"&date_to={today.isoformat()}&fmt=csv").data.decode("utf-8-sig")
    assert "Nordmann" in period and "Jankauskienė" not in period


def share_token(page: str) -> str:
    return re.search(r'id="share-url">[^<]*/share/([A-Za-z0-9_-]+)<', page).group(1)


def test_share_link_is_shown_once_opens_read_only_is_audited_and_stops_when_revoked(app, world, rep, today,
                                                                                    caplog):
    caplog.set_level("DEBUG")
    client = signed_in(app, rep)
    register(client, world, "kari")
    created = client.post(f"/sites/{world.site_id}/share-links", data={
        "recipient": "Arbeidstilsynet, inspektør Åse", "date_from": (today - timedelta(days=2)).isoformat(),
        "date_to": today.isoformat(), "company_id": "0", "valid_days": "7"}).get_data(as_text=True)
    token = share_token(created)
    assert token not in client.get(f"/sites/{world.site_id}/share-links").get_data(as_text=True)

    inspector = app.test_client()
    overview = inspector.get(f"/share/{token}")
    assert overview.status_code == 200 and overview.headers["Cache-Control"] == "no-store"
    day = inspector.get(f"/share/{token}/{today.isoformat()}").get_data(as_text=True)
    assert "Nordmann, Kari" in day and "/remove" not in day and "/check" not in day
    assert inspector.get(f"/share/{token}/{today.isoformat()}/download/pdf").data.startswith(b"%PDF")
    assert inspector.get(f"/share/{token}/{(today - timedelta(days=3)).isoformat()}").status_code == 404

    audit = AuditLog.query.filter(AuditLog.action.like("share_link.%")).all()
    assert {a.action for a in audit} >= {"share_link.create", "share_link.open", "share_link.view_day",
                                         "share_link.download"}
    assert token not in json.dumps([[a.actor, a.target_id, a.details] for a in audit])

    link = AccessLink.query.filter_by(kind="share").one()
    assert client.post(f"/sites/{world.site_id}/share-links/{link.id}/revoke").status_code == 302
    assert inspector.get(f"/share/{token}").status_code == 410
    assert token not in caplog.text  # tokens live in the URL only, never in a log


def test_an_employers_share_link_shows_only_its_people(app, world, rep, today):
    client = signed_in(app, rep)
    register(client, world, "kari")
    register(client, world, "ruta")
    electro = Company.query.filter_by(name="Elektro Øst AS").one()
    token = share_token(client.post(f"/sites/{world.site_id}/share-links", data={
        "recipient": "Elektro Øst AS", "date_from": today.isoformat(), "date_to": today.isoformat(),
        "company_id": str(electro.id), "valid_days": "1"}).get_data(as_text=True))
    day = app.test_client().get(f"/share/{token}/{today.isoformat()}").get_data(as_text=True)
    assert "Nordmann, Kari" in day and "Jankauskienė" not in day


def test_a_shared_list_shows_in_out_times_only_when_the_site_prints_them(app, world, rep, today):
    from app.models import Site

    client = signed_in(app, rep)
    register(client, world, "kari")
    token = share_token(client.post(f"/sites/{world.site_id}/share-links", data={
        "recipient": "Arbeidstilsynet", "date_from": today.isoformat(), "date_to": today.isoformat(),
        "company_id": "0", "valid_days": "1"}).get_data(as_text=True))
    inspector = app.test_client()
    inspector.set_cookie("portvakt_lang", "en")
    assert "<th>In</th>" not in inspector.get(f"/share/{token}/{today.isoformat()}").get_data(as_text=True)
    assert "<th>In</th>" in client.get(f"/sites/{world.site_id}/lists/{today.isoformat()}").get_data(as_text=True)
    db.session.get(Site, world.site_id).prints_times = True
    db.session.commit()
    assert "<th>In</th>" in inspector.get(f"/share/{token}/{today.isoformat()}").get_data(as_text=True)


def test_share_link_form_errors_sit_next_to_their_fields(app, world, rep, today):
    response = signed_in(app, rep).post(f"/sites/{world.site_id}/share-links", data={
        "recipient": "", "date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat(),
        "company_id": "0", "valid_days": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count('class="error"') >= 1
    assert AccessLink.query.count() == 0
    reversed_range = signed_in(app, rep).post(f"/sites/{world.site_id}/share-links", data={
        "recipient": "Skatteetaten", "date_from": today.isoformat(),
        "date_to": (today - timedelta(days=1)).isoformat(), "company_id": "0", "valid_days": "7"})
    assert "The last day comes before the first." in reversed_range.get_data(as_text=True)
    assert AccessLink.query.count() == 0


@pytest.mark.parametrize("token", ["x", "a" * 5000, "%00", "..%2F..%2Fetc%2Fpasswd", "ø"])
def test_garbage_tokens_get_a_plain_404(app, world, token):
    client = app.test_client()
    assert client.get(f"/share/{token}").status_code == 404
    assert client.get(f"/me/{token}").status_code == 404


def test_self_service_link_shows_the_worker_their_own_data_once(app, world, rep, today):
    client = signed_in(app, rep)
    register(client, world, "kari")
    register(client, world, "lukasz")
    kari = db.session.get(Person, world.workers["kari"].person_id)
    links_page = client.get(f"/sites/{world.site_id}/self-service?person_id={kari.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{kari.id}">|<option value="{kari.id}" selected>', links_page)
    assert kari.birth_date.isoformat() not in links_page and kari.birth_date.strftime("%d.%m.%Y") not in links_page
    created = client.post(f"/sites/{world.site_id}/self-service", data={"person_id": str(kari.id)})
    url = re.search(r'id="self-service-url">([^<]+)<', created.get_data(as_text=True)).group(1)
    token = url.rsplit("/", 1)[1]

    worker = app.test_client()
    worker.set_cookie("portvakt_lang", "en")
    opened = worker.get(f"/me/{token}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/me")
    page = worker.get("/me").get_data(as_text=True)
    assert world.workers["kari"].card_number in page and "Nordmann" in page
    assert "Brzęczyszczykiewicz" not in page and world.workers["lukasz"].card_number not in page
    assert token not in page
    data = json.loads(worker.get("/me/data.json").data)
    assert data["person"] == {"first_name": "Kari", "last_name": "Nordmann", "birth_date": "1984-05-17"}
    assert [d["date"] for d in data["attendance_days"]] == [today.isoformat()]

    assert app.test_client().get(f"/me/{token}").status_code == 410  # one time only
    assert app.test_client().get("/me").status_code == 403  # another browser holds no grant


def test_follow_up_shows_a_notice_and_closes_only_with_a_note(app, world, rep):
    card_number = world.workers["ola"].card_number
    item = FollowUp(site_id=world.site_id, card_number=card_number, person_id=world.workers["ola"].person_id,
                    kind="stolen")
    db.session.add(item)
    db.session.commit()
    client = signed_in(app, rep)
    listing = client.get(f"/sites/{world.site_id}/followups").get_data(as_text=True)
    assert card_number in listing
    url = f"/sites/{world.site_id}/followups/{item.id}"
    page = client.get(url).get_data(as_text=True)
    assert "meldt stjålet" in page and "Kvartal Løkkeveien" in page and "Arbeidstilsynet" in page
    assert client.post(url, data={"note": ""}).status_code == 200
    assert client.post(url, data={"note": "Sendt på e-post 25.11"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, item.id).done_at is not None
    assert card_number not in client.get(f"/sites/{world.site_id}/followups").get_data(as_text=True)


def test_names_are_escaped_everywhere_they_are_shown(app, world, rep, today):
    kari = world.workers["kari"]
    # The card register's holder name is what Portvakt shows: make it hostile there.
    world.put_card(kari.card_number, first='<script>alert("x")</script>', last="Nordmann", qr_token=kari.qr_token)
    client = signed_in(app, rep)
    register(client, world, "kari")
    assert "<script>" in db.session.get(Person, kari.person_id).first_name  # stored as given
    for path in (f"/sites/{world.site_id}/lists/{today.isoformat()}", f"/sites/{world.site_id}/self-service"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_period_report_downloads_and_refuses_a_nonsense_period(app, world, rep, today):
    client = signed_in(app, rep)
    register(client, world, "kari")
    base = f"/sites/{world.site_id}/lists/period"
    first = (today - timedelta(days=6)).isoformat()
    report = client.get(f"{base}?date_from={first}&date_to={today.isoformat()}&fmt=csv")
    assert report.status_code == 200 and "Nordmann" in report.data.decode("utf-8-sig")
    assert client.get(f"{base}?date_from={first}&date_to={today.isoformat()}&fmt=pdf").data.startswith(b"%PDF")
    for query in (f"date_from={today.isoformat()}&date_to={first}&fmt=pdf", "date_from=x&date_to=y&fmt=pdf",
                  f"date_from=2020-01-01&date_to={today.isoformat()}&fmt=csv",
                  f"date_from={first}&date_to={today.isoformat()}&fmt=exe", ""):
        refused = client.get(f"{base}?{query}", follow_redirects=True)
        assert refused.status_code == 200 and "Choose a first and a last day" in refused.get_data(as_text=True)


def test_an_employers_share_link_period_report_has_only_its_people(app, world, rep, today):
    client = signed_in(app, rep)
    register(client, world, "kari")
    register(client, world, "ruta")
    electro = Company.query.filter_by(name="Elektro Øst AS").one()
    token = share_token(client.post(f"/sites/{world.site_id}/share-links", data={
        "recipient": "Elektro Øst AS", "date_from": (today - timedelta(days=3)).isoformat(),
        "date_to": today.isoformat(), "company_id": str(electro.id), "valid_days": "1"}).get_data(as_text=True))
    csv = app.test_client().get(f"/share/{token}/period/csv").data.decode("utf-8-sig")
    assert "Nordmann" in csv and "Jankauskienė" not in csv
    assert app.test_client().get(f"/share/{token}/period/exe").status_code == 404


@pytest.mark.parametrize("path", ["/lists/0001-01-01", "/lists/9999-12-31", "/lists/0001-01-01/download/pdf",
                                  "/lists/9999-12-31/v1.pdf"])
def test_dates_at_the_edge_of_the_calendar_are_404_not_500(app, world, rep, path):
    assert signed_in(app, rep).get(f"/sites/{world.site_id}" + path).status_code == 404


@pytest.mark.parametrize("query", ["day=0001-01-01", "day=9999-12-31",
                                   "date_from=0001-01-01&date_to=0001-01-02&fmt=pdf"])
def test_far_away_dates_in_forms_get_a_message(app, world, rep, query):
    path = "/lists/period" if "fmt" in query else "/lists"
    response = signed_in(app, rep).get(f"/sites/{world.site_id}{path}?{query}", follow_redirects=True)
    assert response.status_code == 200 and 'flash-error' in response.get_data(as_text=True)


def test_a_check_of_a_day_at_the_edge_of_the_calendar_is_404(app, world, rep):
    assert signed_in(app, rep).post(f"/sites/{world.site_id}/lists/0001-01-01/check").status_code == 404
    assert DailyList.query.count() == 0


def test_two_reps_checking_the_same_day_at_once_get_one_version(app, world, rep, today, monkeypatch):
    """The second check loses the race for version 1 and then finds it (same data): no 500, no duplicate.
    The service handles the race (app/services/lists.check_day); the page only shows its answer."""
    from app.services import list_versions

    client = signed_in(app, rep)
    register(client, world, "kari")
    check = f"/sites/{world.site_id}/lists/{today.isoformat()}/check"
    assert client.post(check).status_code == 302  # the other rep's check: version 1
    real_newest, stale = list_versions.newest, [True]
    # Our read of "the newest version" came just before the other rep's check was committed.
    monkeypatch.setattr(list_versions, "newest", lambda site_id, day: None if stale and stale.pop()
                        else real_newest(site_id, day))
    response = client.post(check, follow_redirects=True)
    assert response.status_code == 200 and "Version 1 is archived" in response.get_data(as_text=True)
    assert [v.version for v in DailyList.query.filter_by(site_id=world.site_id)] == [1]
