"""The web UI in a real browser (Debian's chromium via Playwright) against live processes.

One stack per module (tests/support/stack.py): the migrations and `flask demo seed --json` on a fresh
database, the card-service emulator and gunicorn on free ports. A kiosk scan goes over HTTP to the API exactly
as a gate would send it; everything else is done by clicking in the browser. Screenshots of the
main pages at phone and desktop width go to test-artifacts/screenshots/ (kept out of git).
"""
import io
import json
import re
import uuid
from datetime import datetime, timezone

import pytest
import requests
from pypdf import PdfReader

from tests.support.browser import DESKTOP, PHONE, fresh_screenshot_folder, launch, require_chromium
from tests.support.stack import Stack, demo_stack, login

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

LIVE_REFRESH_WAIT_MS = 30_000  # the site page refreshes "on site now" every 20 s


# Named live_server so that `make test` runs it on SQLite and again on PostgreSQL (tests/conftest.py).
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    with demo_stack(tmp_path_factory.mktemp("browser"), "portvakt_browser") as stack:
        yield stack


@pytest.fixture
def stack(live_server) -> Stack:
    return live_server


@pytest.fixture(scope="module")
def browser(live_server):
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, accept_downloads=True, locale="nb-NO")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def screenshots():
    """Emptied once per run, so the folder shows this run's pages only."""
    return fresh_screenshot_folder()


def post_scan(stack: Stack, card: dict, direction: str = "in") -> dict:
    """What a gate kiosk does: one scan over HTTP with its bearer token."""
    body = {"id": str(uuid.uuid4()), "payload": card["qr_payload"], "direction": direction,
            "scanned_at": datetime.now(timezone.utc).isoformat()}
    response = requests.post(f"{stack.url}/api/v1/scans", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {stack.kiosk()['token']}"})
    assert response.status_code == 200, response.text
    return response.json()


def fits_the_width(page) -> bool:
    """Nothing runs off the side of the screen (wide tables scroll inside their own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def today_url(stack: Stack, page) -> str:
    """The day page for today as the app sees "today" (the site's zone), found by its own link."""
    page.goto(f"{stack.url}/sites/{stack.site_id}/lists")
    return page.locator("table.days a").first.get_attribute("href")


def test_scan_to_checked_archived_list_to_share_link(stack, new_page, screenshots):
    """The acceptance flow: a kiosk scan shows up live, muster, check the day, the PDF, a share link."""
    card = stack.cards("valid")[0]
    holder = card["holder"]["name"]
    page = new_page()
    login(page, stack, stack.user("builder_rep"))

    page.goto(f"{stack.url}/sites/{stack.site_id}")
    expect(page.locator("#present")).not_to_contain_text(holder)
    assert post_scan(stack, card)["decision"] == "accepted"
    # No reload: the "on site now" block refreshes itself.
    expect(page.locator("#present")).to_contain_text(holder, timeout=LIVE_REFRESH_WAIT_MS)

    page.locator(f"a[href$='/sites/{stack.site_id}/muster']").first.click()
    expect(page).to_have_url(re.compile(r"/muster$"))
    expect(page.locator("main")).to_contain_text(holder)

    page.goto(stack.url + today_url(stack, page))
    expect(page.locator("table.daylist")).to_contain_text(card["holder"]["name"].split()[-1])
    expect(page.locator("#control .badge.bad")).to_be_visible()  # not checked yet
    page.locator("form[action$='/check'] [type=submit]").click()
    expect(page.locator("#control .badge.ok")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#control a[href$='/v1.pdf']").click()
    text = pdf_text(open(download.value.path(), "rb").read())
    for part in holder.split():
        assert part in text
    assert "Kontrollert av Bjørn Byggleder" in text and "IKKE KONTROLLERT" not in text

    page.goto(f"{stack.url}/sites/{stack.site_id}/share-links")
    page.fill("input[name=recipient]", "Arbeidstilsynet, inspektør Åse Ødegård")
    page.locator("form.form [type=submit]").click()
    share_url = page.locator("#share-url").inner_text().strip()
    assert share_url.startswith(f"{stack.url}/share/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
    page.locator("button[data-copy='#share-url']").click()
    assert page.evaluate("navigator.clipboard.readText()") == share_url

    inspector = new_page()
    inspector.goto(share_url)
    expect(inspector.locator("main")).to_contain_text("Kvartal Løkkeveien")
    expect(inspector.locator("form[action$='/check']")).to_have_count(0)  # read-only
    inspector.screenshot(path=str(screenshots / "share-view-desktop.png"), full_page=True)
    inspector.locator("main table a").first.click()
    expect(inspector.locator("table.daylist")).to_contain_text(holder.split()[-1])
    inspector.screenshot(path=str(screenshots / "share-day-desktop.png"), full_page=True)
    with inspector.expect_download() as shared:
        inspector.locator("a[href$='/v1.pdf']").click()
    assert open(shared.value.path(), "rb").read() == open(download.value.path(), "rb").read()

    page.goto(f"{stack.url}/sites/{stack.site_id}/share-links")
    page.locator("table.links form[action$='/revoke'] summary").first.click()  # the confirm step opens
    page.locator("table.links form[action$='/revoke'] [type=submit]").first.click()
    response = inspector.goto(share_url)
    assert response.status == 410

    page.goto(f"{stack.url}/sites/{stack.site_id}/audit")
    log = page.locator("main table").inner_text()
    for action in ("list.checked", "share_link.create", "share_link.open", "share_link.download", "share_link.revoke"):
        assert action in log
    assert share_url.rsplit("/", 1)[1] not in page.content()  # the token is nowhere in the log


def test_safety_rep_reads_the_list_but_is_refused_marking_it_checked(stack, new_page):
    page = new_page()
    login(page, stack, stack.user("safety_rep"))
    day_url = stack.url + today_url(stack, page)
    page.goto(day_url)
    expect(page.locator("table.daylist")).to_be_visible()
    expect(page.locator("form[action$='/check']")).to_have_count(0)
    versions_before = page.locator("#control ul.versions li").count()
    # The button is not there; the request itself is refused too, with a valid CSRF token.
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(day_url + "/check", form={"csrf_token": csrf},
                                headers={"Referer": day_url}, max_redirects=0)
    assert refused.status == 403
    page.goto(day_url)
    assert page.locator("#control ul.versions li").count() == versions_before


def test_a_card_not_valid_at_the_gate_becomes_a_follow_up_with_a_notice(stack, new_page):
    """§ 8: a card that is not valid (register duties unmet) is reported; a lost one is an ID check."""
    lost = post_scan(stack, stack.cards("lost")[0])
    assert lost["decision"] == "rejected" and "ID" in lost["message"]["nb"]
    card = stack.cards("not_valid")[0]
    assert post_scan(stack, card)["decision"] == "rejected"
    page = new_page()
    login(page, stack, stack.user("builder_rep"))
    page.goto(f"{stack.url}/sites/{stack.site_id}/followups")
    page.locator("main table a").first.click()
    notice = page.locator("#notice-body").input_value()
    assert "som ikke er gyldig, ble vist" in notice and card["number"] in notice and "Kvartal Løkkeveien" in notice
    page.fill("textarea[name=note]", "Sendt til Arbeidstilsynet og arbeidsgiver på e-post")
    page.locator("form.form [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/followups$"))
    expect(page.locator("main table")).not_to_contain_text(card["number"])


def test_manual_registration_and_removal_make_a_new_version_necessary(stack, new_page):
    card = stack.cards("valid")[1]
    surname = card["holder"]["name"].split()[-1]
    page = new_page()
    login(page, stack, stack.user("builder_rep"))
    page.goto(f"{stack.url}/sites/{stack.site_id}/lists/manual")
    page.locator("form.form [type=submit]").click()  # empty: errors next to the fields, nothing stored
    expect(page.locator(".field.has-error")).to_have_count(2)
    page.fill("input[name=card_number]", card["number"])
    page.fill("textarea[name=reason]", "Kortleseren ved hovedporten virket ikke")
    page.locator("form.form [type=submit]").click()
    row = page.locator("table.daylist tr", has_text=surname)
    expect(row.locator(".badge")).not_to_have_count(0)  # marked as a manual registration
    row.locator("a[href$='/remove']").click()
    page.fill("textarea[name=reason]", "Registrert på feil person")
    page.locator("form.form [type=submit]").click()
    expect(page.locator("table.daylist tr.removed", has_text=surname)).to_be_visible()


def test_worker_self_service_link_opens_once(stack, new_page, screenshots):
    card = stack.cards("valid")[2]
    first, last = card["holder"]["name"].split(maxsplit=1)
    page = new_page()
    login(page, stack, stack.user("builder_rep"))
    page.goto(f"{stack.url}/sites/{stack.site_id}/self-service")
    page.select_option("select[name=person_id]", label=f"{last}, {first}")
    page.locator("form.form [type=submit]").click()
    link = page.locator("#self-service-url").inner_text().strip()
    assert card["holder"]["birth_date"] not in link

    worker = new_page(PHONE)
    worker.goto(link)
    expect(worker).to_have_url(re.compile(r"/me$"))
    expect(worker.locator("main")).to_contain_text(card["number"])
    expect(worker.locator("main")).to_contain_text(last)
    worker.screenshot(path=str(screenshots / "self-service-me-phone.png"), full_page=True)
    assert fits_the_width(worker)
    with worker.expect_download() as download:
        worker.locator("a[href$='/me/data.json']").click()
    record = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert record["person"]["birth_date"] == card["holder"]["birth_date"]
    assert [c["number"] for c in record["cards"]] == [card["number"]]
    assert new_page().goto(link).status == 410


MAIN_PAGES = [
    ("login", None, "/login"),
    ("dashboard", "builder_rep", "/"),
    ("site", "builder_rep", "/sites/{site}"),
    ("muster", "builder_rep", "/sites/{site}/muster"),
    ("lists", "builder_rep", "/sites/{site}/lists"),
    ("list-today", "builder_rep", "{today}"),
    ("manual-registration", "builder_rep", "/sites/{site}/lists/manual"),
    ("followups", "builder_rep", "/sites/{site}/followups?show=all"),
    ("share-links", "builder_rep", "/sites/{site}/share-links"),
    ("self-service-links", "builder_rep", "/sites/{site}/self-service"),
    ("list-today-safety-rep", "safety_rep", "{today}"),
    ("site-employer", "employer_viewer", "/sites/{site}"),
    ("rejected", "builder_rep", "/sites/{site}/rejected"),
    ("people", "builder_rep", "/sites/{site}/people"),
    ("companies", "builder_rep", "/sites/{site}/companies"),
    ("kiosks", "builder_rep", "/sites/{site}/kiosks"),
    ("audit", "builder_rep", "/sites/{site}/audit"),
    ("site-settings", "builder_rep", "/sites/{site}/settings"),
    ("new-site", "admin", "/sites/new"),
    ("admin-users", "admin", "/admin/users"),
]


@pytest.mark.parametrize("width_name, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots_of_the_main_pages(stack, new_page, screenshots, width_name, viewport):
    """Written for a person to look at; each page must also fit the width (tables scroll inside)."""
    pages = {}
    too_wide, csp_violations = [], []
    for name, role, path in MAIN_PAGES:
        if role not in pages:
            pages[role] = new_page(viewport)
            pages[role].on("console", lambda message: csp_violations.append(message.text)
                           if "Content Security Policy" in message.text else None)
            if role:
                login(pages[role], stack, stack.user(role))
        page = pages[role]
        target = path.format(site=stack.site_id, today=today_url(stack, page) if "{today}" in path else "")
        response = page.goto(stack.url + target)
        assert response.status == 200, f"{name}: {response.status}"
        page.screenshot(path=str(screenshots / f"{name}-{width_name}.png"), full_page=True)
        if not fits_the_width(page):
            too_wide.append(name)
    assert not too_wide, f"wider than the {width_name} screen: {too_wide}"
    assert not csp_violations


def test_admin_creates_a_site_and_marks_the_works_finished(stack, new_page, screenshots):
    page = new_page()
    login(page, stack, stack.user("admin"))
    page.get_by_role("link", name="Ny byggeplass").click()
    page.fill("input[name=name]", "Åsane bydelshus")
    page.fill("input[name=street]", "Åsane senter 18")
    page.fill("input[name=postcode]", "5116")
    page.fill("input[name=city]", "Ulset")
    page.fill("input[name=builder_name]", "Bergen kommune")
    page.fill("input[name=builder_org]", "964 338 532")  # a wrong check digit first
    page.fill("input[name=contract_id]", "4711")
    page.get_by_role("button", name="Opprett byggeplass").click()
    expect(page.locator(".has-error")).to_contain_text("Ikke et gyldig norsk organisasjonsnummer")
    page.fill("input[name=builder_org]", "964 338 531")
    page.get_by_role("button", name="Opprett byggeplass").click()
    expect(page.locator("h1")).to_contain_text("Åsane bydelshus")
    expect(page.locator("input[name=prints_times]")).not_to_be_checked()  # § 15 needs no times
    page.get_by_role("button", name="Merk arbeidene som ferdige").click()
    expect(page.locator("section.card")).to_contain_text("slettes")
    page.screenshot(path=str(screenshots / "site-finished-desktop.png"), full_page=True)
    page.goto(stack.url + "/")
    expect(page.locator("section.card", has_text="Åsane bydelshus")).to_contain_text("listen slettes")
