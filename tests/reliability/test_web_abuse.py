"""The web pages under abuse, route by route, from the access matrix's own table and world.

Every form refuses a POST without (or with a wrong) CSRF token; every page carries the security
headers; hostile text in every field a person or company can bring in (names, company and site
names, kiosk names, reasons and notes) comes out inert in HTML, in CSV (no spreadsheet formulas)
and in PDFs; SQL metacharacters are just characters. Runs on SQLite and on PostgreSQL.
"""
import csv
import io
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AccessLink, AttendanceDay, Builder, Company, FollowUp, Kiosk, Person, Site, User
from tests.integration.test_access_matrix import ADMIN, ANONYMOUS, LOGIN, MATRIX, World, world  # noqa: F401
from tests.support.web import login_as

SCRIPT = '<script>alert("x")</script>'
IMG = '"><img src=x onerror=alert(1)>'
SQL = "O'Brien\"; DROP TABLE persons; --"
FORMULA = '=HYPERLINK("http://evil.example/","klikk")'
RAW_MARKUP = ("<script>alert", "<img src=x")


def cases(method: str) -> list:
    """(endpoint, case) pairs of the matrix for one method, with the visitor that may make them."""
    found = []
    for endpoint, endpoint_cases in MATRIX.items():
        for case in endpoint_cases:
            visitor = ANONYMOUS if case.answers[ADMIN] in (302, 410, 403, LOGIN) or endpoint == "auth.login" else ADMIN
            if case.method == method:
                found.append(pytest.param(case, visitor, id=f"{endpoint} {case.path}"))
    return found


def request(app, world, case, visitor, **kwargs):  # noqa: F811
    client = app.test_client()
    if visitor == ADMIN:
        login_as(client, world.visitors[ADMIN])
    path = case.path.format(**{k: v for k, v in vars(world).items() if k != "visitors"})
    return client.open(path, method=case.method, **kwargs)


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("case, visitor", cases("POST"))
def test_every_form_refuses_a_post_without_or_with_a_wrong_csrf_token(csrf_on, world, case, visitor):  # noqa: F811
    missing = request(csrf_on, world, case, visitor, data=case.data)
    wrong = request(csrf_on, world, case, visitor, data={**case.data, "csrf_token": "IjEyMyI.forged.token"})
    assert (missing.status_code, wrong.status_code) == (400, 400)


@pytest.mark.parametrize("case, visitor", cases("GET"))
def test_every_page_carries_the_security_headers(app, world, case, visitor):  # noqa: F811
    response = request(app, world, case, visitor)
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"


def make_it_hostile(world) -> None:  # noqa: F811
    """Hostile text in every free-text field the matrix world has."""
    person = db.session.get(Person, world.person)
    person.first_name, person.last_name = FORMULA, IMG + SQL
    db.session.get(Company, world.company).name = SCRIPT + " AS"
    site = db.session.get(Site, world.site)
    site.name, site.street, site.city = FORMULA + IMG, SCRIPT, SQL  # Excel's header rows too (issue 16)
    db.session.get(Builder, site.builder_id).name = "@" + SCRIPT
    db.session.get(Kiosk, world.kiosk).name = IMG
    db.session.get(User, world.user).name = SCRIPT
    db.session.get(FollowUp, world.followup).note = SCRIPT + SQL
    db.session.get(AccessLink, world.share_link).recipient = IMG
    db.session.get(AttendanceDay, world.attendance_day).removed_reason = SCRIPT
    db.session.commit()


def test_hostile_text_comes_out_inert_everywhere(app, world):  # noqa: F811
    make_it_hostile(world)
    problems, html_pages = [], 0
    for param in cases("GET"):
        case, visitor = param.values
        response = request(app, world, case, visitor)
        body = response.get_data()
        if response.status_code >= 500:
            problems.append(f"{response.status_code} on {case.path}")
        kind = response.headers.get("Content-Type", "")
        if kind.startswith("text/html"):
            html_pages += 1
            problems += [f"raw {m!r} on {case.path}" for m in RAW_MARKUP if m.encode() in body]
        if kind.startswith("text/csv"):
            text = body.decode("utf-8-sig")
            problems += [f"formula cell {cell!r} in {case.path}" for row in csv.reader(io.StringIO(text))
                         for cell in row if cell[:1] in ("=", "+", "-", "@")]
        if "spreadsheetml" in kind:
            problems += formula_cells(body, case.path)
    daily = MATRIX["lists_ui.download"][0]
    daily_xlsx = request(app, world, replace(daily, path=daily.path.replace("/csv", "/xlsx")), ADMIN)
    assert "spreadsheetml" in daily_xlsx.headers["Content-Type"]
    problems += formula_cells(daily_xlsx.get_data(), "daily xlsx")
    assert problems == []
    assert html_pages > 20
    csv_list = request(app, world, MATRIX["lists_ui.download"][0], ADMIN).get_data().decode("utf-8-sig")
    assert "HYPERLINK" in csv_list  # the hostile name is in the CSV, as text
    people = request(app, world, MATRIX["sites.people_page"][0], ADMIN).get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in people  # the name is shown, escaped


def formula_cells(content: bytes, where: str) -> list[str]:
    """Every cell of a workbook that Excel would run: a formula, or text that starts like one."""
    workbook = load_workbook(io.BytesIO(content))
    return [f"formula cell {cell.coordinate} {cell.value!r} in {where}" for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"))]


def test_sql_metacharacters_in_a_search_are_just_characters(app, world):  # noqa: F811
    make_it_hostile(world)
    client = app.test_client()
    login_as(client, world.visitors[ADMIN])
    link = f"/sites/{world.site}/people/{world.person}"
    for query, found in [("' OR '1'='1", False), ("%' --", False), ("O'Brien\"; DROP", True)]:
        response = client.get(f"/sites/{world.site}/people", query_string={"q": query})
        assert response.status_code == 200 and (link in response.get_data(as_text=True)) is found, query
    assert db.session.query(Person).count() >= 1  # the table is still there


# --- Brute force against live gunicorn (issue 16, items 4 and 5) -----------------------------------
# Two workers with their own memory: a limit that held only per worker would let twice as much through.

import re  # noqa: E402
import threading  # noqa: E402

import requests  # noqa: E402

from app.models import AuditLog  # noqa: E402
from app.services.accounts import MAX_FAILED_LOGINS  # noqa: E402
from tests.reliability.torture import record  # noqa: E402
from tests.support.processes import start_gunicorn  # noqa: E402
from tests.support.web import PASSWORD, make_user  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LOGIN_PER_ACCOUNT_PER_MINUTE = 10
ENROLL_PER_ADDRESS_PER_MINUTE = 10


@pytest.fixture
def live(app, database_url):
    server = start_gunicorn(database_url, workers=2)
    yield server
    server.stop()


def _login_page(url: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    return browser, CSRF_FIELD.search(browser.get(f"{url}/login", timeout=10).text).group(1)


def test_sixty_parallel_wrong_passwords_against_gunicorn_get_at_most_four_guesses(live):
    user = make_user("builder_rep", password=PASSWORD, email="target@test.portvakt.no")
    email, user_id = user.email, user.id
    ready = [_login_page(live.url) for _ in range(60)]
    start, answers = threading.Barrier(60), []

    def guess(n):
        browser, token = ready[n]
        start.wait()
        answers.append(browser.post(f"{live.url}/login", timeout=60, allow_redirects=False, data={
            "email": email, "password": f"guess {n}", "csrf_token": token}).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = db.session.scalars(db.select(AuditLog).where(AuditLog.target_id == str(user_id))).all()
    attempts = sorted(row.details["attempt"] for row in rows if row.action == "login_failed")
    guesses = [a for a in attempts if a < MAX_FAILED_LOGINS]  # answered before the lock: real guesses
    assert sorted(answers) == [200] * len(attempts) + [429] * (60 - len(attempts))
    assert len(attempts) <= LOGIN_PER_ACCOUNT_PER_MINUTE  # the per-account limit, across both workers
    assert attempts == list(range(1, len(attempts) + 1))  # each failure counted once
    assert len(guesses) == MAX_FAILED_LOGINS - 1
    assert [row.action for row in rows].count("login_locked") == 1
    record("brute force sign-in", parallel=60, answered=len(attempts), guesses=len(guesses),
           rate_limited=answers.count(429))


def test_enrollment_codes_are_limited_across_gunicorn_workers(live):
    answers = [requests.post(f"{live.url}/api/v1/kiosks/enroll", json={"code": f"ABCDEFG{n % 10}"},
                             headers={"Connection": "close"}, timeout=10) for n in range(3 * ENROLL_PER_ADDRESS_PER_MINUTE)]
    codes = [a.status_code for a in answers]
    assert codes == [401] * ENROLL_PER_ADDRESS_PER_MINUTE + [429] * (2 * ENROLL_PER_ADDRESS_PER_MINUTE)
    assert all(set(a.json()) == {"error", "message"} for a in answers)
    record("enrollment code guessing", tried=len(codes), refused_401=codes.count(401), limited_429=codes.count(429))


# Values a person can type (or a date picker allows) that once overflowed a date, an OFFSET or a header.
ABSURD_QUERIES = [{"day": "0001-01-01"}, {"day": "9999-12-31"}, {"page": "99999999999999999999"},
                  {"page": "-1"}, {"date_from": "0001-01-01", "date_to": "9999-12-31"},
                  {"next": "/\r\nSet-Cookie: x=1"}]
ABSURD_DAYS = ["0001-01-01", "9999-12-31", "2000-02-30"]


def test_absurd_dates_pages_and_headers_are_never_a_500(app, world):  # noqa: F811
    """Every GET of the matrix with each absurd query value, and every date in a path replaced by an
    absurd one: a page, a redirect or a 404, never a 5xx (issue 15, item 5)."""
    problems = []
    for param in cases("GET"):
        case, visitor = param.values
        variants = [replace(case, path=case.path + ("&" if "?" in case.path else "?") + urlencode(query))
                    for query in ABSURD_QUERIES]
        if "{today}" in case.path:
            variants += [replace(case, path=case.path.replace("{today}", day)) for day in ABSURD_DAYS]
        for variant in variants:
            response = request(app, world, variant, visitor)
            if response.status_code >= 500:
                problems.append(f"{response.status_code} on {variant.path}")
            if any(c in response.headers.get("Location", "") for c in "\r\n"):
                problems.append(f"CR/LF in the Location of {variant.path}")
    assert problems == []
