from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import ConfirmForm, EditUserForm, MembershipForm, NewUserForm
from app.auth.access import admin_required
from app.clock import site_zone
from app.extensions import db
from app.models import Company, Membership, Site, User
from app.services import accounts, audit_search
from app.templating import select_choices
from app.web import audit_filter_form


@bp.get("/users")
@admin_required
def users():
    everyone = db.session.scalars(db.select(User).order_by(User.name, User.id)).all()
    return render_template("admin/users.html", users=everyone)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        if accounts.email_taken(form.email.data):
            form.email.errors.append(_("A user with this email already exists."))
        else:
            user = accounts.create_user(current_user, form.email.data, form.name.data, form.password.data)
            flash(_("User created. Now give them a role."), "info")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/new_user.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    if request.method == "GET":
        form.active.data = user.active
    if form.validate_on_submit():
        if user.id == current_user.id and not form.active.data:
            form.active.errors.append(_("You cannot deactivate yourself."))
        else:
            accounts.update_user(current_user, user, form.name.data, form.active.data, form.new_password.data)
            flash(_("Saved."), "info")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return _user_page(user, form, _membership_form())


def _membership_form(formdata=None) -> MembershipForm:
    form = MembershipForm() if formdata is None else MembershipForm(formdata=formdata)
    form.site_id.choices = select_choices([("", _("Every site"))] + [
        (str(s.id), s.name) for s in db.session.scalars(db.select(Site).order_by(Site.name))])
    form.company_id.choices = select_choices([("", "–")] + [
        (str(c.id), f"{c.name} ({c.identifier})") for c in db.session.scalars(db.select(Company).order_by(Company.name))])
    return form


def _user_page(user: User, form, membership_form):
    return render_template("admin/edit_user.html", user=user, form=form, membership_form=membership_form,
                           confirm=ConfirmForm())


@bp.post("/users/<int:user_id>/memberships")
@admin_required
def add_membership(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _membership_form(request.form)
    if form.validate_on_submit():
        accounts.add_membership(current_user, user, form.role.data,
                                int(form.site_id.data) if form.site_id.data else None,
                                int(form.company_id.data) if form.company_id.data else None)
        flash(_("Role added."), "info")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return _user_page(user, EditUserForm(obj=user), form)


@bp.post("/users/<int:user_id>/memberships/<int:membership_id>/delete")
@admin_required
def remove_membership(user_id: int, membership_id: int):
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != user_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        if _last_global_admin(membership):
            flash(_("This is the last administrator of every site; add another first."), "error")
        else:
            accounts.remove_membership(current_user, membership)
            flash(_("Role removed."), "info")
    return redirect(url_for("admin.edit_user", user_id=user_id))


def _last_global_admin(membership: Membership) -> bool:
    if membership.role != "admin" or membership.site_id is not None:
        return False
    others = db.session.scalar(db.select(db.func.count(Membership.id)).where(
        Membership.role == "admin", Membership.site_id.is_(None), Membership.id != membership.id))
    return others == 0


@bp.post("/users/<int:user_id>/unlock")
@admin_required
def unlock_user(user_id: int):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        accounts.unlock_user(current_user, user)
        flash(_("The account is unlocked."), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/sign-out")
@admin_required
def sign_out_everywhere(user_id: int):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        accounts.sign_out_everywhere(current_user, user)
        flash(_("Every session of this user is ended."), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.get("/audit")
@admin_required
def audit():
    form, filters = audit_filter_form(None)
    page = audit_search.search(filters, request.args.get("page", 1, type=int), site_zone())
    return render_template("admin/audit.html", form=form, page=page, show_site=True)
