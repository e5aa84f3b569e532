from datetime import date, timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.auth.access import can, site_action
from app.clock import site_today, site_zone, utcnow
from app.domain.days import clamp_day, site_days
from app.extensions import db
from app.kiosk_words import kiosk_words
from app.models import Kiosk
from app.services import audit_search, companies, kiosks, people, presence
from app.services.dashboard import site_numbers
from app.sites import bp
from app.sites.kiosk_health import health_lines
from app.sites.forms import (AddToChainForm, ChainEntryForm, CompanyForm, ConfirmForm, DayForm,
                              KioskForm)
from app.templating import select_choices
from app.web import audit_filter_form

COMPANY_ERRORS = {
    "invalid_org_number": lambda: _("Not a valid Norwegian organisation number (check the digits)."),
    "identifier_required": lambda: _("Give an organisation number, or a foreign id and country."),
    "norwegian_needs_org_number": lambda: _("A Norwegian company is given by its organisation number."),
    "invalid_country": lambda: _("Not a country code (ISO 3166, such as PL, LT or SE)."),
    "name_required": lambda: _("Give the company's name."),
    "already_on_site": lambda: _("This company is already on the site."),
    "unknown_role": lambda: _("Choose a role."),
    "unknown_parent": lambda: _("Choose a company on this site, not this one or one below it."),
    "ends_before_start": lambda: _("The last day cannot be before the first."),
    "unknown_company": lambda: _("That company is not known."),
    "unknown_entry": lambda: _("That company is not on this site's chain."),
}


def _today() -> date:
    return site_today()


def _site_days() -> tuple[date, date]:
    """The days this site's day pages can show: from its start to today (app/domain/days.py)."""
    return site_days(g.site.start_date, site_today(g.site.created_at), _today())


def _chosen_day() -> date:
    """?day=YYYY-MM-DD, else today; a malformed day is today, one outside the site's days the nearest of them."""
    form = DayForm(request.args)
    day = form.day.data if form.validate() and form.day.data else _today()
    return clamp_day(day, *_site_days())


@bp.get("/<int:site_id>")
@site_action("view_site")
def show(site_id: int):
    today = _today()
    rows = presence.present_now(site_id, today, g.company_scope)
    return render_template("sites/show.html", site=g.site, today=today,
                           groups=presence.group_by_employer(rows), present_count=len(rows),
                           numbers=site_numbers(site_id, today, utcnow(), g.company_scope))


@bp.get("/<int:site_id>/present")
@site_action("view_presence")
def present(site_id: int):
    """The "on site now" block alone, for the page's live refresh."""
    rows = presence.present_now(site_id, _today(), g.company_scope)
    return render_template("sites/_present.html", groups=presence.group_by_employer(rows),
                           present_count=len(rows), refreshed_at=utcnow())


@bp.get("/<int:site_id>/muster")
@site_action("view_muster")
def muster(site_id: int):
    today = _today()
    return render_template("sites/muster.html", site=g.site, today=today, printed_at=utcnow(),
                           muster=presence.muster(site_id, today, g.company_scope))


@bp.get("/<int:site_id>/rejected")
@site_action("view_rejected")
def rejected(site_id: int):
    day = _chosen_day()
    return render_template("sites/rejected.html", site=g.site, day=day, form=DayForm(request.args),
                           scans=presence.rejected_scans(site_id, day), kiosk_words=kiosk_words, **_day_links(day))


@bp.get("/<int:site_id>/unverified")
@site_action("view_rejected")
def unverified(site_id: int):
    day = _chosen_day()
    return render_template("sites/unverified.html", site=g.site, day=day, form=DayForm(request.args),
                           scans=presence.unverified_scans(site_id, day),
                           flagged=presence.flagged_rows(site_id, day), **_day_links(day))


def _day_links(day: date) -> dict:
    first, last = _site_days()
    return {"previous_day": day - timedelta(days=1) if day > first else None,
            "next_day": day + timedelta(days=1) if day < last else None, "first_day": first, "last_day": last}


@bp.route("/<int:site_id>/companies", methods=["GET", "POST"])
@site_action("view_companies")
def companies_page(site_id: int):
    chain = companies.chain(site_id)
    form = _company_form(chain) if _may("manage_companies") else None
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit() and _add_company(site_id, form):
            flash(_("Company added to the contract chain."), "info")
            return redirect(url_for("sites.companies_page", site_id=site_id))
        chain = companies.chain(site_id)  # a refused add rolled the session back
    return _companies_page(chain, form)


@bp.post("/<int:site_id>/companies/<int:link_id>")
@site_action("manage_companies")
def edit_company(site_id: int, link_id: int):
    if companies.entry_of(site_id, link_id) is None:
        abort(404)
    chain = companies.chain(site_id)
    form = _entry_form(site_id, chain, link_id, formdata=request.form)
    if form.validate_on_submit() and _refused_into(form, lambda: companies.update_in_chain(
            site_id, link_id, companies.ChainChange(form.role.data, form.parent(), form.active_from.data,
                                                    form.active_to.data), current_user)) is None:
        flash(_("The contract chain is saved."), "info")
        return redirect(url_for("sites.companies_page", site_id=site_id, _anchor=f"entry-{link_id}"))
    chain = companies.chain(site_id)
    return _companies_page(chain, _company_form(chain), {link_id: form})


@bp.post("/<int:site_id>/companies/add-from-day")
@site_action("manage_companies")
def add_to_chain(site_id: int):
    """The day page's one click: an employer seen at the gate but not on the chain joins it."""
    form = AddToChainForm()
    day = form.day.data if form.day.data and not form.day.errors else None
    if not form.validate_on_submit():
        flash(_("Nothing was added: the form was not complete."), "error")
    else:
        problem = _refused(lambda: companies.add_employer_from_day(site_id, int(form.company_id.data), current_user))
        if problem is None:
            flash(_("Company added to the contract chain as a subcontractor. Change its place on the "
                    "contract chain page if needed."), "info")
        else:
            flash(problem, "error")
    if day is None:
        return redirect(url_for("sites.companies_page", site_id=site_id))
    return redirect(url_for("lists_ui.day", site_id=site_id, day=day))


def _companies_page(chain, form, bound_entry_forms: dict | None = None):
    entry_forms = {entry.link.id: (bound_entry_forms or {}).get(entry.link.id) or
                   _entry_form(g.site.id, chain, entry.link.id, obj=entry.link)
                   for entry in chain} if form is not None else {}
    return render_template("sites/companies.html", site=g.site, chain=chain, form=form, entry_forms=entry_forms)


def _company_form(chain) -> CompanyForm:
    form = CompanyForm()
    form.parent_id.choices = _parent_choices(chain, None)
    return form


def _entry_form(site_id: int, chain, link_id: int, formdata=None, obj=None) -> ChainEntryForm:
    """An entry's edit form; its fields are prefixed with the entry's id (many forms on one page)."""
    data = None if obj is None else {"role": obj.role, "parent_id": str(obj.parent_id or ""),
                                     "active_from": obj.active_from, "active_to": obj.active_to}
    form = ChainEntryForm(formdata=formdata, data=data, prefix=f"entry-{link_id}")
    form.parent_id.choices = _parent_choices(chain, companies.allowed_parents(site_id, link_id))
    return form


def _parent_choices(chain, allowed: set[int] | None):
    """The chain as a parent picker: every entry (adding), or those `allowed` (editing)."""
    return select_choices([("", _("– none (top of the chain) –"))] + [
        (str(entry.link.id), f"{'· ' * entry.depth}{entry.link.company.name}") for entry in chain
        if allowed is None or entry.link.id in allowed])


def _add_company(site_id: int, form: CompanyForm) -> bool:
    new = companies.NewCompany(
        name=form.name.data, org_number=form.org_number.data or None, foreign_id=form.foreign_id.data or None,
        country=form.country.data or "NO", role=form.role.data, parent_id=form.parent(),
        active_from=form.active_from.data, active_to=form.active_to.data)
    return _refused_into(form, lambda: companies.add_to_site(site_id, new, current_user)) is None


def _refused(change) -> str | None:
    """Run a chain change; None when it is done, else the message saying why not (nothing is kept)."""
    refused = _attempt(change)
    return None if refused is None else COMPANY_ERRORS[refused.code]()


def _refused_into(form, change) -> str | None:
    """As _refused, with the message next to the form field it is about."""
    refused = _attempt(change)
    if refused is None:
        return None
    field = getattr(form, refused.field, None) or form.role
    field.errors = [*field.errors, COMPANY_ERRORS[refused.code]()]
    return refused.code


def _attempt(change) -> companies.CompanyRefused | None:
    try:
        change()
    except companies.CompanyRefused as refused:
        return refused
    return None


def _may(action: str) -> bool:
    return can(action, g.site.id)


@bp.route("/<int:site_id>/kiosks", methods=["GET", "POST"])
@site_action("manage_kiosks")
def kiosks_page(site_id: int):
    form = KioskForm()
    if form.validate_on_submit():
        made = kiosks.create_kiosk(g.site, form.name.data, form.mode.data, current_user, utcnow(),
                                   enroll=form.enroll.data)
        # The secret goes in this response only, never in a flash (the session is a signed cookie).
        return _kiosks_page(KioskForm(formdata=None), token=made.token, code=made.enrollment_code)
    return _kiosks_page(form)


def _kiosks_page(form, token=None, code=None):
    code_qr = Markup(kiosks.enrollment_qr(code).svg_inline(scale=5, border=2)) if code else None
    return render_template("sites/kiosks.html", site=g.site, form=form, new_token=token, new_code=code,
                           new_code_qr=code_qr,
                           kiosks=_site_kiosks(g.site.id), now=utcnow(), confirm=ConfirmForm(),
                           is_down=kiosks.kiosk_is_down, health_lines=health_lines)


@bp.post("/<int:site_id>/kiosks/<int:kiosk_id>/code")
@site_action("manage_kiosks")
def kiosk_code(site_id: int, kiosk_id: int):
    """A new enrollment code for an existing kiosk (new hardware at the same gate)."""
    kiosk = _kiosk_of_site(site_id, kiosk_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("sites.kiosks_page", site_id=site_id))
    try:
        code = kiosks.issue_enrollment_code(kiosk, current_user, utcnow())
    except kiosks.EnrollmentRefused:
        flash(_("A revoked kiosk gets no new code."), "error")
        return redirect(url_for("sites.kiosks_page", site_id=site_id))
    return _kiosks_page(KioskForm(formdata=None), code=code)


def _kiosk_of_site(site_id: int, kiosk_id: int) -> Kiosk:
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.site_id != site_id:
        abort(404)
    return kiosk


def _site_kiosks(site_id: int) -> list[Kiosk]:
    return list(db.session.scalars(db.select(Kiosk).where(Kiosk.site_id == site_id)
                                   .order_by(Kiosk.revoked_at.is_not(None), Kiosk.name)))


@bp.post("/<int:site_id>/kiosks/<int:kiosk_id>/revoke")
@site_action("manage_kiosks")
def revoke_kiosk(site_id: int, kiosk_id: int):
    kiosk = _kiosk_of_site(site_id, kiosk_id)
    if ConfirmForm().validate_on_submit():
        kiosks.revoke_kiosk(kiosk, current_user, utcnow())
        flash(_("The kiosk is revoked: its token no longer works."), "info")
    return redirect(url_for("sites.kiosks_page", site_id=site_id))


@bp.get("/<int:site_id>/people")
@site_action("view_people")
def people_page(site_id: int):
    search = request.args.get("q", "")[:100]
    return render_template("sites/people.html", site=g.site, search=search, today=_today(),
                           people=people.people_on_site(site_id, _today(), g.company_scope, search))


@bp.get("/<int:site_id>/people/<int:person_id>")
@site_action("view_people")
def person(site_id: int, person_id: int):
    found = people.person_on_site(site_id, person_id, g.company_scope)
    if found is None:
        abort(404)
    return render_template("sites/person.html", site=g.site, person=found,
                           cards=people.cards_of([person_id])[person_id],
                           engagements=people.engagements_of(site_id, person_id, g.company_scope),
                           days=people.days_on_site(site_id, person_id, _today(), company_id=g.company_scope))


@bp.get("/<int:site_id>/audit")
@site_action("view_audit")
def audit(site_id: int):
    form, filters = audit_filter_form(site_id)
    page = audit_search.search(filters, request.args.get("page", 1, type=int), site_zone())
    return render_template("sites/audit.html", site=g.site, form=form, page=page)
