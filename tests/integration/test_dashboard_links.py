"""Dashboard and small-screen details (issue 15, item 9): tiles link to what they count, revokes ask
first (no inline script), a favicon."""
import re

from tests.support.web import login_as, make_person, make_site, make_user


def test_every_dashboard_tile_links_to_what_it_counts(client):
    site = make_site()
    login_as(client, make_user("builder_rep", site))
    body = client.get("/").get_data(as_text=True)
    numbers = body[body.index('<dl class="numbers">'):body.index("</dl>")]
    tiles = re.findall(r"<div[^>]*>(.*?)</div>", numbers, re.S)
    assert len(tiles) == 6
    for target in (f"/sites/{site.id}", f"/sites/{site.id}/lists/", f"/sites/{site.id}/rejected",
                   f"/sites/{site.id}/unverified", f"/sites/{site.id}/followups", f"/sites/{site.id}/kiosks"):
        assert f'href="{target}' in numbers, target
    assert all("<a " in tile for tile in tiles)


def test_an_employer_sees_only_the_tiles_it_may_open(client):
    from tests.support.web import make_company
    site = make_site()
    login_as(client, make_user("employer_viewer", site, company=make_company(site=site)))
    body = client.get("/").get_data(as_text=True)
    numbers = body[body.index('<dl class="numbers">'):body.index("</dl>")]
    assert "/rejected" not in numbers and "/kiosks" not in numbers


def test_revoking_a_share_or_self_service_link_asks_first_without_inline_script(client):
    site = make_site()
    login_as(client, make_user("builder_rep", site))
    from app.extensions import db
    from app.models import AccessLink
    from app.clock import utcnow
    from app.domain.secrets import hash_token
    from datetime import timedelta
    db.session.add_all([
        AccessLink(site_id=site.id, kind="share", token_hash=hash_token("a" * 43), recipient="Skatteetaten",
                   date_from=utcnow().date(), date_to=utcnow().date(), expires_at=utcnow() + timedelta(days=3)),
        AccessLink(site_id=site.id, kind="self_service", token_hash=hash_token("b" * 43),
                   person_id=make_person().id, expires_at=utcnow() + timedelta(days=3)),
    ])
    db.session.commit()
    for page in (f"/sites/{site.id}/share-links", f"/sites/{site.id}/self-service"):
        body = client.get(page).get_data(as_text=True)
        assert "/revoke" in body
        for form in re.findall(r'<form[^>]*action="[^"]*/revoke"[^>]*>.*?</form>', body, re.S):
            assert "<details" in form and "<summary" in form, form
            assert "onclick" not in form and "<script" not in form
    body = client.get(f"/sites/{site.id}/share-links").get_data(as_text=True)
    assert re.search(r'<details.*?<summary.*?</summary>.*?<button type="submit"', body, re.S)


def test_a_favicon_is_served(client):
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and b"<svg" in response.data
    login_as(client, make_user("admin"))
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
