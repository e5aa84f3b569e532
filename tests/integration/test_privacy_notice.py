"""The privacy notice (issue 15, item 14): the kiosk's short notice and a public full notice per site."""
import json
from pathlib import Path

from app.extensions import db
from app.services import kiosks
from tests.support.builders import attend, make_company, make_person, make_site

SCANNER_LOCALES = Path(__file__).resolve().parents[2] / "scanner" / "locales"


def test_the_kiosk_notice_has_basis_purpose_recipients_complaint_and_a_link(app):
    site = make_site()
    db.session.commit()
    with app.test_request_context():
        notice = kiosks.privacy_notice(site)
    nb, en = notice["nb"], notice["en"]
    for words in ("art. 6 nr. 1 bokstav c", "byggherreforskriften § 15", "bokstav f", "Datatilsynet",
                  "Arbeidstilsynet", "Skatteetaten", "verneombud", "arbeidsgiver", f"/sites/{site.id}/personvern"):
        assert words in nb, words
    for words in ("Art. 6(1)(c)", "6(1)(f)", "Datatilsynet", "Labour Inspection", "tax", "safety representative",
                  f"/sites/{site.id}/personvern"):
        assert words in en, words


def test_the_full_notice_is_public_and_holds_no_personal_data(app, client):
    site = make_site(passage_retention_days=60)
    main = make_company("Nordbygg Entreprenør AS")
    attend(site, make_person("Rūta", "Jankauskienė", main), site.start_date or __import__("datetime").date(2026, 3, 2), main)
    db.session.commit()
    page = client.get(f"/sites/{site.id}/personvern")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for words in ("Fjordbygg Eiendom AS", "byggherreforskriften § 15", "Datatilsynet", "60 dager", "Skatteetaten",
                  "innsyn"):
        assert words in text, words
    assert "Jankauskienė" not in text and "Nordbygg" not in text
    assert client.get("/sites/999999/personvern").status_code == 404


def test_the_scanner_fallback_no_longer_keeps_times_for_as_long_as_section_15():
    for path in SCANNER_LOCALES.glob("*.json"):
        fallback = json.loads(path.read_text())["ui"]["privacy_default"]
        assert "så lenge" not in fallback and "as long as" not in fallback, path.name
    nb = json.loads((SCANNER_LOCALES / "nb.json").read_text())["ui"]["privacy_default"]
    assert "Datatilsynet" in nb and "6 måneder" in nb
