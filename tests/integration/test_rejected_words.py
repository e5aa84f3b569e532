"""The rejected scans page says what the worker saw at the gate: the kiosk's own words (issue 15, item 8)."""
import json
import uuid
from pathlib import Path

import pytest

from app.clock import site_today, utcnow
from app.extensions import db
from app.models import Kiosk, ScanEvent
from tests.support.web import login_as, make_site, make_user

LOCALES = Path(__file__).resolve().parents[2] / "scanner" / "locales"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_rejected_page_shows_the_kiosks_words(client, language):
    site = make_site()
    kiosk = Kiosk(site_id=site.id, name="Port nord", mode="auto", languages="nb,en", created_at=utcnow())
    db.session.add(kiosk)
    db.session.flush()
    now = utcnow()
    db.session.add(ScanEvent(id=str(uuid.uuid4()), site_id=site.id, kiosk_id=kiosk.id, scanned_at=now,
                             local_date=site_today(now), decision="rejected", reason="card_blocked", direction="in",
                             verified=True, warnings=[], card_number="12345678",
                             message={"nb": "SERVERTEKST", "en": "SERVER TEXT"}))
    db.session.commit()
    client.set_cookie("portvakt_lang", language)
    login_as(client, make_user("builder_rep", site))
    body = client.get(f"/sites/{site.id}/rejected").get_data(as_text=True)
    kiosk_said = json.loads((LOCALES / f"{language}.json").read_text())["reasons"]["card_blocked"]
    assert kiosk_said["title"] in body and kiosk_said["action"] in body
    assert "SERVERTEKST" not in body and "SERVER TEXT" not in body


def test_a_code_the_kiosk_does_not_know_shows_the_servers_message(client):
    site = make_site()
    now = utcnow()
    db.session.add(ScanEvent(id=str(uuid.uuid4()), site_id=site.id, scanned_at=now, local_date=site_today(now),
                             decision="rejected", reason="brand_new_reason", direction="in", verified=True,
                             warnings=[], card_number="12345678", message={"nb": "SERVERTEKST", "en": "SERVER TEXT"}))
    db.session.commit()
    login_as(client, make_user("builder_rep", site))
    assert "SERVERTEKST" in client.get(f"/sites/{site.id}/rejected").get_data(as_text=True)
