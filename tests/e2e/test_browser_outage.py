"""Issue 15, items 1 and 2 in a real browser (Debian's chromium via Playwright) against live processes:
the card service goes down on a strict site, the builder_rep sees the banner and lets a worker in by
hand (flagged not verified); and a manual exit says it is an exit.

The stack is tests/support/stack.py's (the demo on a fresh database, the card-service emulator,
gunicorn), with one gunicorn worker: the banner is each
worker's own view of the card service (no network call per page), so with one worker the scan
that finds the service down and the page that shows it are served by the same process.
"""
import io
import re
import uuid
from datetime import datetime, timezone

import pytest
import requests
from pypdf import PdfReader

from tests.support.browser import DESKTOP, launch, require_chromium
from tests.support.stack import Stack, demo_stack, login

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


# Named live_server so that `make test` runs it on SQLite and again on PostgreSQL (tests/conftest.py).
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    # One worker: the banner is each worker's own view of the card service (see the module docstring).
    with demo_stack(tmp_path_factory.mktemp("browser-outage"), "portvakt_browser_outage", workers=1) as stack:
        yield stack


@pytest.fixture
def stack(live_server) -> Stack:
    return live_server


@pytest.fixture
def card_service_down(stack):
    stack.sim.faults("down")
    yield
    stack.sim.faults("ok")


@pytest.fixture(scope="module")
def browser(live_server):
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="nb-NO")
    page = context.new_page()
    login(page, stack, stack.user("builder_rep"))
    yield page
    context.close()


def known_cards(stack: Stack) -> list[dict]:
    """Valid cards of the strict site that Portvakt already holds (imported with the crew)."""
    return [c for c in stack.cards("valid") if c["pre_registered"]]


def kiosk_scan(stack: Stack, card: dict) -> dict:
    body = {"id": str(uuid.uuid4()), "payload": card["qr_payload"], "direction": "auto",
            "scanned_at": datetime.now(timezone.utc).isoformat()}
    response = requests.post(f"{stack.url}/api/v1/scans", json=body, timeout=15,
                             headers={"Authorization": f"Bearer {stack.kiosk()['token']}"})
    assert response.status_code == 200, response.text
    return response.json()


def register_by_hand(page, card: dict, direction: str = "in", override: bool = False) -> None:
    page.fill("input[name=card_number]", card["number"])
    page.select_option("select[name=direction]", direction)
    page.fill("textarea[name=reason]", "Kortregisteret svarer ikke, ID kontrollert på kontoret")
    if override:
        page.check("input[name=override_outage]")
    page.locator("form.form [type=submit]").click()


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_in_an_outage_a_builder_rep_sees_the_banner_and_lets_a_worker_in_by_hand(stack, page, card_service_down):
    card = known_cards(stack)[0]
    last_name = card["holder"]["name"].split()[-1]
    assert kiosk_scan(stack, card)["reason"] == "card_service_unavailable"  # the kiosk sends them to the office

    page.goto(f"{stack.url}/sites/{stack.site_id}")
    banner = page.locator("#card-service-down")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Kortregisteret svarer ikke")
    banner.locator("a").click()
    expect(page).to_have_url(re.compile(r"/lists/manual"))

    register_by_hand(page, card)  # without the override: refused for the same reason as at the gate
    expect(page.locator(".field.has-error")).to_contain_text("Kortet kan ikke kontrolleres nå")

    register_by_hand(page, card, override=True)
    expect(page.locator(".flash-success")).to_contain_text("Sluppet inn manuelt uten kortkontroll")
    row = page.locator("table.daylist tr", has_text=last_name)
    expect(row).to_contain_text("manuell")
    with page.expect_download() as download:
        page.locator("a[href$='/download/pdf']").first.click()
    text = pdf_text(open(download.value.path(), "rb").read())
    assert last_name in text and "Ikke verifisert" in text


def test_a_manual_exit_says_it_is_an_exit(stack, page):
    card = known_cards(stack)[1]
    assert kiosk_scan(stack, card)["decision"] == "accepted"  # in at the gate, the service answering again

    page.goto(f"{stack.url}/sites/{stack.site_id}/lists/manual")
    expect(page.locator("#card-service-down")).to_have_count(0)  # the banner is gone
    register_by_hand(page, card, direction="out")
    flash = page.locator(".flash-success")
    expect(flash).to_contain_text("Registrert ut – ha en fin dag")
    expect(flash).not_to_contain_text("velkommen inn")
    expect(page.locator("table.daylist tr", has_text=card["holder"]["name"].split()[-1])).to_contain_text("manuell")
