"""Signing in, the lockout, password change, CSRF, security headers, languages and error pages."""
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, User
from app.services.accounts import MAX_FAILED_LOGINS
from tests.support.web import PASSWORD, login_as, make_site, make_user


def sign_in(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_sign_in_with_the_right_password_opens_the_dashboard(client):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    response = sign_in(client, user.email.upper() + " ", PASSWORD)  # case and stray spaces do not matter
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_the_same_words_as_an_unknown_email(client):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    wrong = sign_in(client, user.email, "not the password")
    unknown = sign_in(client, "nobody@test.portvakt.no", "whatever")
    assert wrong.status_code == unknown.status_code == 200
    assert "Feil e-post eller passord." in wrong.get_data(as_text=True)
    assert "Feil e-post eller passord." in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account_even_for_the_right_password(client):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(client, user.email, "guess")
    db.session.refresh(user)
    assert user.locked_until is not None and user.locked_until > utcnow()
    response = sign_in(client, user.email, PASSWORD)
    assert "låst i 15 minutter" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "login_locked")) is not None


def test_the_lock_ends_after_its_time_and_a_success_resets_the_count(client):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    user.locked_until, user.failed_logins = utcnow() - timedelta(seconds=1), 3
    db.session.commit()
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_an_inactive_user_cannot_sign_in_and_loses_an_open_session(client):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    login_as(client, user)
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302
    assert sign_in(client, user.email, PASSWORD).status_code == 200


def test_next_only_leads_to_a_path_on_this_site(client):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    response = client.post("/login?next=https://evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/password", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/password"


def test_password_change_needs_the_current_password_and_ends_other_sessions(app):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    me, other_device = app.test_client(), app.test_client()
    login_as(me, user)
    login_as(other_device, user)
    new = "a brand new passphrase"
    wrong = me.post("/password", data={"current": "nope", "new": new, "confirm": new})
    assert "Nåværende passord er feil." in wrong.get_data(as_text=True)
    short = me.post("/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert short.status_code == 200 and "id=\"new\"" in short.get_data(as_text=True)
    assert me.post("/password", data={"current": PASSWORD, "new": new, "confirm": new}).status_code == 302
    assert me.get("/").status_code == 200  # this session follows the new password
    assert other_device.get("/").status_code == 302  # the other one must sign in again
    db.session.refresh(user)
    assert user.check_password(new)


def test_logout_is_a_post(client):
    user = make_user("builder_rep", make_site())
    login_as(client, user)
    wrong_method = client.get("/logout")
    assert wrong_method.status_code == 405 and "Ikke tillatt" in wrong_method.get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_post_without_a_csrf_token_is_refused_with_400(csrf_client):
    user = make_user("admin", password=PASSWORD)
    assert csrf_client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    login_as(csrf_client, user)
    response = csrf_client.post("/admin/users/new", data={"email": "x@y.no", "name": "X", "password": "x" * 12})
    assert response.status_code == 400
    assert "<!doctype html>" in response.get_data(as_text=True)  # the app's own page, not a traceback
    assert db.session.scalar(db.select(User).where(User.email == "x@y.no")) is None


def test_a_post_with_the_csrf_token_from_the_form_works(csrf_client):
    user = make_user("admin", password=PASSWORD)
    page = csrf_client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = csrf_client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_every_page_has_the_security_headers(client):
    for response in (client.get("/login"), client.get("/nowhere"), client.get("/static/portvakt.css")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_not_cached(client):
    login_as(client, make_user("builder_rep", make_site()))
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_and_lax(client):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    cookie = sign_in(client, user.email, PASSWORD).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_bokmal_by_default_and_english_by_the_switch(client):
    assert "Logg inn" in client.get("/login").get_data(as_text=True)
    response = client.get("/language/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and "Logg inn" not in page and '<html lang="en">' in page
    client.get("/language/xx")  # an unknown language changes nothing
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_error_pages_are_in_the_apps_look(client):
    login_as(client, make_user("coordinator", make_site()))
    missing = client.get("/sites/999999")
    forbidden = client.get("/admin/users")
    assert missing.status_code == 404 and "Finnes ikke" in missing.get_data(as_text=True)
    assert forbidden.status_code == 403 and "Ingen tilgang" in forbidden.get_data(as_text=True)
    for page in (missing, forbidden):
        assert "portvakt.css" in page.get_data(as_text=True)


def test_an_unexpected_error_gets_the_500_page_without_a_traceback(app, client, monkeypatch):
    from app.services import dashboard

    def broken(*args, **kwargs):
        raise RuntimeError("boom in a secret place")

    monkeypatch.setattr(dashboard, "site_numbers", broken)
    login_as(client, make_user("builder_rep", make_site()))
    response = client.get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Noe gikk galt" in body
    assert "boom" not in body and "Traceback" not in body
