"""Secrets and personal data over real HTTP: gunicorn (2 workers, access log on, as in production).

A day's traffic (kiosk scans by QR and by card number, a card-service outage, a wrong and a right
password, the site's pages and every link on them, downloads, people searched for by name, a
share link made, opened and revoked) must leave no name, birth date, card number, QR token,
bearer token, password, share link token or session cookie in the server's log, nor in any URL
the app makes. A revoked kiosk token is refused at once by every worker; share links are long
random tokens that stop at revocation.
"""
import os
import re
import secrets
import subprocess
from datetime import date
from urllib.parse import quote, quote_plus, urljoin, urlparse

import pytest
import requests

from app.models import Person
from app.extensions import db
from tests.reliability.torture import record
from tests.support.kiosk_api import CARDSIM_TOKEN, cardsim, scan_body, set_faults, world  # noqa: F401
from tests.support.processes import ROOT, VENV_BIN, Service, free_port
from tests.support.web import make_user

PASSWORD = "Fjordbygg-hemmelig-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def logged_live(_app, database_url, cardsim):  # noqa: F811
    port = free_port()
    args = [str(VENV_BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
            "--access-logfile", "-", "wsgi:app"]
    server = Service(args, port, env={"DATABASE_URL": database_url, "CARD_SERVICE_URL": cardsim.url,
                                      "CARD_SERVICE_TOKEN": CARDSIM_TOKEN}, ready_path="/healthz")
    yield server
    server.stop()


def server_log(server) -> str:
    """Everything the server logged so far (gunicorn and logging write each line through)."""
    return (ROOT / "test-artifacts" / f"service-{server.port}.log").read_text(errors="replace")


def signed_in(url: str, email: str) -> requests.Session:
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{url}/login", timeout=10).text).group(1)
    browser.post(f"{url}/login", data={"email": email, "password": "feil-passord", "csrf_token": token}, timeout=10)
    token = CSRF.search(browser.get(f"{url}/login", timeout=10).text).group(1)
    response = browser.post(f"{url}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                            timeout=30)
    assert response.url.rstrip("/") == url, "could not sign in"
    return browser


def browse(browser: requests.Session, url: str, start: list[str], limit: int = 60) -> list[str]:
    """GET the start pages and the same-site links on them; every URL met (incl. redirects)."""
    seen, queue = [], [urljoin(url, path) for path in start]
    while queue and len(seen) < limit:
        page = queue.pop(0)
        if page in seen:
            continue
        response = browser.get(page, timeout=30)
        seen += [page] + [r.headers.get("Location", "") for r in response.history]
        if response.headers.get("Content-Type", "").startswith("text/html"):
            for link in re.findall(r'(?:href|action)="([^"#]+)"', response.text):
                full = urljoin(page, link.replace("&amp;", "&"))
                if urlparse(full).netloc == urlparse(url).netloc and "/logout" not in full:
                    queue.append(full)
    return seen


def make_share_link(browser, url: str, site_id: int) -> str:
    page = f"{url}/sites/{site_id}/share-links"
    token = CSRF.search(browser.get(page, timeout=10).text).group(1)
    today = date.today().isoformat()
    made = browser.post(page, data={"recipient": "Arbeidstilsynet", "date_from": today, "date_to": today,
                                    "company_id": "0", "valid_days": "7", "csrf_token": token}, timeout=30)
    return re.search(r"https?://[^\"<\s]+/share/([A-Za-z0-9_\-]+)", made.text).group(1)


def revoke_share_link(browser, url: str, site_id: int) -> None:
    page = browser.get(f"{url}/sites/{site_id}/share-links", timeout=10).text
    action = re.search(r'action="(/sites/\d+/share-links/\d+/revoke)"', page).group(1)
    browser.post(url + action, data={"csrf_token": CSRF.search(page).group(1)}, timeout=10)


def test_no_personal_data_or_secret_in_logs_or_urls(logged_live, world, cardsim):  # noqa: F811
    url, admin = logged_live.url, make_user("admin", password=PASSWORD)
    api = f"{url}/api/v1/scans"
    for worker in world.workers.values():
        for payload in (worker.qr, worker.card_number):
            requests.post(api, json=scan_body(payload), headers=world.headers(), timeout=30)
    set_faults(cardsim, "error")
    requests.post(api, json=scan_body(world.workers["ola"].qr), headers=world.headers("gate2"), timeout=30)
    set_faults(cardsim, "ok")
    requests.post(api, json=scan_body("12345678"), headers=world.headers(), timeout=30)  # unknown card

    browser = signed_in(url, admin.email)
    site = world.site_id
    urls = browse(browser, url, ["/", f"/sites/{site}", f"/sites/{site}/people", f"/sites/{site}/present",
                                 f"/sites/{site}/lists", f"/sites/{site}/rejected", f"/sites/{site}/unverified",
                                 f"/sites/{site}/audit", "/admin/audit"])
    for worker in world.workers.values():  # the people search is a GET form: the name is in the URL
        found = browser.get(f"{url}/sites/{site}/people", params={"q": worker.name.split(" ", 1)[1]}, timeout=10)
        assert worker.name in found.text
    share_token = make_share_link(browser, url, site)
    assert requests.get(f"{url}/share/{share_token}", timeout=10).status_code == 200
    revoke_share_link(browser, url, site)

    log = server_log(logged_live)
    secrets_ = {"kiosk token": world.tokens["gate"], "password": PASSWORD, "share link token": share_token,
                "session cookie": browser.cookies.get("session", "no-session-cookie")}
    personal = {"birth date": "1984-05-17", "birth date (nb)": "17.05.1984"}
    for key, worker in world.workers.items():
        first, last = worker.name.split(" ", 1)
        personal |= {f"{key} first name": first, f"{key} last name": last,
                     f"{key} card number": worker.card_number, f"{key} QR token": worker.qr_token}
    found_in_log = [what for what, value in {**secrets_, **personal}.items()
                    if any(form in log for form in (value, quote(value), quote_plus(value)))]
    found_in_urls = [(what, u) for u in urls for what, value in personal.items() if value in u]
    assert "GET /sites/" in log and "GET /share/[token]" in log  # the log really holds the day's traffic
    assert "/people?q=[search]" in log
    assert "card lookup" in log
    assert len(urls) > 20
    assert found_in_log == [], found_in_log
    assert found_in_urls == [], found_in_urls
    record("secrets and personal data in logs and URLs", log_lines=log.count("\n"), urls_checked=len(urls),
           values_looked_for=len(secrets_) + len(personal), found=0)


def test_a_revoked_kiosk_token_is_refused_at_once_by_every_worker(logged_live, world, database_url):  # noqa: F811
    kiosk = f"{logged_live.url}/api/v1/kiosk"
    headers = world.headers("gate")
    # Fresh connections: gunicorn hands them to both workers.
    assert {requests.get(kiosk, headers=headers, timeout=10).status_code for _ in range(40)} == {200}
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": database_url}
    subprocess.run([str(VENV_BIN / "flask"), "kiosk", "revoke", str(world.kiosk_ids["gate"])], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=60)
    after = [requests.get(kiosk, headers=headers, timeout=10).status_code for _ in range(40)]
    after += [requests.post(f"{logged_live.url}/api/v1/scans", json=scan_body(world.workers["kari"].qr),
                            headers=headers, timeout=10).status_code for _ in range(20)]
    assert after == [401] * 60
    assert requests.get(kiosk, headers=world.headers("gate2"), timeout=10).status_code == 200  # only that one


def test_share_links_are_unguessable_and_stop_when_revoked(logged_live, world):  # noqa: F811
    url, admin = logged_live.url, make_user("admin", password=PASSWORD)
    browser = signed_in(url, admin.email)
    token = make_share_link(browser, url, world.site_id)
    assert len(token) >= 32  # at least 192 bits of randomness in URL-safe base64
    assert requests.get(f"{url}/share/{token}", timeout=10).status_code == 200
    guesses = [secrets.token_urlsafe(32) for _ in range(50)] + [token[:-1], token + "A", token.upper()]
    assert {requests.get(f"{url}/share/{g}", timeout=10).status_code for g in guesses} == {404}
    revoke_share_link(browser, url, world.site_id)
    assert requests.get(f"{url}/share/{token}", timeout=10).status_code in (404, 410)
    db.session.expire_all()
    assert db.session.query(Person).count() == len(world.workers)  # nothing else changed hands


def test_a_self_service_link_stays_on_its_site_and_stops_at_once_when_revoked(logged_live, world):  # noqa: F811
    """Issue 16, items 1 and 6, over real HTTP on two workers: a builder_rep of site B makes a link
    for a worker who was scanned at site A; it shows nothing of site A, and once revoked the
    browser that used it gets nothing more from any worker."""
    from app.models import Engagement, Site

    url, kari = logged_live.url, world.workers["kari"]
    assert requests.post(f"{url}/api/v1/scans", json=scan_body(kari.qr), headers=world.headers("gate"),
                         timeout=30).json()["decision"] == "accepted"  # a day and a scan at site A
    site_b = db.session.get(Site, world.other_site_id)
    db.session.add(Engagement(person_id=kari.person_id, site_id=site_b.id,
                              employer_id=db.session.get(Person, kari.person_id).cards[0].employer_id))
    rep_b = make_user("builder_rep", site_b, email="rep-b@test.portvakt.no", password=PASSWORD)
    rep = signed_in(url, rep_b.email)
    page = f"{url}/sites/{site_b.id}/self-service"
    made = rep.post(page, data={"person_id": str(kari.person_id),
                                "csrf_token": CSRF.search(rep.get(page, timeout=10).text).group(1)}, timeout=30)
    token = re.search(r'id="self-service-url">[^<]*/me/([^<]+)<', made.text).group(1)

    viewer = requests.Session()
    assert viewer.get(f"{url}/me/{token}", timeout=10).status_code == 200  # redirected to /me
    seen = [viewer.get(f"{url}/me", timeout=10).text, viewer.get(f"{url}/me/data.json", timeout=10).text]
    assert all("Nye Tromsø brannstasjon" in text and "Kvartal Løkkeveien" not in text for text in seen)
    assert all(kari.card_number in text for text in seen)  # the worker's own card is there

    listing = rep.get(page, timeout=10).text
    revoke = re.search(r'action="(/sites/\d+/self-service/\d+/revoke)"', listing).group(1)
    rep.post(url + revoke, data={"csrf_token": CSRF.search(listing).group(1)}, timeout=10)
    # The cookie as it was before the revocation, on fresh connections (both workers): a copy kept
    # by the browser, or by someone who took it, opens nothing.
    after = [requests.get(f"{url}/me{path}", cookies=viewer.cookies, timeout=10).status_code
             for path in ("", "/data.json") * 10]
    assert after == [410] * 20
    record("self-service link", cross_site_records=0, requests_after_revoke=len(after), answered_after_revoke=0)
