"""What the views of more than one feature share (a feature's routes never import another's routes).

A day in a URL, a download as a response, the audit filter, the follow-up kinds' words. The site's
today is app/clock.py's; template filters and globals stay in app/templating.py; rules go to services
and the domain.
"""
from datetime import date
from io import BytesIO

from flask import abort, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.domain.days import sane_day
from app.services import audit_search
from app.services.lists import BadPeriod, Download
from app.templating import select_choices

# A follow-up's kind as the pages say it (the follow-up pages and the worker's own record).
FOLLOWUP_KINDS = {
    "not_valid": _l("card not valid"),
    "blocked": _l("card blocked"),
    "lost": _l("card reported lost"),
    "stolen": _l("card reported stolen"),
    # Found by re-verification after a card-service outage.
    "expired": _l("card expired"),
    "confiscated": _l("card confiscated"),
    "destroyed": _l("card destroyed"),
    "unknown_card": _l("card unknown to the card register"),
}


def parse_day(text: str) -> date:
    """The day a URL names, or 404 (app/domain/days.py says which days are sane)."""
    day = sane_day(text)
    if day is None:
        abort(404)
    return day


def period_asked(formats, default: str) -> tuple[date, date, str]:
    """The first day, last day and format a period download's query string asks for; BadPeriod when a
    day is missing or not a sane date, or the format is not one of `formats` (the service checks the rest)."""
    first, last = sane_day(request.args.get("date_from")), sane_day(request.args.get("date_to"))
    fmt = request.args.get("fmt", default)
    if first is None or last is None or fmt not in formats:
        raise BadPeriod(fmt)
    return first, last, fmt


def send_download(made: Download):
    return send_file(BytesIO(made.content), mimetype=made.mimetype, as_attachment=True, download_name=made.filename)


class AuditFilterForm(FlaskForm):
    """The audit log's filter, on a site's page and on the admin's page of every site."""

    class Meta:
        csrf = False  # a GET filter: nothing changes

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    user = SelectField(_l("User"), choices=[], validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


def audit_filter_form(site_id: int | None) -> tuple[AuditFilterForm, audit_search.AuditFilter]:
    """The filter form and what it asks for; a bad value in the query string is ignored, not an error."""
    form = AuditFilterForm(request.args)
    actions = [(a, a) for a in audit_search.known_actions(site_id)]
    form.action.choices = select_choices([("", _("All actions"))] + actions)
    users = [(str(u.id), u.name) for u in audit_search.actors(site_id)]
    form.user.choices = select_choices([("", _("All users"))] + users)
    form.validate()
    user = form.user.data if (form.user.data or "").isdigit() else None
    filters = audit_search.AuditFilter(
        site_id=site_id, action=(form.action.data or "")[:50], user_id=int(user) if user else None,
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data)
    return form, filters
