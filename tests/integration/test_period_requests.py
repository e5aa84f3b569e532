"""A period download asked for in the query string (the list's period report, the contractors report):
a missing or nonsense day, or an unknown format, sends the reader back with a message, never a 500."""
import pytest

from app.extensions import db
from tests.support.web import login_as, make_site, make_user


@pytest.fixture
def client(app):
    site = make_site()
    user = make_user("builder_rep", site)
    db.session.commit()
    client = app.test_client()
    login_as(client, user)
    return client, site.id


@pytest.mark.parametrize("path, query", [
    ("lists/period", "date_from=2026-03-01&date_to=2026-03-07&fmt=pdf"),
    ("contractors-report", "date_from=2026-03-01&date_to=2026-03-07&fmt=csv"),
])
def test_a_sane_period_downloads(client, path, query):
    client, site_id = client
    response = client.get(f"/sites/{site_id}/{path}?{query}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("path", ["lists/period", "contractors-report"])
@pytest.mark.parametrize("query", [
    "date_to=2026-03-07",  # no first day
    "date_from=2026-03-01&date_to=0001-01-01",  # not a sane day
    "date_from=2026-03-01&date_to=2026-03-07&fmt=docx",  # no such format
    "date_from=2026-03-07&date_to=2026-03-01",  # reversed: the service refuses it
])
def test_a_bad_period_goes_back_to_the_lists_with_a_message(client, path, query):
    client, site_id = client
    response = client.get(f"/sites/{site_id}/{path}?{query}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sites/{site_id}/lists")
