"""Users of the web app and their roles per site."""
import hashlib

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import utcnow
from app.domain.enums import Role
from app.extensions import db
from app.models._types import UTCDateTime, one_of


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(UTCDateTime)
    # Part of every session's id: raising it ends every session of the user on every server at once
    # (sign-out, password change, deactivation, role changes, an admin's "sign out everywhere").
    session_generation = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    memberships = db.relationship("Membership", back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # werkzeug's scrypt

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return bool(self.active)

    def get_id(self) -> str:
        """The session id names the session generation and the password, so raising the one or
        changing the other ends every session made before."""
        stamp = hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{self.session_generation or 0}:{stamp}"

    def end_sessions(self) -> None:
        """Every session of this user stops working at its next request (the caller commits)."""
        self.session_generation = User.session_generation + 1


class Membership(db.Model):
    """A user's role on one site, or on every site when site_id is null."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("user.id"), nullable=False, index=True)
    site_id = db.Column(db.ForeignKey("site.id"))
    role = db.Column(db.String(20), nullable=False)
    company_id = db.Column(db.ForeignKey("company.id"))  # required for employer_viewer

    __table_args__ = (one_of("role", Role),)

    user = db.relationship("User", back_populates="memberships")
    site = db.relationship("Site")
    company = db.relationship("Company")


class RateLimitCounter(db.Model):
    """One fixed-window counter of the rate limiter (app/ratelimit.py), shared by every worker and
    app server through the database."""

    key = db.Column(db.String(255), primary_key=True)
    count = db.Column(db.Integer, nullable=False)
    expires_at = db.Column(db.Float, nullable=False)  # seconds since the epoch
