"""User administration: creating users, giving and taking roles, unlocking, and the whole audit log."""
from datetime import timedelta

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, Membership, User
from tests.support.web import login_as, make_company, make_site, make_user


def test_an_admin_creates_a_user_who_can_then_sign_in(client):
    login_as(client, make_user("admin"))
    response = client.post("/admin/users/new", data={"email": "Ny@Test.no", "name": "Nina Ny",
                                                     "password": "long enough password"})
    user = db.session.scalar(db.select(User).where(User.email == "ny@test.no"))
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert user.check_password("long enough password")
    duplicate = client.post("/admin/users/new", data={"email": "ny@test.no", "name": "X", "password": "x" * 12})
    assert "finnes allerede" in duplicate.get_data(as_text=True)
    bad = client.post("/admin/users/new", data={"email": "not-an-email", "name": "X", "password": "short"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 200 and body.count('class="error"') == 2


def test_roles_are_given_and_taken_with_an_audit_trail(client):
    site = make_site()
    company = make_company(site=site)
    login_as(client, make_user("admin"))
    target = make_user(None, email="t@test.no")
    url = f"/admin/users/{target.id}/memberships"
    refused = client.post(url, data={"role": "employer_viewer", "site_id": str(site.id), "company_id": ""})
    assert "velg firmaet" in refused.get_data(as_text=True)
    assert client.post(url, data={"role": "employer_viewer", "site_id": str(site.id),
                                  "company_id": str(company.id)}).status_code == 302
    assert client.post(url, data={"role": "coordinator", "site_id": "", "company_id": str(company.id)}).status_code == 302
    roles = {(m.role, m.site_id, m.company_id) for m in db.session.scalars(
        db.select(Membership).where(Membership.user_id == target.id))}
    assert roles == {("employer_viewer", site.id, company.id), ("coordinator", None, None)}
    membership = db.session.scalar(db.select(Membership).where(Membership.role == "coordinator"))
    assert client.post(f"/admin/users/{target.id}/memberships/{membership.id}/delete").status_code == 302
    assert db.session.get(Membership, membership.id) is None
    actions = set(db.session.scalars(db.select(AuditLog.action)))
    assert {"membership_added", "membership_removed"} <= actions


def test_the_last_admin_of_every_site_cannot_be_removed(client):
    admin = make_user("admin")
    login_as(client, admin)
    membership = admin.memberships[0]
    client.post(f"/admin/users/{admin.id}/memberships/{membership.id}/delete")
    assert db.session.get(Membership, membership.id) is not None


def test_a_membership_of_another_user_cannot_be_removed_through_this_one(client):
    login_as(client, make_user("admin"))
    one, other = make_user("coordinator", make_site()), make_user(None, email="o@test.no")
    response = client.post(f"/admin/users/{other.id}/memberships/{one.memberships[0].id}/delete")
    assert response.status_code == 404


def test_an_admin_unlocks_and_deactivates(client):
    admin = make_user("admin")
    locked = make_user("coordinator", make_site())
    locked.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    login_as(client, admin)
    assert "låst til" in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{locked.id}/unlock")
    db.session.refresh(locked)
    assert locked.locked_until is None
    client.post(f"/admin/users/{locked.id}", data={"name": locked.name})  # "active" unticked
    db.session.refresh(locked)
    assert locked.active is False
    myself = client.post(f"/admin/users/{admin.id}", data={"name": admin.name})
    assert "Du kan ikke deaktivere deg selv." in myself.get_data(as_text=True)


def test_the_admin_audit_log_shows_every_site(client):
    from app.services.audit import audit

    one, two = make_site("En"), make_site("To")
    audit("kiosk.create", "cli", site_id=one.id)
    audit("kiosk.revoke", "cli", site_id=two.id)
    db.session.commit()
    login_as(client, make_user("admin"))
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "kiosk.create" in body and "kiosk.revoke" in body
    assert "kiosk.create" not in client.get("/admin/audit?action=kiosk.revoke").get_data(as_text=True).split("<tbody>")[1]


def test_a_site_admin_is_not_a_user_admin(client):
    site = make_site()
    login_as(client, make_user("admin", site))
    assert client.get(f"/sites/{site.id}/kiosks").status_code == 200
    assert client.get("/admin/users").status_code == 403
