"""A worker whose HMS card is on order, in a real browser (Debian's chromium via Playwright): recorded,
registered by hand, and on the day's list as "HMS-kort bestilt".

Each module has its own stack (tests/support/stack.py: the demo on a fresh database, the card-service
emulator and gunicorn on free ports).
"""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import desktop_page, require_chromium
from tests.support.stack import demo_stack, login

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


# Named live_server so that `make test` runs it on SQLite and again on PostgreSQL (tests/conftest.py).
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    with demo_stack(tmp_path_factory.mktemp("browser-card-orders"), "portvakt_browser_card_orders") as stack:
        yield stack


@pytest.fixture(scope="module")
def page(live_server):
    with desktop_page() as page:
        yield page


def site_today():
    return datetime.now(timezone.utc).astimezone(ZoneInfo("Europe/Oslo")).date()


def test_builder_rep_records_a_card_ordered_worker_and_registers_them_on_the_list(live_server, page):
    stack = live_server
    login(page, stack, stack.builder_rep())
    page.goto(f"{stack.url}/sites/{stack.site_id}")
    page.locator("nav.subnav a", has_text="Bestilte kort").click()
    expect(page).to_have_url(re.compile(r"/card-orders$"))

    page.fill("input[name=first_name]", "Jūratė")
    page.fill("input[name=last_name]", "Kazlauskienė")
    page.fill("input[name=birth_date]", "1991-06-05")
    page.select_option("select[name=employer_id]", index=0)
    page.fill("input[name=order_reference]", "HMS-BESTILLING-4711")
    page.fill("input[name=approved_by]", "Per Prosjektleder")
    page.fill("input[name=valid_until]", (site_today() + timedelta(days=14)).isoformat())
    page.locator("form.form [type=submit]").click()
    row = page.locator("table.card-orders tr", has_text="Kazlauskienė")
    expect(row).to_contain_text("Kort bestilt")

    row.locator("a", has_text="Før på listen").click()
    page.select_option("select[name=direction]", "in")
    page.fill("textarea[name=reason]", "Kortet er bestilt, bestillingen er vist på anleggskontoret")
    page.locator("form.form [type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/lists/{site_today().isoformat()}$"))
    listed = page.locator("table.daylist tr", has_text="Kazlauskienė")
    expect(listed).to_contain_text("HMS-kort bestilt")
