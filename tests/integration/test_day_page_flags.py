"""The day's control page shows the flags the printed list shows: "not verified" and "manual" too."""
from datetime import date, datetime, timezone

from app.extensions import db
from app.models import ScanEvent
from app.services import lists
from tests.support.builders import attend, make_company, make_person, make_site
from tests.support.pdftext import pdf_pages
from tests.support.web import login_as, make_user

DAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def test_not_verified_and_manual_are_on_the_screen_as_on_the_pdf(client, db_session):
    site = make_site()
    main = make_company("Nordbygg Entreprenør AS")
    ola, kari = make_person("Ola", "Nordmann", main), make_person("Kari", "Nordmann", main)
    attend(site, ola, DAY, main)
    attend(site, kari, DAY, main, source="manual")
    db.session.add(ScanEvent(id="00000000-0000-4000-8000-00000000000a", site_id=site.id, card_id=ola.cards[0].id,
                             card_number=ola.cards[0].number, person_id=ola.id, scanned_at=NOW, local_date=DAY,
                             decision="accepted", reason="card_service_unavailable", direction="in", verified=False))
    db.session.commit()
    login_as(client, make_user("builder_rep", site))
    client.set_cookie("portvakt_lang", "en")
    page = client.get(f"/sites/{site.id}/lists/{DAY.isoformat()}").get_data(as_text=True)
    pdf = " ".join(pdf_pages(lists.daily_pdf(site.id, DAY, NOW).content))
    ola_row = page[page.index("Nordmann, Ola"):].split("</tr>")[0]
    kari_row = page[page.index("Nordmann, Kari"):].split("</tr>")[0]
    assert "not verified" in ola_row and "Ikke verifisert" in pdf
    assert "manual" in kari_row and "not verified" not in kari_row and "Manuell registrering" in pdf
