"""Overføringer: a view parses, calls app/services/connectors.py, renders or redirects."""
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.auth.access import site_action
from app.clock import day_start, site_today, utcnow
from app.services import connectors
from app.services.contractors_report import FORMATS, contractors_download
from app.services.lists import BadPeriod
from app.transfers import bp
from app.web import period_asked, send_download

RECEIVER_NAMES = {"hmsreg": "HMSREG", "elrapp": "ELRAPP"}
ERRORS = {
    "no_connection": _l("No connection to the register."),
    "timeout": _l("The register did not answer in time."),
    "server_error": _l("The register had an error on its side."),
    "login_failed": _l("The register refused our login: check the user name, password or API key."),
    "rejected": _l("The register refused the content."),
    "malformed": _l("The register's answer could not be understood."),
    "no_project": _l("The site has no HMSREG project number."),
    "no_contract_id": _l("The site has no ELRAPP contract id."),
    "turned_off": _l("The connector was turned off before this was sent."),
    "voided": _l("The scan was voided before it was sent."),
    "gone": _l("The scan no longer exists (deleted by retention)."),
}


class ResendForm(FlaskForm):
    submit = SubmitField(_l("Send again"))


def error_text(code: str | None) -> str:
    if not code:
        return ""
    return str(ERRORS.get(code, _l("Unexpected answer from the register (%(code)s).", code=code)))


@bp.route("/<int:site_id>/transfers")
@site_action("view_connectors")
def page(site_id: int):
    since = day_start(site_today())
    return render_template("transfers/index.html", statuses=connectors.overview(g.site, since),
                           names=RECEIVER_NAMES, error_text=error_text, form=ResendForm())


@bp.post("/<int:site_id>/transfers/resend", defaults={"delivery_id": None})
@bp.post("/<int:site_id>/transfers/<int:delivery_id>/resend")
@site_action("manage_connectors")
def resend(site_id: int, delivery_id: int | None):
    if not ResendForm().validate_on_submit():
        abort(400)
    try:
        count = connectors.resend(site_id, delivery_id, current_user, utcnow())
    except connectors.NotResendable:
        abort(404)
    flash(_("%(count)d queued again; they go with the next transfer (within a minute).", count=count), "info")
    return redirect(url_for("transfers.page", site_id=site_id))


@bp.get("/<int:site_id>/contractors-report")
@site_action("check_list")
def contractors_report(site_id: int):
    """Skatteetaten's contractor and worker report, prepared for the client (never filed by Portvakt)."""
    try:
        made = contractors_download(site_id, *period_asked(FORMATS, "xlsx"))
    except BadPeriod:
        flash(_("Choose a first and a last day, at most a year apart, the first before the last."), "error")
        return redirect(url_for("lists_ui.index", site_id=site_id))
    return send_download(made)
