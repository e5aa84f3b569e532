"""The card-order pages: the form with its upload, hostile input answered with a page (never a 500),
registering by hand, and the receipt download."""
import io
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.domain.localtime import local_date
from app.extensions import db
from app.models import AttendanceDay, CardOrder
from tests.support.web import login_as, make_company, make_site, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def page(client, db_session):
    site = make_site("Kaia Øst")
    employer = make_company("Bemanning Nord AS", "999888774", site=site, role="staffing_agency")
    db.session.commit()
    login_as(client, make_user("builder_rep", site))
    client.set_cookie("portvakt_lang", "nb")
    return client, site.id, employer.id


def today():
    return local_date(utcnow(), "Europe/Oslo")


def form(employer, **fields):
    return {"first_name": "Jūratė", "last_name": "Kazlauskienė", "birth_date": "1991-06-05",
            "employer_id": str(employer), "hired_by_id": "", "order_reference": "",
            "approved_by": "Per Prosjektleder", "valid_until": (today() + timedelta(days=10)).isoformat(), **fields}


def post_order(client, site_id, data):
    return client.post(f"/sites/{site_id}/card-orders", data=data, content_type="multipart/form-data")


def test_recording_with_a_receipt_then_downloading_it(page):
    client, site_id, employer_id = page
    sent = post_order(client, site_id, form(employer_id, receipt=(io.BytesIO(PNG), "kvittering.pdf")))
    assert sent.status_code == 302
    order = db.session.scalars(db.select(CardOrder)).one()
    listing = client.get(f"/sites/{site_id}/card-orders").get_data(as_text=True)
    assert "Kazlauskienė" in listing and "Kort bestilt" in listing
    got = client.get(f"/sites/{site_id}/card-orders/{order.id}/receipt")
    assert got.status_code == 200 and got.data == PNG and got.mimetype == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment") and "kvittering.png" in got.headers[
        "Content-Disposition"]


@pytest.mark.parametrize("fields, message", [
    ({"receipt": (io.BytesIO(b"<html><script>alert(1)</script>"), "kvittering.pdf")}, "PDF-, JPEG- eller PNG-fil"),
    ({"receipt": (io.BytesIO(b"%PDF-1.7" + b"0" * (5 * 1024 * 1024)), "stor.pdf")}, "høyst 5 MB"),
    ({}, "Oppgi bestillingsreferansen eller last opp kvitteringen"),
    ({"order_reference": "R-1", "valid_until": "2099-01-01"}, "Høyst 30 dager fra i dag"),
    ({"order_reference": "R-1", "valid_until": "31.02.2026"}, ""),
    ({"order_reference": "R-1", "birth_date": "not a date"}, ""),
    ({"order_reference": "R-1", "employer_id": "999999"}, ""),
    ({"order_reference": "R-1", "hired_by_id": "-1"}, ""),
])
def test_bad_input_shows_the_form_again_with_a_message(page, fields, message):
    client, site_id, employer_id = page
    answer = post_order(client, site_id, form(employer_id, **fields))
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert db.session.query(CardOrder).count() == 0


def test_a_body_far_over_the_limit_gets_the_too_large_page(page):
    client, site_id, employer_id = page
    answer = post_order(client, site_id, form(employer_id, receipt=(io.BytesIO(b"%PDF" + b"0" * 7_000_000), "x.pdf")))
    assert answer.status_code == 413


def test_registering_by_hand_puts_the_worker_on_todays_list(page):
    client, site_id, employer_id = page
    post_order(client, site_id, form(employer_id, order_reference="BEST-1"))
    order_id = db.session.scalar(db.select(CardOrder.id))
    done = client.post(f"/sites/{site_id}/card-orders/{order_id}/register",
                       data={"direction": "in", "time": "", "reason": "Kortet er bestilt"})
    assert done.status_code == 302 and f"/lists/{today().isoformat()}" in done.headers["Location"]
    day = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "HMS-kort bestilt" in day
    row = db.session.scalars(db.select(AttendanceDay)).one()
    assert row.card_id is None and row.source == "manual"


@pytest.mark.parametrize("data", [
    {"direction": "in", "time": "25:99", "reason": "Kortet er bestilt"},
    {"direction": "sideways", "time": "", "reason": "Kortet er bestilt"},
    {"direction": "in", "time": "", "reason": ""},
])
def test_bad_registrations_show_the_form_again(page, data):
    client, site_id, employer_id = page
    post_order(client, site_id, form(employer_id, order_reference="BEST-1"))
    order_id = db.session.scalar(db.select(CardOrder.id))
    answer = client.post(f"/sites/{site_id}/card-orders/{order_id}/register", data=data)
    assert answer.status_code == 200 and db.session.query(AttendanceDay).count() == 0


def test_an_order_on_another_site_or_none_at_all_is_404(page):
    client, site_id, employer_id = page
    other = make_site("Fjordbyen")
    db.session.commit()
    post_order(client, site_id, form(employer_id, order_reference="BEST-1"))
    order_id = db.session.scalar(db.select(CardOrder.id))
    assert client.get(f"/sites/{site_id}/card-orders/{order_id + 1}/register").status_code == 404
    assert client.get(f"/sites/{site_id}/card-orders/{order_id}/receipt").status_code == 404  # no receipt
    rep_elsewhere = make_user("builder_rep", other)
    login_as(client, rep_elsewhere)
    assert client.get(f"/sites/{other.id}/card-orders/{order_id}/register").status_code == 404


@pytest.mark.parametrize("action", ["register", "receipt"])
def test_an_order_id_beyond_any_integer_column_is_404_not_a_database_error(page, action):
    client, site_id, _ = page
    assert client.get(f"/sites/{site_id}/card-orders/99999999999999999999999/{action}").status_code == 404
