"""Issue 21 in a real browser (Debian's chromium via Playwright): a worker without the site induction is
refused at the gate, takes it on a phone through the refusal's link and is let in; a builder_rep
registers and signs out a visitor; the evacuation PDF shows workers and visitors with their phones.

The stack is the one tests/e2e/test_browser.py builds (copied, not imported, so each module owns its
processes): the migrations and `flask demo seed --json` on a fresh database, the card-service
emulator and gunicorn on free ports.
"""
import json
import os
import re
import secrets
import subprocess
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
import requests
from sqlalchemy.engine import make_url

from tests.support.browser import DESKTOP, PHONE, launch, require_chromium
from tests.support.pdftext import pdf_pages
from tests.support.processes import ROOT, VENV_BIN, start_cardsim, start_gunicorn

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

INDUCTION = "# Velkommen til Kvartal Løkkeveien\n\nMøteplassen er **ved hovedporten**. Verneombud: Siri.\n"
QUESTIONS = "Hvor er møteplassen? | Where is the muster point?\n- Ved kranen | By the crane\n* Ved hovedporten | At the main gate\n"


@dataclass
class Stack:
    url: str
    demo: dict
    site_id: int
    env: dict

    def builder_rep(self) -> dict:
        return next(u for u in self.demo["users"] if u["role"] == "builder_rep" and u["site_id"] == self.site_id)

    def kiosk_token(self) -> str:
        return next(k["token"] for k in self.demo["kiosks"] if k["site_id"] == self.site_id and k["mode"] == "in")


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
        conn.execute("DROP DATABASE IF EXISTS portvakt_visitors")
        conn.execute("CREATE DATABASE portvakt_visitors")
    return url.set(database="portvakt_visitors").render_as_string(hide_password=False)


# Named live_server so that `make test` runs it on SQLite and again on PostgreSQL (tests/conftest.py).
@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    require_chromium()
    work = tmp_path_factory.mktemp("browser-visitors")
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
    (work / "induksjon.md").write_text(INDUCTION, encoding="utf-8")
    (work / "sporsmal.txt").write_text(QUESTIONS, encoding="utf-8")
    flask_cli(env, "induction", "set", "--site", str(site_id), "--mode", "refuse", "--valid-months", "12",
              "--text", str(work / "induksjon.md"), "--questions", str(work / "sporsmal.txt"))
    yield Stack(web.url, demo, site_id, env)
    web.stop()
    cardsim.stop()


@pytest.fixture(scope="module")
def browser(live_server):
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def scan(stack: Stack, card_number: str, minutes_ago: float = 0) -> dict:
    at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    answer = requests.post(f"{stack.url}/api/v1/scans", timeout=10,
                           headers={"Authorization": f"Bearer {stack.kiosk_token()}"},
                           json={"id": str(uuid.uuid4()), "payload": card_number, "scanned_at": at.isoformat()})
    assert answer.status_code == 200, answer.text
    return answer.json()


def login(page, stack: Stack, user: dict) -> None:
    page.goto(f"{stack.url}/login")
    page.fill("input[name=email]", user["email"])
    page.fill("input[name=password]", user["password"])
    page.locator("form.form [type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


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
