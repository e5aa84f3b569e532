from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.access import site_action
from app.clock import site_today
from app.crews import bp, sealing
from app.crews.forms import AddForm, ConfirmForm, ImportForm
from app.domain.crew_import import HEADER, CrewFileError
from app.services import crews
from app.services.crews import CrewRefused

VIA_LABELS = {
    "site_office": _l("by the site office"),
    "employer": _l("by the employer"),
    "import": _l("imported from a crew list"),
    "gate": _l("at the gate (card scanned)"),
}
ACTION_LABELS = {"create": _l("new"), "update": _l("changed"), "unchanged": _l("unchanged")}


@bp.get("/<int:site_id>/crew")
@site_action("manage_crew")
def index(site_id: int):
    engagements = crews.site_crew(site_id, g.company_scope)
    return render_template("crews/index.html", engagements=engagements, cards=crews.card_numbers(engagements),
                           via=VIA_LABELS)


@bp.route("/<int:site_id>/crew/add", methods=["GET", "POST"])
@site_action("manage_crew")
def add(site_id: int):
    form = AddForm(crews.chain_companies(site_id), g.company_scope, current_app.config["CARD_NUMBER_PATTERN"])
    if form.validate_on_submit():
        try:
            _engagement, action = crews.add_member(site_id, form.member(), current_user, g.company_scope)
        except CrewRefused as refused:
            field = {"employer": form.employer_id, "hired_by": form.hired_by_id}.get(refused.field, form.card_number)
            field.errors.append(refused.problem.text)
        else:
            flash(_("Nothing changed: the worker was already on the crew.") if action == "unchanged"
                  else _("The worker is on the crew."), "success")
            return redirect(url_for(".index", site_id=site_id))
    return render_template("crews/add.html", form=form)


@bp.route("/<int:site_id>/crew/import", methods=["GET", "POST"])
@site_action("manage_crew")
def import_file(site_id: int):
    form, upload, confirm = ImportForm(), None, None
    if form.validate_on_submit():
        data = form.file.data
        try:
            upload = crews.preview_upload(site_id, data.read(crews.MAX_READ), data.filename or "", site_today(),
                                          g.company_scope)
        except CrewFileError as error:
            form.file.errors.append(error.problem.text)
        else:
            if upload.plan.ok:
                confirm = ConfirmForm(rows=sealing.seal(site_id, g.company_scope, upload.table), formdata=None)
    return _import_page(form, upload, confirm)


@bp.post("/<int:site_id>/crew/import/confirm")
@site_action("manage_crew")
def confirm_import(site_id: int):
    form = ConfirmForm()
    table = sealing.unseal(form.rows.data, site_id, g.company_scope) if form.validate_on_submit() else None
    if table is None:
        flash(_("The checked file has expired or is not valid. Upload it again."), "error")
        return redirect(url_for(".import_file", site_id=site_id))
    plan = crews.import_table(site_id, table, current_user, site_today(), g.company_scope)
    if not plan.ok:
        flash(_("Nothing was imported: the file no longer passes the checks. Upload it again to see why."), "error")
        return redirect(url_for(".import_file", site_id=site_id))
    counts = plan.counts
    flash(_("Crew imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
            created=counts["create"], updated=counts["update"], unchanged=counts["unchanged"]), "success")
    return redirect(url_for(".index", site_id=site_id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    if not hasattr(g, "site"):  # refused before the guard ran: the generic error page
        return render_template("errors/error.html", status=413, message=_("The file is too large.")), 413
    form = ImportForm(formdata=None)
    form.file.errors = [_("The file is too large (at most 1 MB).")]
    return _import_page(form, None, None), 413


def _import_page(form, upload, confirm):
    return render_template("crews/import.html", form=form, upload=upload, confirm=confirm, header=HEADER,
                           actions=ACTION_LABELS)
