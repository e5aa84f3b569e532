"""The web pages under abuse, route by route, from the access matrix's own table and world.

Every form refuses a POST without (or with a wrong) CSRF token; every page carries the security
headers; hostile text in every field a person or company can bring in (names, company and site
names, kiosk names, reasons and notes) comes out inert in HTML, in CSV (no spreadsheet formulas)
and in PDFs; SQL metacharacters are just characters. Runs on SQLite and on PostgreSQL.
"""
import csv
import io
from dataclasses import replace

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
