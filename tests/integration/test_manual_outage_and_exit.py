"""Issue 15, items 1 and 2 through the test client, with the real card-service emulator:
a builder_rep lets a worker in by hand while the card service is down on a strict site (and the
site pages say the service is down); a manual exit says it is an exit, is marked manual on the list
and changes a checked list; a manual registration takes a time within the chosen day."""
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.clock import utcnow
from app.domain.localtime import local_date, to_local
from app.extensions import db
from app.models import AttendanceDay, ScanEvent, Site
from tests.support.pdftext import pdf_pages
from tests.support.kiosk_api import cardsim, fresh_card_service, set_faults, world  # noqa: F401  (fixtures)
from tests.support.web import login_as, make_user

BANNER = "The card service is not answering"


@pytest.fixture
def today(app):
    return local_date(utcnow(), app.config["PORTVAKT_TZ"])


@pytest.fixture
def client(app, world):
    client = app.test_client()
    client.set_cookie("portvakt_lang", "en")  # English message ids, whether or not the .mo files are built
    login_as(client, make_user("builder_rep", db.session.get(Site, world.site_id)))
    return client


@pytest.fixture
def outage(app, world, cardsim):
    set_faults(cardsim, "down")
    yield
    set_faults(cardsim, "ok")
    fresh_card_service(app, cardsim)


def manual(client, world, worker="kari", **fields):
    data = {"card_number": world.workers[worker].card_number, "reason": "Kortleseren virket ikke",
            "direction": "in", **fields}
    return client.post(f"/sites/{world.site_id}/lists/manual", data=data)


def kiosk_scan(client, world, worker="kari", kiosk="gate"):
    body = {"id": str(uuid.uuid4()), "payload": world.workers[worker].qr,
            "scanned_at": utcnow().isoformat(), "direction": "auto"}
    response = client.post("/api/v1/scans", json=body, headers=world.headers(kiosk))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def the_row(world, worker="kari") -> AttendanceDay | None:
    db.session.expire_all()
    return AttendanceDay.query.filter_by(site_id=world.site_id, person_id=world.workers[worker].person_id).one_or_none()


# --- 1. the outage dead end ---------------------------------------------------------------------

def test_a_strict_site_in_an_outage_refuses_a_plain_manual_registration_and_offers_the_override(
        client, world, outage):
    page = manual(client, world).get_data(as_text=True)
    assert "Not registered" in page and the_row(world) is None
    assert 'name="override_outage"' in page  # the way out of the dead end, on the form


def test_a_builder_rep_lets_a_worker_in_by_hand_during_an_outage_flagged_not_verified(
        app, client, world, outage, today):
    assert manual(client, world, override_outage="y", reason="").status_code == 200  # a reason is required
    assert the_row(world) is None

    response = manual(client, world, override_outage="y")
    assert response.status_code == 302
    row = the_row(world)
    assert row is not None and row.source == "manual" and row.is_present
    event = ScanEvent.query.filter_by(person_id=world.workers["kari"].person_id).one()
    assert (event.decision, event.verified, event.source, event.reverified_at) == ("accepted", False, "manual", None)
    assert event.note == "Kortleseren virket ikke"
    day_url = f"/sites/{world.site_id}/lists/{today.isoformat()}"
    assert '>manual registration<' in client.get(day_url).get_data(as_text=True)
    pdf = "\n".join(pdf_pages(client.get(day_url + "/download/pdf").data))
    assert "Ikke verifisert" in pdf and "Manuell" in pdf
    unverified = client.get(f"/sites/{world.site_id}/unverified?day={today.isoformat()}").get_data(as_text=True)
    assert "Nordmann" in unverified

    # The card service answers again: `flask cards reverify` checks the row like a lenient-site scan.
    set_faults(world.cardsim, "ok")
    fresh_card_service(app, world.cardsim)
    result = app.test_cli_runner().invoke(args=["cards", "reverify"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(ScanEvent, event.id).reverified_at is not None
    assert "invalid_on_reverify" not in (the_row(world).flags or [])


def test_the_override_never_lets_in_a_card_the_service_refuses(client, world, today):
    world.put_card(world.workers["kari"].card_number, status="blocked")
    page = manual(client, world, override_outage="y").get_data(as_text=True)
    assert "Not registered" in page and the_row(world) is None


def test_the_override_cannot_list_a_card_portvakt_has_never_seen(client, world, outage):
    page = manual(client, world, card_number="49999999", override_outage="y").get_data(as_text=True)
    assert "Not registered" in page
    assert ScanEvent.query.filter_by(decision="accepted").count() == 0


def test_the_site_pages_show_a_banner_while_the_card_service_is_unreachable(app, client, world, cardsim):
    fresh_card_service(app, cardsim)
    site_page = f"/sites/{world.site_id}"
    assert BANNER not in client.get(site_page).get_data(as_text=True)
    set_faults(cardsim, "down")
    try:
        assert kiosk_scan(client, world)["reason"] == "card_service_unavailable"
        assert BANNER in client.get(site_page).get_data(as_text=True)
        assert BANNER in client.get(f"/sites/{world.site_id}/lists").get_data(as_text=True)
    finally:
        set_faults(cardsim, "ok")
    assert kiosk_scan(client, world, "ola")["decision"] == "accepted"  # a lookup that works ends it
    assert BANNER not in client.get(site_page).get_data(as_text=True)


# --- 2. manual exit -----------------------------------------------------------------------------

def test_a_manual_exit_says_it_is_an_exit(client, world):
    came = manual(client, world)
    assert "welcome" in client.get(came.headers["Location"]).get_data(as_text=True)  # and the flash is shown
    response = manual(client, world, direction="out")
    assert response.status_code == 302
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checked out" in flashed and "welcome" not in flashed


def test_an_out_only_kiosk_says_checked_out_and_an_in_kiosk_says_welcome(client, world):
    came = kiosk_scan(client, world, kiosk="in")
    assert came["direction"] == "in" and came["message"]["nb"] == "Godkjent – velkommen inn"
    left = kiosk_scan(client, world, kiosk="out")
    assert left["direction"] == "out"
    assert left["message"] == {"nb": "Registrert ut – ha en fin dag", "en": "Checked out – have a nice day"}


def test_a_manual_exit_marks_a_scanned_row_manual_and_changes_the_checked_list(client, world, today):
    kiosk_scan(client, world)
    day_url = f"/sites/{world.site_id}/lists/{today.isoformat()}"
    client.post(day_url + "/check")
    assert "Checked, version 1" in client.get(day_url).get_data(as_text=True)

    assert manual(client, world, direction="out").status_code == 302
    assert the_row(world).source == "manual"
    page = client.get(day_url).get_data(as_text=True)
    assert "Changed since version 1" in page and '>manual registration<' in page
    pdf = client.get(day_url + "/download/pdf")
    assert "Manuell" in "\n".join(pdf_pages(pdf.data))


# --- 2. the time of a manual registration -------------------------------------------------------

def local_clock(app, moment: datetime) -> str:
    return to_local(moment, app.config["PORTVAKT_TZ"]).strftime("%H:%M")


def test_a_manual_registration_takes_a_time_earlier_today(app, client, world, today):
    tz = ZoneInfo(app.config["PORTVAKT_TZ"])
    earlier = max(datetime.combine(today, time(0, 0), tz), to_local(utcnow(), app.config["PORTVAKT_TZ"]) - timedelta(hours=1))
    assert manual(client, world, day=today.isoformat(), time=earlier.strftime("%H:%M")).status_code == 302
    row = the_row(world)
    assert to_local(row.first_in, app.config["PORTVAKT_TZ"]).strftime("%H:%M") == earlier.strftime("%H:%M")


def test_a_manual_registration_yesterday_lands_on_yesterday(app, client, world, today):
    yesterday = today - timedelta(days=1)
    response = manual(client, world, day=yesterday.isoformat(), time="07:15")
    assert response.status_code == 302 and response.headers["Location"].endswith(yesterday.isoformat())
    assert the_row(world).local_date == yesterday


@pytest.mark.parametrize("field, shift", [("time", timedelta(hours=2)), ("day", timedelta(days=1))])
def test_a_manual_registration_in_the_future_is_refused_next_to_the_field(app, client, world, field, shift):
    tz = app.config["PORTVAKT_TZ"]
    later = to_local(utcnow(), tz) + shift
    if field == "time" and later.date() != to_local(utcnow(), tz).date():
        pytest.skip("no later time today: it is within two hours of midnight")
    page = manual(client, world, day=later.date().isoformat(), time=later.strftime("%H:%M")).get_data(as_text=True)
    assert the_row(world) is None
    assert f'id="{field}"' in page and "in the future" in page
    field_block = page.split(f'id="{field}"', 1)[1].split('class="field', 1)[0]
    assert "in the future" in field_block  # the error is next to its field


def test_a_manual_registration_more_than_a_week_back_is_refused(client, world, today):
    page = manual(client, world, day=(today - timedelta(days=8)).isoformat(), time="07:00").get_data(as_text=True)
    assert the_row(world) is None and "at most 7 days back" in page


def test_the_form_offers_the_chosen_day_and_a_time(client, world, today):
    page = client.get(f"/sites/{world.site_id}/lists/manual?day={today.isoformat()}").get_data(as_text=True)
    assert f'value="{today.isoformat()}"' in page and 'name="time"' in page
