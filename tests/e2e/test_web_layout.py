"""The core pages in a real browser: nothing overflows a phone's width, and the muster list prints on A4.

A real WSGI server (werkzeug, in a thread of this process) serves the app on a free port, and
Debian's chromium renders it; the printed muster is read back from the PDF chromium makes.
"""
import io
import threading
from datetime import timedelta

import pytest
from pypdf import PdfReader
from werkzeug.serving import make_server

from app.clock import site_today, utcnow
from app.extensions import db
from app.models import AttendanceDay, Engagement
from tests.support.browser import DESKTOP, PHONE, launch, require_chromium
from tests.support.web import PASSWORD, make_company, make_person, make_site, make_user

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

A4_POINTS = (595.3, 841.9)  # 210 × 297 mm; chromium rounds its paper to whole hundredths of an inch
NAMES = [("Łukasz", "Brzęczyszczykiewicz"), ("Rūta", "Petrauskaitė"), ("Øyvind", "Ødegård"), ("Åse", "Bakkeløkken")]


@pytest.fixture
def served(app):
    """The app on a free port with one site: people on site, one gone, many expected (several A4 pages)."""
    site = make_site("Kaia Øst")
    company = make_company("Rørlegger Hansen & Sønn AS", "975318605", site)
    today = site_today(utcnow())
    for index in range(70):
        first, last = NAMES[index % len(NAMES)]
        person = make_person(first, f"{last} {index}")
        db.session.add(Engagement(person_id=person.id, site_id=site.id, employer_id=company.id))
        if index < 30:
            db.session.add(AttendanceDay(site_id=site.id, person_id=person.id, local_date=today,
                                         employer_id=company.id, first_in=utcnow() - timedelta(hours=1),
                                         is_present=index != 0, last_out=utcnow() if index == 0 else None))
    db.session.commit()
    user = make_user("builder_rep", site, password=PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", site, user
    server.shutdown()


@pytest.fixture
def browser():
    require_chromium()
    with playwright_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def signed_in_page(browser, url, user, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{url}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"{url}/")
    return page


def test_core_pages_fit_a_phone_and_keep_the_content_security_policy(served, browser):
    url, site, user = served
    page = signed_in_page(browser, url, user, PHONE)
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    for path in ("/", f"/sites/{site.id}", f"/sites/{site.id}/muster", f"/sites/{site.id}/companies",
                 f"/sites/{site.id}/kiosks", f"/sites/{site.id}/people", f"/sites/{site.id}/audit", "/password"):
        page.goto(url + path)
        # Wide tables scroll inside their own box; the page itself must not scroll sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone"
    assert not violations


def test_the_muster_list_prints_on_a4_without_the_navigation(served, browser):
    url, site, user = served
    page = signed_in_page(browser, url, user, DESKTOP)
    page.goto(f"{url}/sites/{site.id}/muster")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    assert len(reader.pages) >= 2  # 70 people do not fit one page
    for pdf_page in reader.pages:
        width, height = (float(v) for v in pdf_page.mediabox.upper_right)
        assert abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Evakueringsliste" in text and "På byggeplassen nå (29)" in text and "Gått for dagen (1)" in text
    assert "Ikke kommet, men ventet (40)" in text
    assert "Łukasz Brzęczyszczykiewicz 4" in text and "Rūta Petrauskaitė 5" in text
    for navigation in ("Logg ut", "Revisjonslogg", "Oppdater"):
        assert navigation not in text
