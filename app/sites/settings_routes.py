"""A site's settings and its end: create a site, edit it, mark the works finished, reopen it."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.access import may_create_sites, represented_builders, site_action
from app.clock import site_today
from app.services import sites
from app.sites import bp
from app.sites.settings_forms import CloseForm, NewSiteForm, ReopenForm, SiteForm

SITE_ERRORS = {
    "required": lambda: _("This field is required."),
    "invalid_postcode": lambda: _("Four digits."),
    "invalid_org_number": lambda: _("Not a valid Norwegian organisation number (check the digits)."),
    "end_before_start": lambda: _("The planned end is before the start."),
    "invalid_contract_id": lambda: _("An integer, such as 4255."),
    "unknown_outage_policy": lambda: _("Choose a policy."),
    "invalid_grace": lambda: _("Between 0 and 72 hours."),
    "unknown_language": lambda: _("Choose among the languages shown."),
    "times_not_recorded": lambda: _("Times can only be printed when they are recorded."),
    "hmsreg_needs_project": lambda: _("HMSREG needs the project number."),
    "invalid_hmsreg_project": lambda: _("At most 32 characters."),
    "elrapp_needs_contract_id": lambda: _("ELRAPP needs the contract id."),
    "completion_in_future": lambda: _("The works cannot be finished in the future."),
    "completion_before_start": lambda: _("The completion date is before the site's start date."),
    "cannot_reopen": lambda: _("The site cannot be reopened: its list is due for deletion."),
    "not_your_builder": lambda: _("You can only create sites for a byggherre you already represent."),
}


def _today():
    return site_today()


def _show_errors(form, refused: sites.SiteRefused) -> None:
    for error in refused.errors:
        getattr(form, error.field).errors.append(SITE_ERRORS[error.code]())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_site():
    if not may_create_sites(current_user):
        abort(403)
    form = NewSiteForm()
    if form.validate_on_submit():
        try:
            site = sites.create_site(form.settings(), current_user, _today(), represented_builders(current_user))
        except sites.SiteRefused as refused:
            _show_errors(form, refused)
        else:
            flash(_("Site created. Next: add the companies of its contract chain."), "info")
            return redirect(url_for("sites.settings", site_id=site.id))
    return render_template("sites/new.html", form=form)


@bp.route("/<int:site_id>/settings", methods=["GET", "POST"])
@site_action("manage_site")
def settings(site_id: int):
    form = SiteForm() if request.method == "POST" else SiteForm.of(sites.settings_of(g.site))
    if form.validate_on_submit():
        try:
            changed = sites.update_site(site_id, form.settings(), current_user)
        except sites.SiteRefused as refused:
            _show_errors(form, refused)
        else:
            flash(_("Settings saved.") if changed else _("Nothing changed."), "info")
            return redirect(url_for("sites.settings", site_id=site_id))
    return _settings_page(form, CloseForm(formdata=None, completion_date=_today()))


def _settings_page(form, close_form):
    today = _today()
    return render_template("sites/settings.html", site=g.site, form=form, close_form=close_form,
                           reopen_form=ReopenForm(), life=sites.lifecycle(g.site, today), today=today)


@bp.post("/<int:site_id>/close")
@site_action("manage_site")
def close(site_id: int):
    close_form = CloseForm()
    if close_form.validate_on_submit():
        try:
            sites.close_site(site_id, close_form.completion_date.data, current_user, _today())
        except sites.SiteRefused as refused:
            _show_errors(close_form, refused)
        else:
            flash(_("The works are marked finished."), "info")
            return redirect(url_for("sites.settings", site_id=site_id))
    return _settings_page(SiteForm.of(sites.settings_of(g.site)), close_form)


@bp.post("/<int:site_id>/reopen")
@site_action("manage_site")
def reopen(site_id: int):
    if ReopenForm().validate_on_submit():
        try:
            sites.reopen_site(site_id, current_user, _today())
        except sites.SiteRefused:
            flash(SITE_ERRORS["cannot_reopen"](), "error")
        else:
            flash(_("The site is reopened."), "info")
    return redirect(url_for("sites.settings", site_id=site_id))
