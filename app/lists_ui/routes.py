from datetime import timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import site_action
from app.clock import local_day, site_today, site_zone, utcnow
from app.domain.days import can_check_day, sane_day
from app.domain.manual import ManualTimeError, day_open_for_manual, manual_moment
from app.lists_ui import bp
from app.lists_ui.forms import CheckForm, ManualRegistrationForm, RemoveRegistrationForm
from app.services import companies, daily_control, day_list, list_versions, lists, scans
from app.services.lists import DAILY_FORMATS, PERIOD_FORMATS
from app.templating import card_service_unreachable, gate_message
from app.web import parse_day, period_asked, send_download


@bp.get("/<int:site_id>/lists")
@site_action("view_list")
def index(site_id: int):
    today = site_today()
    if "day" in request.args:  # the date picker
        picked = sane_day(request.args["day"])
        if picked is not None:
            return redirect(url_for(".day", site_id=site_id, day=picked.isoformat()))
        flash(_("Choose a date (YYYY-MM-DD)."), "error")
    return render_template("lists_ui/index.html", today=today, period_formats=PERIOD_FORMATS,
                           week_ago=today - timedelta(days=6),
                           days=daily_control.day_statuses(site_id, today, company_id=g.company_scope,
                                                           compare_lists=g.company_scope is None))


@bp.get("/<int:site_id>/lists/period")
@site_action("view_list")
def period(site_id: int):
    try:
        first, last, fmt = period_asked(PERIOD_FORMATS, "pdf")
        made = PERIOD_FORMATS[fmt].make(site_id, first, last, utcnow(), g.company_scope)
    except lists.BadPeriod:
        flash(_("Choose a first and a last day, at most a year apart, the first before the last."), "error")
        return redirect(url_for(".index", site_id=site_id))
    return send_download(made)


@bp.get("/<int:site_id>/lists/<day>")
@site_action("view_list")
def day(site_id: int, day: str):
    local = parse_day(day)
    # An archived version holds every employer, so an employer's viewer sees only the live rows.
    scoped = g.company_scope is not None
    rows = day_list.control_rows(site_id, local, g.company_scope)
    versions = [] if scoped else list_versions.versions_of_day(site_id, local)
    today = site_today()
    return render_template("lists_ui/day.html", day=local, today=today, checkable=can_check_day(local, today),
                           registrable=day_open_for_manual(local, today),
                           control=None if scoped else daily_control.control_of(site_id, local, versions),
                           versions=versions, rows=rows,
                           outside_chain=[] if scoped else companies.outside_chain(site_id, rows),
                           check_form=CheckForm(), formats=DAILY_FORMATS,
                           previous_day=local - timedelta(days=1), next_day=local + timedelta(days=1))


@bp.get("/<int:site_id>/lists/<day>/download/<fmt>")
@site_action("view_list")
def download(site_id: int, day: str, fmt: str):
    if fmt not in DAILY_FORMATS:
        abort(404)
    try:
        made = DAILY_FORMATS[fmt].make(site_id, parse_day(day), utcnow(), g.company_scope)
    except lists.ExportRefused:  # ELRAPP without the site's contract id
        flash(_("The ELRAPP export needs the site's ELRAPP contract id (a whole number): set it in the site's settings."),
              "error")
        return redirect(url_for(".day", site_id=site_id, day=day))
    return send_download(made)


@bp.post("/<int:site_id>/lists/<day>/check")
@site_action("check_list")
def check(site_id: int, day: str):
    local = parse_day(day)
    if not CheckForm().validate_on_submit():
        abort(400)
    try:
        version = lists.check_day(site_id, local, current_user, utcnow())
    except lists.DayNotBegun:
        flash(_("A day that has not begun cannot be checked."), "error")
        return redirect(url_for(".day", site_id=site_id, day=local.isoformat()))
    flash(_("The list is checked. Version %(version)d is archived.", version=version.version), "success")
    return redirect(url_for(".day", site_id=site_id, day=local.isoformat()))


@bp.get("/<int:site_id>/lists/<day>/v<int:version>.pdf")
@site_action("view_archived_list")
def archived_pdf(site_id: int, day: str, version: int):
    archived = lists.archived_pdf(site_id, parse_day(day), version)
    if archived is None:
        abort(404)
    return send_download(archived)


MANUAL_TIME_ERRORS = {
    ("day", "future"): _l("The day is in the future: choose today or an earlier day."),
    ("day", "too_old"): _l("Choose a day at most 7 days back."),
    ("time", "future"): _l("The time is in the future: a registration records what has happened."),
    ("time", "too_old"): _l("Choose a time at most 7 days back."),
    ("time", "required"): _l("Give the time for a day before today."),
}


@bp.route("/<int:site_id>/lists/manual", methods=["GET", "POST"])
@site_action("register_manual")
def manual(site_id: int):
    form = ManualRegistrationForm()
    if request.method == "GET":
        chosen = sane_day(request.args.get("day"))
        form.day.data = chosen if chosen is not None and chosen <= site_today() else site_today()
    if form.validate_on_submit():
        now = utcnow()
        try:
            at = manual_moment(form.day.data, form.time.data, now, site_zone())
        except ManualTimeError as wrong:
            form[wrong.field].errors.append(MANUAL_TIME_ERRORS[wrong.field, wrong.code])
        else:
            result = scans.register_manual(g.site, form.card_number.data.strip(), current_user, form.reason.data,
                                           now, direction=form.direction.data, at=at,
                                           override_outage=form.override_outage.data)
            text = gate_message(result.message) or result.reason
            if result.decision == "accepted":
                flash(_("Registered: %(message)s", message=text), "success")
                day = local_day(at)
                return redirect(url_for(".day", site_id=site_id, day=day.isoformat()))
            form.card_number.errors.append(_("Not registered: %(message)s", message=text))
            if form.override_outage.data and result.reason == "card_service_unavailable":
                form.override_outage.errors.append(_(
                    "Portvakt has never had an answer about this card, so it has no name for the list. "
                    "Register the worker when the card service answers again, or as a worker with an HMS card on order."))
    if not _offer_override(form):
        del form.override_outage
    return render_template("lists_ui/manual.html", form=form)


def _offer_override(form: ManualRegistrationForm) -> bool:
    """The outage override is offered on a strict site while this server finds the card service down
    (or when it was just used)."""
    return g.site.outage_policy != "lenient" and (form.override_outage.data or card_service_unreachable())


@bp.route("/<int:site_id>/lists/rows/<int:row_id>/remove", methods=["GET", "POST"])
@site_action("correct_registration")
def remove(site_id: int, row_id: int):
    row = daily_control.find_row(site_id, row_id)
    if row is None:
        abort(404)
    form = RemoveRegistrationForm()
    if row.removed_at is None and form.validate_on_submit():
        scans.remove_registration(row.id, current_user, form.reason.data.strip(), utcnow())
        flash(_("The registration is removed from the list. It is kept, marked as removed."), "success")
        return redirect(url_for(".day", site_id=site_id, day=row.local_date.isoformat()))
    return render_template("lists_ui/remove.html", row=row, form=form)
