"""Issue 16, items 3-5: sessions end on the server, failed sign-ins count atomically, sign-in and
enrollment are rate-limited in the database, and a refusal tells nothing about the account."""
import threading
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, Membership, User
from app.services import accounts
from app.services.accounts import MAX_FAILED_LOGINS
from tests.support.web import PASSWORD, login_as, make_site, make_user

REFUSED = "Feil e-post eller passord. Etter 5 mislykkede forsøk på rad er innloggingen låst i 15 minutter."


def sign_in(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


# --- 3. sessions end server-side ------------------------------------------------------------------

def test_a_cookie_copied_before_logout_no_longer_works_after_it(app):
    user = make_user("builder_rep", make_site())
    browser, thief = app.test_client(), app.test_client()
    assert sign_in(browser, user.email, PASSWORD).status_code == 302
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert signed_in(thief)
    browser.post("/logout")
    assert not signed_in(browser) and not signed_in(thief)


def _change_password(user, admin):
    accounts.change_password(user, PASSWORD, "a brand new passphrase")


def _deactivate(user, admin):
    accounts.update_user(admin, user, user.name, False, None)


def _password_reset_by_admin(user, admin):
    accounts.update_user(admin, user, user.name, True, "a brand new passphrase")


def _role_added(user, admin):
    accounts.add_membership(admin, user, "coordinator", None, None)


def _role_removed(user, admin):
    accounts.remove_membership(admin, user.memberships[0])


def _signed_out_everywhere(user, admin):
    accounts.sign_out_everywhere(admin, user)


@pytest.mark.parametrize("event", [_change_password, _deactivate, _password_reset_by_admin, _role_added,
                                   _role_removed, _signed_out_everywhere])
def test_these_events_end_every_open_session_of_the_user(app, event):
    user, admin = make_user("builder_rep", make_site()), make_user("admin")
    laptop, phone = app.test_client(), app.test_client()
    login_as(laptop, user)
    login_as(phone, user)
    assert signed_in(laptop) and signed_in(phone)
    event(user, admin)
    assert not signed_in(laptop) and not signed_in(phone)


def test_an_admin_signs_a_user_out_everywhere_from_the_users_page(app):
    user, admin = make_user("builder_rep", make_site()), make_user("admin")
    victim, admin_client = app.test_client(), app.test_client()
    login_as(victim, user)
    login_as(admin_client, admin)
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert f'action="/admin/users/{user.id}/sign-out"' in page and "Logg ut overalt" in page
    assert admin_client.post(f"/admin/users/{user.id}/sign-out").status_code == 302
    assert not signed_in(victim) and signed_in(admin_client)
    assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "user_signed_out_everywhere"))


def _age_session(client, signed_in_ago: timedelta, seen_ago: timedelta) -> None:
    now = utcnow()
    with client.session_transaction() as session:
        session["signed_in_at"] = int((now - signed_in_ago).timestamp())
        session["seen_at"] = int((now - seen_ago).timestamp())


@pytest.mark.parametrize("signed_in_ago, seen_ago, still_in", [
    (timedelta(hours=11), timedelta(hours=7), True),
    (timedelta(hours=9), timedelta(hours=8, minutes=5), False),  # idle over 8 hours
    (timedelta(hours=12, minutes=5), timedelta(minutes=1), False),  # signed in over 12 hours ago
])
def test_an_idle_or_old_session_ends(app, signed_in_ago, seen_ago, still_in):
    client = app.test_client()
    login_as(client, make_user("builder_rep", make_site()))
    _age_session(client, signed_in_ago, seen_ago)
    assert signed_in(client) is still_in


def test_a_session_without_its_times_is_not_accepted(app):
    client = app.test_client()
    login_as(client, make_user("builder_rep", make_site()))
    with client.session_transaction() as session:
        del session["signed_in_at"]
    assert not signed_in(client)


# --- 4. failures count atomically; the lock cannot keep the owner out; rate limits ------------------

def test_parallel_wrong_passwords_each_count_once_and_exactly_one_locks(app):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    email, tries = user.email, 3 * MAX_FAILED_LOGINS
    start = threading.Barrier(tries)

    def guess(n):
        with app.app_context():
            start.wait()
            accounts.authenticate(email, f"guess {n}", utcnow())

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = db.session.scalars(db.select(AuditLog).where(AuditLog.target_id == str(user.id))).all()
    attempts = sorted(row.details["attempt"] for row in rows if row.action == "login_failed")
    assert attempts == list(range(1, tries + 1))  # no two requests saw the same count
    assert [row.action for row in rows].count("login_locked") == 1
    db.session.refresh(user)
    assert user.locked_until > utcnow()


def test_a_locked_account_still_opens_in_the_browser_its_owner_used_before(app):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    owners_browser, attacker, new_browser = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(owners_browser, user.email, PASSWORD).status_code == 302
    owners_browser.post("/logout")
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(attacker, user.email, "guess")
    assert sign_in(attacker, user.email, PASSWORD).status_code == 200  # locked here
    assert sign_in(new_browser, user.email, PASSWORD).status_code == 200  # and in any unknown browser
    assert sign_in(owners_browser, user.email, PASSWORD).status_code == 302  # not for its owner


def test_a_wrong_password_makes_a_known_browser_unknown(app):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    browser = app.test_client()
    sign_in(browser, user.email, PASSWORD)
    browser.post("/logout")
    user.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    sign_in(browser, user.email, "guess")
    assert browser.get_cookie("portvakt_device") is None
    assert sign_in(browser, user.email, PASSWORD).status_code == 200  # now the lock applies


def test_sign_in_is_rate_limited_per_account_whatever_the_address(app):
    user = make_user("builder_rep", make_site(), password=PASSWORD)
    answers = [sign_in(app.test_client(), user.email, "guess").status_code for _ in range(11)]
    assert answers == [200] * 10 + [429]
    refused = sign_in(app.test_client(), user.email, PASSWORD)
    assert refused.status_code == 429 and "For mange innloggingsforsøk" in refused.get_data(as_text=True)


def test_sign_in_is_rate_limited_per_address_whatever_the_account(client):
    answers = [sign_in(client, f"nobody{n}@test.portvakt.no", "guess").status_code for n in range(21)]
    assert answers == [200] * 20 + [429]


def test_enrollment_codes_are_rate_limited_per_address_with_a_json_answer(client):
    answers = [client.post("/api/v1/kiosks/enroll", json={"code": f"ABCDEFG{n % 10}"}) for n in range(11)]
    assert [a.status_code for a in answers] == [401] * 10 + [429]
    assert set(answers[-1].get_json()) == {"error", "message"}


# --- 5. no account enumeration --------------------------------------------------------------------

@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes run (the real function still runs)."""
    calls = []
    real = accounts.verify_password

    def counting(password_hash, password):
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    return calls


def _message(response) -> str:
    return response.get_data(as_text=True).split('class="flash flash-error"')[1].split("</")[0]


def test_unknown_locked_inactive_and_wrong_are_refused_alike_with_one_hash_each(client, hashes):
    site = make_site()
    locked = make_user("builder_rep", site, email="locked@test.portvakt.no", password=PASSWORD)
    locked.locked_until = utcnow() + timedelta(minutes=10)
    inactive = make_user("coordinator", site, email="inactive@test.portvakt.no")
    inactive.active = False
    wrong = make_user("safety_rep", site, email="wrong@test.portvakt.no")
    db.session.commit()
    attempts = [("nobody@test.portvakt.no", PASSWORD), (locked.email, PASSWORD), (locked.email, "guess"),
                (inactive.email, PASSWORD), (wrong.email, "guess")]
    messages = []
    for n, (email, password) in enumerate(attempts, start=1):
        response = sign_in(client, email, password)
        assert response.status_code == 200
        messages.append(_message(response))
        assert len(hashes) == n, email  # one password hash for every kind of refusal
    assert set(messages) == {messages[0]} and REFUSED in messages[0]
