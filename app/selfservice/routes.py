from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import site_action
from app.clock import utcnow
from app.selfservice import bp
from app.selfservice.forms import RevokeForm, SelfServiceLinkForm
from app.services import access_links
from app.services.access_links import SELF_SERVICE, LinkError
from app.services.person_record import person_record
from app.templating import select_choices
from app.web import FOLLOWUP_KINDS

SESSION_KEY = "self_service"


def _people_choices(site_id: int) -> list[tuple[int, str]]:
    # "–", not "": WTForms shows an empty label as the value, a stray "0".
    return [(0, "–")] + [(p.id, f"{p.last_name}, {p.first_name}") for p in access_links.site_people(site_id)]


@bp.route("/sites/<int:site_id>/self-service", methods=["GET", "POST"])
@site_action("create_self_service_link")
def new_link(site_id: int):
    form = SelfServiceLinkForm()
    people = _people_choices(site_id)
    form.person_id.choices = select_choices(people)
    if not form.is_submitted():  # the person page links here with ?person_id=N
        form.person_id.data = request.args.get("person_id", 0, type=int)
    new_url = None
    if form.validate_on_submit():
        try:
            made = access_links.create_self_service_link(site_id, form.person_id.data, current_user, utcnow())
        except LinkError:
            form.person_id.errors.append(_("This person does not work on this site."))
        else:
            new_url = url_for("selfservice.redeem", token=made.token, _external=True)
    return render_template("selfservice/links.html", form=form, new_url=new_url, names=dict(people),
                           links=access_links.site_links(site_id, SELF_SERVICE), now=utcnow(),
                           state=access_links.link_state, revoke_form=RevokeForm())


@bp.post("/sites/<int:site_id>/self-service/<int:link_id>/revoke")
@site_action("create_self_service_link")
def revoke(site_id: int, link_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        access_links.revoke_link(site_id, link_id, current_user, utcnow(), SELF_SERVICE)
    except LinkError:
        abort(404)
    flash(_("The link is revoked and no longer opens."), "success")
    return redirect(url_for(".new_link", site_id=site_id))


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"  # a person's data must not linger in a cache
    return response


@bp.get("/me/<token>")
def redeem(token: str):
    now = utcnow()
    try:
        link = access_links.redeem_self_service_link(token, now)
    except LinkError as refused:
        gone = refused.code in ("used", "expired", "revoked")
        abort(410 if gone else 404, description=_(
            "This link has been used or has expired. Ask the site office for a new one.") if gone else _(
            "This link does not exist. Check that it was copied whole."))
    session[SESSION_KEY] = access_links.self_service_grant(link, now)
    # Off the token URL at once: it is not kept in the browser's address bar or history as a live link.
    return redirect(url_for(".mine"))


def _granted_link():
    """The link this browser used and until when, as long as its 30 minutes last and nobody revoked it."""
    try:
        return access_links.granted_self_service_link(session.get(SESSION_KEY), utcnow())
    except LinkError as refused:
        session.pop(SESSION_KEY, None)
        if refused.code == "no_grant":
            abort(403, description=_("Open the link you were given to see your data. Each link works once."))
        abort(410, description=_("This link has been revoked. Ask the site office for a new one."))


@bp.get("/me")
def mine():
    link, until = _granted_link()
    # Only the records of the site that made the link: its maker sees the URL (issue 16).
    return render_template("selfservice/mine.html", record=person_record(link.person_id, link.site_id),
                           until=until, kinds=FOLLOWUP_KINDS)


@bp.get("/me/data.json")
def download():
    link, _until = _granted_link()
    return Response(access_links.self_service_download(link, utcnow()), mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=portvakt-mine-data.json"})
