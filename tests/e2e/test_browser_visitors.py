"""Issue 21 in a real browser (Debian's chromium via Playwright): a worker without the site induction is
refused at the gate, takes it on a phone through the refusal's link and is let in; a builder_rep
registers and signs out a visitor; the evacuation PDF shows workers and visitors with their phones.

Each module has its own stack (tests/support/stack.py: the demo on a fresh database, the card-service
emulator and gunicorn on free ports).
"""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.support.browser import DESKTOP, PHONE, launch, require_chromium
from tests.support.pdftext import pdf_pages
from tests.support.stack import Stack, demo_stack, login

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

INDUCTION = "# Velkommen til Kvartal Løkkeveien\n\nMøteplassen er **ved hovedporten**. Verneombud: Siri.\n"
QUESTIONS = "Hvor er møteplassen? | Where is the muster point?\n- Ved kranen | By the crane\n* Ved hovedporten | At the main gate\n"


# Named live_server so that `make test` runs it on SQLite and again on PostgreSQL (tests/conftest.py).
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    work = tmp_path_factory.mktemp("browser-visitors")
    with demo_stack(work, "portvakt_browser_visitors") as stack:
        (work / "induksjon.md").write_text(INDUCTION, encoding="utf-8")
        (work / "sporsmal.txt").write_text(QUESTIONS, encoding="utf-8")
        stack.flask("induction", "set", "--site", str(stack.site_id), "--mode", "refuse", "--valid-months", "12",
                    "--text", str(work / "induksjon.md"), "--questions", str(work / "sporsmal.txt"))
        yield stack


@pytest.fixture(scope="module")
def browser(live_server):
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def scan(stack: Stack, card_number: str, minutes_ago: float = 0) -> dict:
    at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    answer = requests.post(f"{stack.url}/api/v1/scans", timeout=10,
                           headers={"Authorization": f"Bearer {stack.kiosk('in')['token']}"},
                           json={"id": str(uuid.uuid4()), "payload": card_number, "scanned_at": at.isoformat()})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_worker_takes_the_induction_on_a_phone_and_is_let_in(live_server, browser):
    stack = live_server
    card = next(c for c in stack.demo["cards"] if c["site_id"] == stack.site_id and c["status"] == "valid")
    refused = scan(stack, card["number"], minutes_ago=3)
    assert refused["decision"] == "rejected" and refused["reason"] == "induction_missing"
    assert "HMS-introduksjon" in refused["message"]["nb"]

    phone = browser.new_context(viewport=PHONE, locale="nb-NO", is_mobile=True)
    page = phone.new_page()
    page.goto(refused["induction_url"])
    expect(page.locator("article.induction-text h1")).to_have_text("Velkommen til Kvartal Løkkeveien")
    page.get_by_label("Ved kranen").check()
    page.locator("#induction-form [type=submit]").click()
    expect(page.locator("[role=alert]")).to_be_visible()  # a wrong answer records nothing
    page.get_by_label("Ved hovedporten").check()
    page.locator("#induction-form [type=submit]").click()
    expect(page.locator("#induction-done")).to_be_visible()
    phone.close()

    accepted = scan(stack, card["number"])
    assert accepted["decision"] == "accepted", accepted


def test_a_builder_rep_registers_and_signs_out_visitors_and_the_pdf_has_them(live_server, browser):
    stack = live_server
    desk = browser.new_context(viewport=DESKTOP, locale="nb-NO", accept_downloads=True)
    page = desk.new_page()
    login(page, stack, stack.builder_rep())
    page.goto(f"{stack.url}/sites/{stack.site_id}")
    page.locator("nav.subnav a", has_text="Besøkende").click()
    for name, phone in (("Ina Inspektør", "+47 912 34 567"), ("Dag Sjåfør", "+47 987 65 432")):
        page.fill("input[name=name]", name)
        page.fill("input[name=company]", "Arbeidstilsynet" if name.startswith("Ina") else "Frakt AS")
        page.fill("input[name=host]", "Bjørn Byggleder")
        page.fill("input[name=phone]", phone)
        page.locator("form.form [type=submit]").click()
        expect(page.locator("table.visitors tr", has_text=name)).to_be_visible()
    page.locator("table.visitors tr", has_text="Dag Sjåfør").get_by_role("button").click()
    expect(page.locator("table.visitors tr", has_text="Dag Sjåfør")).not_to_contain_text("Skriv ut")

    page.goto(f"{stack.url}/sites/{stack.site_id}/muster")
    expect(page.locator("table.visitors")).to_contain_text("Ina Inspektør")
    expect(page.locator("table.visitors")).not_to_contain_text("Dag Sjåfør")
    with page.expect_download() as download:
        page.locator("#muster-pdf").click()
    text = "\n".join(pdf_pages(open(download.value.path(), "rb").read()))
    assert "Ina Inspektør" in text and "+47 912 34 567" in text and "Besøkende" in text
    assert "Dag Sjåfør" not in text
    assert any(c["holder"]["name"].split()[-1] in text for c in stack.demo["cards"])  # the workers on site
    desk.close()
