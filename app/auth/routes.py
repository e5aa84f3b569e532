from urllib.parse import urlsplit

from flask import flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import ratelimit, sessions
from app.auth import bp, devices
from app.auth.forms import LoginForm, PasswordChangeForm
from app.clock import utcnow
from app.extensions import db, limiter, login_manager
from app.i18n import LANG_COOKIE, LANGUAGES
from app.models import User
from app.services import accounts


@login_manager.user_loader
def load_user(session_id: str):
    user_id = session_id.partition(":")[0]
    if not user_id.isdigit() or not sessions.still_fresh(session, utcnow()):
        return None
    user = db.session.get(User, int(user_id))
    # Another session generation or password since this session began: it has ended, sign in again.
    if user is None or user.get_id() != session_id:
        return None
    return user


@bp.before_app_request
def forget_request_caches():
    """Start every request clean: g outlives a request when an app context is already pushed (as
    in the tests), and a stale user, site or language there would be a stale permission or page."""
    for name in ("_login_user", "_flask_babel", "site", "company_scope"):
        g.pop(name, None)


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: never an open redirect to someone else's, nor a header split (CR/LF)."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ratelimit.LOGIN_PER_ADDRESS, key_func=ratelimit.client_address, methods=["POST"],
               error_message=ratelimit.too_many_sign_ins)
@limiter.limit(ratelimit.LOGIN_PER_ACCOUNT, key_func=ratelimit.account_typed, methods=["POST"],
               error_message=ratelimit.too_many_sign_ins)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        known_device_of = devices.known_device_of(request)
        result = accounts.authenticate(form.email.data, form.password.data, utcnow(), known_device_of)
        if result.user:
            login_user(result.user)
            sessions.start(session, utcnow())
            response = redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))
            devices.remember(response, result.user.id)
            return response
        flash(_("Wrong email or password. After 5 failed attempts in a row, sign-in is locked for 15 minutes."),
              "error")
        response = make_response(render_template("auth/login.html", form=form))
        if known_device_of is not None:
            devices.forget(response)  # a wrong guess on a known browser: it is known no more
        return response
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        accounts.sign_out(current_user._get_current_object())  # also a copy of this cookie stops working
    logout_user()
    sessions.forget(session)
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
