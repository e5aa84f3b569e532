from datetime import timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import site_action
from app.clock import site_today, site_zone, utcnow
from app.extensions import db
from app.models import Company, Site
from app.services import access_links, companies, daily_control, day_list, list_versions, lists
from app.services.access_links import LinkError
from app.services.lists import DAILY_FORMATS, PERIOD_FORMATS
from app.share import bp
from app.share.forms import RevokeForm, ShareLinkForm
from app.templating import select_choices
from app.web import parse_day, send_download

ERRORS = {
    "date_out_of_range": ("date_from", _l("Check the dates: they are far from today.")),
    "date_range_reversed": ("date_to", _l("The last day comes before the first.")),
    "date_range_too_long": ("date_to", _l("At most one year of lists per link.")),
    "expiry_in_past": ("valid_days", _l("Choose how long the link works.")),
    "expiry_too_far": ("valid_days", _l("A link works for at most 90 days.")),
    "company_not_on_site": ("company_id", _l("This company is not on the site.")),
}
GONE = {
    "expired": _l("This link has expired."),
    "revoked": _l("This link has been revoked."),
}


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"  # lists of people must not linger in a cache
    return response


def _company_choices(site_id: int) -> list[tuple[int, str]]:
    return [(0, _("Everyone on the list"))] + [
        (c.id, f"{c.name} ({c.identifier})") for c in companies.chain_companies(site_id)]


@bp.route("/sites/<int:site_id>/share-links", methods=["GET", "POST"])
@site_action("create_share_link")
def index(site_id: int):
    today = site_today()
    form = ShareLinkForm()
    choices = _company_choices(site_id)
    form.company_id.choices = select_choices(choices)
    if not form.is_submitted():
        form.date_from.data, form.date_to.data = today - timedelta(days=6), today
    new_url = None
    if form.validate_on_submit():
        try:
            made = access_links.create_share_link(
                site_id, current_user, form.date_from.data, form.date_to.data,
                expires_at=access_links.share_link_expiry(today, form.valid_days.data, site_zone()), now=utcnow(),
                recipient=form.recipient.data, company_id=form.company_id.data or None)
        except LinkError as refused:
            field, message = ERRORS[refused.code]
            getattr(form, field).errors.append(message)
        else:
            new_url = url_for("share.view", token=made.token, _external=True)
    return render_template("share/links.html", form=form, new_url=new_url, revoke_form=RevokeForm(),
                           links=access_links.site_links(site_id), now=utcnow(), state=access_links.link_state,
                           companies=dict(choices))


@bp.post("/sites/<int:site_id>/share-links/<int:link_id>/revoke")
@site_action("create_share_link")
def revoke(site_id: int, link_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        access_links.revoke_link(site_id, link_id, current_user, utcnow())
    except LinkError:
        abort(404)
    flash(_("The link is revoked and no longer opens."), "success")
    return redirect(url_for(".index", site_id=site_id))


def _open(token: str, what: str = "open", day=None, whole_list: bool = False, **details):
    """The share link behind the token (audit-logged), or the page saying why it does not open;
    with `day`, 404 unless the link shows that day (and, for `whole_list`, every employer)."""
    try:
        link = access_links.open_share_link(token, utcnow(), what, **details)
    except LinkError as refused:
        status = 410 if refused.code in GONE else 404
        message = GONE.get(refused.code, _l("This link does not exist. Check that it was copied whole."))
        abort(status, description=str(message))
    if day is not None:
        try:
            access_links.shared_day(link, day, whole_list)
        except LinkError:
            abort(404)
    return link


@bp.get("/share/<token>")
def view(token: str):
    link = _open(token)
    site = db.session.get(Site, link.site_id)
    days = access_links.share_link_dates(link, site_today())
    counts = day_list.people_per_day(link.site_id, link.date_from, link.date_to, link.company_id)
    return render_template("share/view.html", link=link, site=site, token=token, days=days, counts=counts,
                           period_formats=PERIOD_FORMATS,
                           company=db.session.get(Company, link.company_id) if link.company_id else None)


@bp.get("/share/<token>/<day>")
def day(token: str, day: str):
    local = parse_day(day)
    link = _open(token, "view_day", local)
    rows = day_list.list_rows(link.site_id, local, link.company_id)
    versions = list_versions.versions_of_day(link.site_id, local) if link.company_id is None else []
    site = db.session.get(Site, link.site_id)
    # The reader of a shared list sees what the printed list shows: in/out times only if the site prints them.
    return render_template("share/day.html", link=link, site=site, token=token, day=local, rows=rows,
                           versions=versions, control=daily_control.control_of(link.site_id, local, versions),
                           formats=DAILY_FORMATS, show_times=lists.prints_times(site))


@bp.get("/share/<token>/<day>/v<int:version>.pdf")
def archived_pdf(token: str, day: str, version: int):
    local = parse_day(day)
    link = _open(token, "download", local, whole_list=True, version=version)
    archived = lists.archived_pdf(link.site_id, local, version)
    if archived is None:
        abort(404)
    return send_download(archived)


@bp.get("/share/<token>/<day>/download/<fmt>")
def download(token: str, day: str, fmt: str):
    local = parse_day(day)
    if fmt not in DAILY_FORMATS:
        abort(404)
    link = _open(token, "download", local, format=fmt)
    try:
        made = DAILY_FORMATS[fmt].make(link.site_id, local, utcnow(), link.company_id)
    except lists.ExportRefused:  # ELRAPP without the site's contract id: nothing the reader can fix
        abort(404)
    return send_download(made)


@bp.get("/share/<token>/period/<fmt>")
def period(token: str, fmt: str):
    if fmt not in PERIOD_FORMATS:
        abort(404)
    link = _open(token, "download", format=f"period_{fmt}")
    try:
        first, last = access_links.share_link_period(link, site_today())
    except LinkError:
        abort(404)
    made = PERIOD_FORMATS[fmt].make(link.site_id, first, last, utcnow(), link.company_id)
    return send_download(made)
