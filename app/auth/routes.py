from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp
from app.auth.forms import LoginForm, PasswordChangeForm
from app.extensions import db, login_manager
from app.i18n import LANG_COOKIE, LANGUAGES
from app.models import User
from app.models._types import utcnow
from app.services import accounts


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _sep, stamp = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.get_id() != session_id:  # the password changed since: sign in again
        return None
    return user


@bp.before_app_request
def forget_request_caches():
    """Start every request clean: g outlives a request when an app context is already pushed (as
    in the tests), and a stale user, site or language there would be a stale permission or page."""
    for name in ("_login_user", "_flask_babel", "site", "company_scope"):
        g.pop(name, None)


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: never an open redirect to someone else's."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data, utcnow())
        if result.user:
            login_user(result.user)
            return redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))
        if result.error == "locked":
            flash(_("Too many failed attempts. The account is locked for 15 minutes."), "error")
        else:
            flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if accounts.change_password(current_user, form.current.data, form.new.data):
            login_user(current_user._get_current_object())  # the session id follows the new password
            flash(_("Your password is changed."), "info")
            return redirect(url_for("dashboard.index"))
        form.current.errors.append(_("The current password is wrong."))
    return render_template("auth/password.html", form=form)


@bp.get("/language/<code>")
def language(code: str):
    response = redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
