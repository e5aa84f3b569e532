"""Signing in with a lockout, ending sessions, changing a password, and managing users and their memberships."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, null, or_, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain.enums import Role
from app.extensions import db
from app.models import Membership, User
from app.services import use_case
from app.services.audit import audit

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# Checked against when the account is unknown or inactive, so every refusal costs one password hash.
_DUMMY_HASH = generate_password_hash("portvakt-dummy-password")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None = None  # refused: one answer for a wrong password, an unknown email and a lock


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower()))


def verify_password(password_hash: str, password: str) -> bool:
    """The one place a password is checked (werkzeug's scrypt); tests count the calls here."""
    return check_password_hash(password_hash, password)


@use_case
def authenticate(email: str, password: str, now: datetime, known_device_of: int | None = None) -> LoginResult:
    """Check a password. MAX_FAILED_LOGINS failures in a row lock the account for LOCKOUT, except
    on a browser where this account signed in before (`known_device_of`, from a signed cookie), so
    nobody can keep someone else out by guessing. Every path runs one password hash and refuses in
    the same words, so neither the answer nor its time tells whether an account exists or is locked."""
    user = find_user(email)
    usable = user is not None and user.active
    right = verify_password(user.password_hash if usable else _DUMMY_HASH, password)
    if not usable:
        return LoginResult(None, "refused")
    if right and _clear_failures(user.id, now, respect_lock=known_device_of != user.id):
        audit("login", user)
        return LoginResult(user)
    if not right:
        _count_failure(user.id, now)
    return LoginResult(None, "refused")


def _clear_failures(user_id: int, now: datetime, respect_lock: bool) -> bool:
    """Reset the count unless the account is locked (a lock taken by a request running alongside
    counts): False if it is."""
    stmt = update(User).where(User.id == user_id)
    if respect_lock:
        stmt = stmt.where(or_(User.locked_until.is_(None), User.locked_until <= now))
    result = db.session.execute(stmt.values(failed_logins=0, locked_until=None),
                                execution_options={"synchronize_session": False})
    return result.rowcount == 1


def _count_failure(user_id: int, now: datetime) -> None:
    """One atomic UPDATE … RETURNING: parallel failures each get their own number, and exactly the
    one that reaches MAX_FAILED_LOGINS takes the lock. A lock that has run out starts a new count."""
    expired = and_(User.locked_until.is_not(None), User.locked_until <= now)
    until = bindparam("until", now + LOCKOUT, type_=User.locked_until.type)
    attempt, locked_until = db.session.execute(
        update(User).where(User.id == user_id).values(
            failed_logins=case((expired, 1), else_=User.failed_logins + 1),
            locked_until=case((expired, null()), (User.failed_logins + 1 == MAX_FAILED_LOGINS, until),
                              else_=User.locked_until),
        ).returning(User.failed_logins, User.locked_until),
        execution_options={"synchronize_session": False}).one()
    audit("login_failed", "system", target_type="user", target_id=user_id, attempt=attempt)
    if attempt == MAX_FAILED_LOGINS:
        audit("login_locked", "system", target_type="user", target_id=user_id)


@use_case
def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if `current` is right; every session ends (the caller signs this one in again)."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    user.end_sessions()
    audit("password_changed", user, target_type="user", target_id=user.id)
    return True


@use_case
def sign_out(user: User) -> None:
    """Signing out ends every session of the user, this one and any copy of its cookie."""
    user.end_sessions()


@use_case
def sign_out_everywhere(actor: User, user: User) -> None:
    user.end_sessions()
    audit("user_signed_out_everywhere", actor, target_type="user", target_id=user.id)


@use_case
def create_user(actor: User, email: str, name: str, password: str) -> User:
    user = User(email=email.strip().lower(), name=name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit("user_created", actor, target_type="user", target_id=user.id)
    return user


@use_case
def create_user_with_role(email: str, name: str, password: str, role: str, site_id: int | None,
                          company_id: int | None) -> User:
    """A user with one role from the command line (`flask user create`); the caller checked the inputs."""
    user = User(email=email.strip().lower(), name=name.strip())
    user.set_password(password)
    user.memberships.append(Membership(role=role, site_id=site_id, company_id=company_id))
    db.session.add(user)
    return user


def email_taken(email: str, except_user_id: int | None = None) -> bool:
    found = find_user(email)
    return found is not None and found.id != except_user_id


@use_case
def update_user(actor: User, user: User, name: str, active: bool, new_password: str | None) -> None:
    if new_password or (user.active and not active):
        user.end_sessions()
    user.name, user.active = name.strip(), active
    if new_password:
        user.set_password(new_password)
    audit("user_updated", actor, target_type="user", target_id=user.id,
          active=active, password_reset=bool(new_password))


@use_case
def unlock_user(actor: User, user: User) -> None:
    user.failed_logins, user.locked_until = 0, None
    audit("user_unlocked", actor, target_type="user", target_id=user.id)


@use_case
def add_membership(actor: User, user: User, role: str, site_id: int | None, company_id: int | None) -> Membership:
    """Give `user` a role on a site (or every site). Only an employer role keeps a company."""
    if role not in (Role.EMPLOYER_VIEWER.value, Role.EMPLOYER_REP.value):
        company_id = None
    membership = Membership(user=user, role=role, site_id=site_id, company_id=company_id)
    db.session.add(membership)
    user.end_sessions()  # sessions carry no roles, but a changed right starts from a fresh sign-in
    db.session.flush()
    audit("membership_added", actor, site_id=site_id, target_type="user", target_id=user.id,
          membership_id=membership.id, role=role)
    return membership


@use_case
def remove_membership(actor: User, membership: Membership) -> None:
    audit("membership_removed", actor, site_id=membership.site_id, target_type="user",
          target_id=membership.user_id, membership_id=membership.id, role=membership.role)
    membership.user.end_sessions()
    db.session.delete(membership)
