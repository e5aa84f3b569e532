"""Issue 21: pictures in the site induction's text, uploaded by the builder_rep and shown on the worker's phone.

The type is read from the bytes (a renamed file is refused), at most 2 MB; the text refers to a picture as
`bilde:ID`, and the phone page's <img> points at a same-origin route that serves only that site's pictures.
"""
import io
import re
from datetime import date, timedelta

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, InductionImage, Site
from app.services import induction
from tests.support.web import login_as, make_person, make_site, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32)


def _setup(app):
    site, other = make_site("Kaia Øst"), make_site("Fjordbyen")
    rep = make_user("builder_rep", site)
    person = make_person()
    db.session.commit()
    for s in (site, other):
        induction.set_induction(s.id, "cli", utcnow(), mode="warn", texts={"nb": "# Velkommen", "en": "# Welcome"})
    client = app.test_client()
    login_as(client, rep)
    return client, site.id, other.id, person.id


def _upload(client, site_id, data, filename="moteplass.png", name="Møteplassen"):
    return client.post(f"/sites/{site_id}/induction/images", content_type="multipart/form-data",
                       data={"i-image": (io.BytesIO(data), filename), "i-name": name})


def test_upload_sniffs_the_type_and_refuses_what_is_not_a_picture_or_too_large(app):
    client, site_id, _other, _person = _setup(app)
    done = _upload(client, site_id, PNG)
    assert done.status_code == 302
    row = db.session.scalars(db.select(InductionImage)).one()
    assert (row.site_id, row.mimetype, row.name, row.data) == (site_id, "image/png", "Møteplassen", PNG)
    assert _upload(client, site_id, WEBP, filename="x.jpg").status_code == 302  # the browser's word is ignored
    assert db.session.scalars(db.select(InductionImage.mimetype).order_by(InductionImage.id)).all()[-1] == "image/webp"

    renamed = _upload(client, site_id, b"%PDF-1.4 not a picture", filename="kart.png")
    assert renamed.status_code == 200 and "ikke et bilde Portvakt kan vise" in renamed.get_data(as_text=True)
    too_large = _upload(client, site_id, PNG + bytes(2 * 1024 * 1024))
    assert too_large.status_code == 200 and "Bildet kan være på høyst 2 MB" in too_large.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(InductionImage.id))) == 2

    page = client.get(f"/sites/{site_id}/induction").get_data(as_text=True)
    assert f"![Møteplassen](bilde:{row.id})" in page
    added = db.session.scalars(db.select(AuditLog).filter_by(action="induction.image_add")).all()
    assert len(added) == 2 and added[0].target_id == str(row.id) and added[0].details == {}


def test_the_phone_page_shows_the_sites_picture_and_another_sites_as_text(app):
    client, site_id, other_id, person_id = _setup(app)
    _upload(client, site_id, PNG)
    own = db.session.scalars(db.select(InductionImage)).one()
    foreign = InductionImage(site_id=other_id, name="Fremmed", mimetype="image/png", data=PNG)
    db.session.add(foreign)
    db.session.commit()
    text = f"# Velkommen\n\n![Møteplassen](bilde:{own.id})\n\n![Annen plass](bilde:{foreign.id})\n\n![Ukjent](bilde:99999)\n"
    induction.set_induction(site_id, "cli", utcnow(), texts={"nb": text, "en": "# Welcome"})

    phone = app.test_client()  # no account
    token = induction.make_token(site_id, person_id)
    html = phone.get(f"/induction/{token}").get_data(as_text=True)
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert sources == [f"/induction/{token}/images/{own.id}"]  # relative: the CSP's img-src 'self' holds
    picture = phone.get(sources[0])
    assert picture.status_code == 200 and picture.data == PNG and picture.mimetype == "image/png"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in picture.headers["Cache-Control"]
    assert "Annen plass" in html and "Ukjent" in html and "bilde:" not in html  # as text, not broken images
    assert phone.get(f"/induction/{token}/images/{foreign.id}").status_code == 404  # that site's only
    assert phone.get(f"/induction/not-a-token/images/{own.id}").status_code == 404


def test_deleting_a_picture_turns_its_reference_into_text(app):
    client, site_id, other_id, person_id = _setup(app)
    _upload(client, site_id, PNG)
    row_id = db.session.scalar(db.select(InductionImage.id))
    induction.set_induction(site_id, "cli", utcnow(), texts={"nb": f"![Møteplassen](bilde:{row_id})", "en": "x"})
    assert client.post(f"/sites/{site_id}/induction/images/{row_id}/delete").status_code == 302
    assert db.session.get(InductionImage, row_id) is None
    deleted = db.session.scalars(db.select(AuditLog).filter_by(action="induction.image_delete")).one()
    assert deleted.target_id == str(row_id) and deleted.details == {}
    html = app.test_client().get(f"/induction/{induction.make_token(site_id, person_id)}").get_data(as_text=True)
    assert "<img" not in html and "Møteplassen" in html


def test_another_sites_rep_cannot_delete_through_their_own_site(app):
    client, site_id, other_id, _person = _setup(app)
    _upload(client, site_id, PNG)
    row_id = db.session.scalar(db.select(InductionImage.id))
    other_rep = make_user("builder_rep", db.session.get(Site, other_id), email="annen@test.portvakt.no")
    db.session.commit()
    theirs = app.test_client()
    login_as(theirs, other_rep)
    assert theirs.post(f"/sites/{other_id}/induction/images/{row_id}/delete").status_code == 302
    assert db.session.get(InductionImage, row_id) is not None
    assert theirs.get(f"/sites/{other_id}/induction/images/{row_id}").status_code == 404


def test_the_site_purge_takes_its_pictures_along(app, runner):
    client, site_id, other_id, _person = _setup(app)
    _upload(client, site_id, PNG)
    db.session.add(InductionImage(site_id=other_id, name="Blir", mimetype="image/png", data=PNG))
    db.session.commit()
    for args in (["site", "close", str(site_id), "--completion-date", date.today().isoformat()],
                 ["retention", "purge", "--as-of", (date.today() + timedelta(days=400)).isoformat()]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    assert db.session.scalars(db.select(InductionImage.site_id)).all() == [other_id]
