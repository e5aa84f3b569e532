"""A builder_rep imports a crew list in a real browser: a bad row is named and nothing is imported;
fixed, the same file imports and the people are on the crew with who hired them in.

Each module has its own stack (tests/support/stack.py: the demo on a fresh database, the card-service
emulator and gunicorn on free ports); Debian's chromium via Playwright.
"""
import pytest

from tests.support.browser import desktop_page, require_chromium
from tests.support.stack import Stack, demo_stack, login

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

HEADER = "name,birth_date,card_number,employer_org,hired_by_org,active_from,active_to"


# Named live_server so that `make test` runs it on SQLite and again on PostgreSQL (tests/conftest.py).
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    with demo_stack(tmp_path_factory.mktemp("browser-crews"), "portvakt_browser_crews") as stack:
        yield stack


@pytest.fixture
def page(live_server):
    with desktop_page() as page:
        yield page


def org_of(stack: Stack, name: str) -> str:
    return next(c["org_number"] for c in stack.demo["companies"] if c["name"] == name)


def upload(page, stack: Stack, content: str) -> None:
    page.goto(f"{stack.url}/sites/{stack.site_id}/crew/import")
    page.set_input_files("input[name=file]", files=[
        {"name": "mannskap.csv", "mimeType": "text/csv", "buffer": content.encode("utf-8-sig")}])
    page.get_by_role("button", name="Kontroller filen").click()


def test_builder_rep_imports_a_crew_list_after_fixing_a_bad_row(live_server, page):
    stack = live_server
    agency, main = org_of(stack, "Bemanning Nord AS"), org_of(stack, "Nordbygg Entreprenør AS")
    good = f"Vilde Prøvestad;17.05.1990;47770001;{agency};{main};;"
    bad = f"Mikołaj Próbny;1988-02-29;47770002;{main[:-1]}0;;;"  # wrong check digit
    fixed = f"Mikołaj Próbny;1988-02-29;47770002;{main};;;"
    login(page, stack, stack.user("builder_rep"))

    upload(page, stack, "\n".join([HEADER.replace(",", ";"), good, bad]))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Rad 3:")
    expect(alert).to_contain_text("ikke et gyldig organisasjonsnummer")
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    page.goto(f"{stack.url}/sites/{stack.site_id}/crew")
    expect(page.locator("table.crew")).not_to_contain_text("Prøvestad")

    upload(page, stack, "\n".join([HEADER.replace(",", ";"), good, fixed]))
    expect(page.get_by_role("status").filter(has_text="Nye: 2")).to_be_visible()
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("Mannskap importert. Nye: 2, endret: 0, uendret: 0.")).to_be_visible()
    row = page.locator("table.crew tr", has_text="Vilde Prøvestad")
    expect(row).to_contain_text("Bemanning Nord AS")
    expect(row).to_contain_text("Nordbygg Entreprenør AS")
    expect(row).to_contain_text("importert fra mannskapsliste")
    expect(page.locator("table.crew tr", has_text="Mikołaj Próbny")).to_contain_text("47770002")
