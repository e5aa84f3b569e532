"""Nothing a user types breaks a list-workflow page: a few hundred hostile requests, not one 5xx.

Deterministic (fixed seed), so a failure reproduces; the inputs are the classics of broken forms.
"""
import random
import string

from app.extensions import db
from app.models import Engagement
from tests.support.web import login_as, make_company, make_person, make_site, make_user

NASTY = ["", "0", "-1", "99999999999999999999", "x" * 5000, "<script>alert(1)</script>", "ø\x00", "2026-02-30",
         "0001-01-01", "9999-12-31", "1", "%", "' OR 1=1 --", "\u202e", "١٢٣", "NaN", "[]", "{}"]
PAGES = ["/lists", "/lists/manual", "/lists/period", "/share-links", "/self-service", "/followups",
         "/lists/2026-11-25/check", "/lists/rows/1/remove", "/followups/1", "/share-links/1/revoke",
         "/self-service/1/revoke"]
FIELDS = ["card_number", "reason", "direction", "recipient", "date_from", "date_to", "company_id", "valid_days",
          "person_id", "note", "day", "fmt", "show"]


def nasty(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 40)))
    return rng.choice(NASTY)


def test_hostile_requests_never_get_a_server_error(app):
    site = make_site()
    company = make_company(site=site)
    person = make_person()
    db.session.add(Engagement(person_id=person.id, site_id=site.id, employer_id=company.id))
    db.session.commit()
    client = app.test_client()
    login_as(client, make_user("builder_rep", site))
    rng = random.Random(15)
    broken = []
    for _ in range(400):
        path = f"/sites/{site.id}{rng.choice(PAGES)}"
        data = {name: nasty(rng) for name in rng.sample(FIELDS, rng.randint(0, len(FIELDS)))}
        method = rng.choice(["GET", "POST"])
        response = client.open(path, method=method, data=data if method == "POST" else None,
                               query_string=data if method == "GET" else None)
        if response.status_code >= 500:
            broken.append((method, path, data))
    for token in ["x", "a" * 3000, "%ff", "..", "%00", "ø"]:
        for path in (f"/share/{token}", f"/share/{token}/2026-11-25", f"/share/{token}/period/pdf", f"/me/{token}"):
            if app.test_client().get(path).status_code >= 500:
                broken.append(("GET", path, None))
    assert not broken, broken[:5]
