"""A builder_rep adds a foreign company (country and id) under the main contractor in a real browser
and sees it in the contract chain's tree.

Each module has its own stack (tests/support/stack.py: the demo on a fresh database, the card-service
emulator and gunicorn on free ports); Debian's chromium via Playwright.
"""
import re

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
    with demo_stack(tmp_path_factory.mktemp("browser-chain"), "portvakt_browser_chain") as stack:
        yield stack


@pytest.fixture
def page(live_server):
    with desktop_page() as page:
        yield page


def chain_row(page, column: int, text: str):
    """A row of the tree by what one of its cells says (every row's edit form names every company)."""
    cell = page.locator(f"td:nth-child({column})", has_text=text)
    return page.locator("table.chain tbody tr").filter(has=cell).first


def test_builder_rep_adds_a_foreign_company_under_the_main_contractor(live_server, page):
    stack = live_server
    login(page, stack, stack.user("builder_rep"))
    page.goto(f"{stack.url}/sites/{stack.site_id}/companies")
    main_row = chain_row(page, 3, "Hovedentreprenør")
    main_name = main_row.locator("td").first.inner_text().strip()

    add = page.locator(f"form[action$='/sites/{stack.site_id}/companies']")
    add.locator("input[name=name]").fill("Baltic Montage UAB")
    add.locator("input[name=country]").fill("XX")  # not a country: refused next to the field, nothing added
    add.locator("input[name=foreign_id]").fill("LT-305999111")
    add.locator("select[name=role]").select_option("subcontractor")
    add.locator("select[name=parent_id]").select_option(label=main_name)
    add.locator("[type=submit]").click()
    expect(page.locator(".field.has-error")).to_contain_text("Ikke en landkode")
    expect(page.locator("table.chain")).not_to_contain_text("Baltic Montage UAB")

    add = page.locator(f"form[action$='/sites/{stack.site_id}/companies']")
    add.locator("input[name=country]").fill("lt")
    add.locator("select[name=parent_id]").select_option(label=main_name)
    add.locator("input[name=active_from]").fill("2025-03-01")
    add.locator("[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/sites/{stack.site_id}/companies$"))
    row = chain_row(page, 1, "Baltic Montage UAB")
    expect(row).to_contain_text("↳ Baltic Montage UAB")
    expect(row).to_contain_text("LT LT-305999111")
    expect(row).to_contain_text("Underentreprenør")
    expect(row).to_contain_text(main_name)
    expect(row).to_contain_text("01.03.2025")
    depth = int(row.get_attribute("data-depth"))
    main_depth = int(chain_row(page, 3, "Hovedentreprenør").get_attribute("data-depth"))
    assert depth == main_depth + 1
