"""A worker whose HMS card is on order, in a real browser (Debian's chromium via Playwright): recorded,
registered by hand, and on the day's list as "HMS-kort bestilt".

The stack is the one tests/e2e/test_browser.py builds (copied, not imported, so each module owns its
processes): the migrations and `flask demo seed --json` on a fresh database, the card-service
emulator and gunicorn on free ports.
"""
import json
import os
import re
import secrets
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.support.browser import DESKTOP, launch, require_chromium
from tests.support.processes import ROOT, VENV_BIN, start_cardsim, start_gunicorn

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@dataclass
class Stack:
    url: str
    demo: dict
    site_id: int

    def builder_rep(self) -> dict:
        return next(u for u in self.demo["users"] if u["role"] == "builder_rep" and u["site_id"] == self.site_id)


def flask_cli(env: dict, *args: str) -> str:
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def browser_database(work) -> str:
    """SQLite in a temporary folder; on the PostgreSQL pass a database of its own on that server."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgresql"):
        return f"sqlite:///{work / 'portvakt.db'}"
    url = make_url(server)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                         autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS portvakt_card_orders")
        conn.execute("CREATE DATABASE portvakt_card_orders")
    return url.set(database="portvakt_card_orders").render_as_string(hide_password=False)


# Named live_server so that `make test` runs it on SQLite and again on PostgreSQL (tests/conftest.py).
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    work = tmp_path_factory.mktemp("browser-card-orders")
    card_token = secrets.token_urlsafe(16)
    env = {"PORTVAKT_INSTANCE": str(work / "instance"), "DATABASE_URL": browser_database(work),
           "CARDSIM_DATA": str(work / "cardsim.json"), "SECRET_KEY": secrets.token_hex(32),
           "CARD_SERVICE_TOKEN": card_token}
    flask_cli(env, "db", "upgrade")
    demo = json.loads(flask_cli(env, "demo", "seed", "--json"))
    cardsim = start_cardsim(demo["cardsim_data"], token=card_token)
    try:
        web = start_gunicorn(env["DATABASE_URL"], env={**env, "CARD_SERVICE_URL": cardsim.url})
    except Exception:
        cardsim.stop()
        raise
    site_id = next(s["id"] for s in demo["sites"] if s["name"] == "Kvartal Løkkeveien")
    yield Stack(web.url, demo, site_id)
    web.stop()
    cardsim.stop()


@pytest.fixture(scope="module")
def page(live_server):
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        context = chromium.new_context(viewport=DESKTOP, locale="nb-NO")
        yield context.new_page()
        context.close()
        chromium.close()


def login(page, stack: Stack, user: dict) -> None:
    page.goto(f"{stack.url}/login")
    page.fill("input[name=email]", user["email"])
    page.fill("input[name=password]", user["password"])
    page.locator("form.form [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


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
