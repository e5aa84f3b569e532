"""Signing in with a lockout, changing a password, and managing users and their memberships."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import Membership, Role, User
from app.services.audit import audit

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("portvakt-dummy-password")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None = None  # bad_credentials | locked


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str, now: datetime) -> LoginResult:
    """Check a password; after MAX_FAILED_LOGINS failures in a row the account locks for LOCKOUT."""
    user = find_user(email)
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None, "bad_credentials")
    if user.locked_until and user.locked_until > now:
        return LoginResult(None, "locked")
    if not user.check_password(password):
        _count_failure(user, now)
        db.session.commit()
        return LoginResult(None, "locked" if user.locked_until else "bad_credentials")
    user.failed_logins, user.locked_until = 0, None
    audit("login", user)
    db.session.commit()
    return LoginResult(user)


def _count_failure(user: User, now: datetime) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    user.locked_until = None
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.failed_logins, user.locked_until = 0, now + LOCKOUT
        audit("login_locked", "system", target_type="user", target_id=user.id)


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if `current` is right; other sessions end (the session id changes)."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    audit("password_changed", user, target_type="user", target_id=user.id)
    db.session.commit()
    return True


def create_user(actor: User, email: str, name: str, password: str) -> User:
    user = User(email=email.strip().lower(), name=name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit("user_created", actor, target_type="user", target_id=user.id)
    db.session.commit()
    return user


def email_taken(email: str, except_user_id: int | None = None) -> bool:
    found = find_user(email)
    return found is not None and found.id != except_user_id


def update_user(actor: User, user: User, name: str, active: bool, new_password: str | None) -> None:
    user.name, user.active = name.strip(), active
    if new_password:
        user.set_password(new_password)
    audit("user_updated", actor, target_type="user", target_id=user.id,
          active=active, password_reset=bool(new_password))
    db.session.commit()


def unlock_user(actor: User, user: User) -> None:
    user.failed_logins, user.locked_until = 0, None
    audit("user_unlocked", actor, target_type="user", target_id=user.id)
    db.session.commit()


def add_membership(actor: User, user: User, role: str, site_id: int | None, company_id: int | None) -> Membership:
    """Give `user` a role on a site (or every site). Only an employer role keeps a company."""
    if role not in (Role.EMPLOYER_VIEWER.value, Role.EMPLOYER_REP.value):
        company_id = None
    membership = Membership(user=user, role=role, site_id=site_id, company_id=company_id)
    db.session.add(membership)
    db.session.flush()
    audit("membership_added", actor, site_id=site_id, target_type="user", target_id=user.id,
          membership_id=membership.id, role=role)
    db.session.commit()
    return membership


def remove_membership(actor: User, membership: Membership) -> None:
    audit("membership_removed", actor, site_id=membership.site_id, target_type="user",
          target_id=membership.user_id, membership_id=membership.id, role=membership.role)
    db.session.delete(membership)
    db.session.commit()
