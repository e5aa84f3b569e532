"""Norwegian pages show words, not the codes behind them (issue 15, item 6): the self-service page's
card status and type, the kiosks page's health column."""
import re
from datetime import date

from app.clock import utcnow
from app.extensions import db
from app.models import Card, Engagement, Kiosk
from tests.support.web import login_as, make_company, make_person, make_site, make_user


def test_the_self_service_page_words_the_card_status_and_type(app):
    site = make_site()
    company = make_company(site=site)
    person = make_person("Ola", "Nordmann")
    db.session.add_all([Engagement(person_id=person.id, site_id=site.id, employer_id=company.id),
                        Card(number="77123456", card_type="cleaning", person_id=person.id, employer_id=company.id,
                             valid_to=date(2027, 1, 31), last_status="valid", last_checked_at=utcnow())])
    db.session.commit()
    rep = app.test_client()
    login_as(rep, make_user("builder_rep", site))
    made = rep.post(f"/sites/{site.id}/self-service", data={"person_id": str(person.id)}).get_data(as_text=True)
    token = re.search(r'id="self-service-url">[^<]*/me/([^<]+)<', made).group(1)
    worker = app.test_client()
    assert worker.get(f"/me/{token}").status_code == 302
    cards = worker.get("/me").get_data(as_text=True)
    cards = cards[cards.index("77123456"):]
    cards = cards[:cards.index("</tr>")]
    assert "Gyldig" in cards and "Renhold" in cards
    assert not re.search(r"\bvalid\b|\bcleaning\b", cards)


def test_the_kiosks_page_words_the_health_report(client):
    site = make_site()
    db.session.add(Kiosk(site_id=site.id, name="Port nord", mode="auto", languages="nb,en", created_at=utcnow(),
                         last_seen_at=utcnow(),
                         health={"fps": 9.38, "decode_rate": 7.5, "last_sync_at": "2026-03-02T06:05:00+00:00",
                                 "version": "1.4.0", "reported_at": "2026-03-02T06:05:00+00:00"}))
    db.session.commit()
    login_as(client, make_user("builder_rep", site))
    body = client.get(f"/sites/{site.id}/kiosks").get_data(as_text=True)
    for code in ("fps:", "decode_rate", "last_sync_at", "version:", "2026-03-02T"):
        assert code not in body, code
    assert "9,4 bilder/s" in body and "7,5" in body and "02.03.2026 07:05" in body and "1.4.0" in body
