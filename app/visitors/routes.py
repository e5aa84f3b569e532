from datetime import timedelta
from io import BytesIO

from flask import abort, flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import site_action
from app.clock import utcnow
from app.services import lists, visitors
from app.services.visitors import NewVisitor, VisitorError
from app.visitors import bp
from app.visitors.forms import SignOutForm, VisitorForm


@bp.route("/<int:site_id>/visitors", methods=["GET", "POST"])
@site_action("manage_visitors")
def page(site_id: int):
    form = VisitorForm()
    if form.validate_on_submit():
        now = utcnow()
        visitors.add_visitor(site_id, NewVisitor(form.name.data, form.host.data, form.phone.data,
                                                 form.company.data or "", form.purpose.data or "",
                                                 visitors.expected_end_today(form.expected_end.data, now)),
                             current_user, now)
        flash(_("The visitor is registered and on the muster list."), "success")
        return redirect(url_for(".page", site_id=site_id))
    now = utcnow()
    rows = visitors.recent(site_id, now - timedelta(days=1))
    return render_template("visitors/page.html", form=form, rows=rows, overdue=set(visitors.overdue(rows, now)),
                           sign_out_form=SignOutForm())


@bp.get("/<int:site_id>/muster.pdf")
@site_action("view_muster")
def muster_pdf(site_id: int):
    """The evacuation list as the PDF `flask list muster` writes: workers by employer, then visitors."""
    made = lists.muster_pdf(site_id, utcnow(), g.company_scope)
    return send_file(BytesIO(made.content), mimetype=made.mimetype, as_attachment=True, download_name=made.filename)


@bp.post("/<int:site_id>/visitors/<int:visitor_id>/out")
@site_action("manage_visitors")
def sign_out(site_id: int, visitor_id: int):
    if not SignOutForm().validate_on_submit():
        abort(400)
    try:
        visitors.sign_out(visitor_id, current_user, utcnow(), site_id=site_id)
    except VisitorError:
        abort(404)
    flash(_("The visitor is signed out."), "success")
    return redirect(url_for(".page", site_id=site_id))
