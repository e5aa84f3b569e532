from io import BytesIO

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import site_action
from app.card_orders import bp
from app.card_orders.forms import NOT_HIRED_IN, CardOrderForm, RegisterCardOrderedForm
from app.clock import local_moment, site_today, utcnow
from app.domain import card_orders as rules
from app.domain.attendance import ClockError
from app.services import card_orders, scans

# The form posts the receipt (≤ 5 MB) with the other fields; the app's usual 1 MB request limit would
# refuse it before the view (the CSRF check reads the form first), so this one endpoint is allowed more.
UPLOAD_LIMIT = rules.MAX_RECEIPT_BYTES + 512 * 1024

REFUSALS = {
    "reference_or_receipt": lambda: _("Give the order reference or upload the order receipt."),
    "in_past": lambda: _("The date cannot be in the past."),
    "too_far": lambda: _("At most 30 days from today."),
    "name": lambda: _("Give the name as on the order (at most 100 characters)."),
    "approved_by": lambda: _("Say who approved work while the card is on order."),
    "birth_date": lambda: _("Not a possible date of birth."),
    "receipt_type": lambda: _("The receipt must be a PDF, JPEG or PNG file."),
    "receipt_too_large": lambda: _("The receipt may be at most 5 MB."),
    "not_on_chain": lambda: _("Choose a company on this site's contract chain."),
}


@bp.url_value_preprocessor
def allow_receipt_uploads(endpoint, values):
    """Runs before every before_request hook, so the limit holds when the CSRF check parses the form."""
    if endpoint == "card_orders.index" and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


@bp.route("/<int:site_id>/card-orders", methods=["GET", "POST"])
@site_action("manage_card_orders")
def index(site_id: int):
    form = CardOrderForm()
    form.offer_companies(card_orders.chain_companies(site_id))
    if form.validate_on_submit() and _record(site_id, form):
        flash(_("The worker with an HMS card on order is recorded. Register them on the list below."), "success")
        return redirect(url_for(".index", site_id=site_id))
    return render_template("card_orders/index.html", form=form, rows=card_orders.orders_of_site(site_id, utcnow()))


def _record(site_id: int, form: CardOrderForm) -> bool:
    upload = form.receipt.data
    receipt = upload.read(rules.MAX_RECEIPT_BYTES + 1) if upload and hasattr(upload, "read") else None
    new = card_orders.NewCardOrder(
        first_name=form.first_name.data, last_name=form.last_name.data, birth_date=form.birth_date.data,
        employer_id=int(form.employer_id.data),
        hired_by_id=int(form.hired_by_id.data) if form.hired_by_id.data != NOT_HIRED_IN else None,
        order_reference=form.order_reference.data, receipt=receipt or None,
        receipt_filename=getattr(upload, "filename", None), approved_by=form.approved_by.data,
        valid_until=form.valid_until.data)
    try:
        card_orders.record_order(site_id, new, current_user, utcnow())
    except card_orders.CardOrderRefused as refused:
        getattr(form, refused.field).errors.append(REFUSALS[refused.code]())
        return False
    return True


@bp.route("/<int:site_id>/card-orders/<int:order_id>/register", methods=["GET", "POST"])
@site_action("manage_card_orders")
def register(site_id: int, order_id: int):
    order = card_orders.find_order(site_id, order_id)
    if order is None:
        abort(404)
    form = RegisterCardOrderedForm()
    if form.validate_on_submit() and _register(order, form):
        flash(_("Registered on today's list, marked HMS card on order."), "success")
        return redirect(url_for("lists_ui.day", site_id=site_id, day=site_today().isoformat()))
    return render_template("card_orders/register.html", form=form, order=order)


def _register(order, form: RegisterCardOrderedForm) -> bool:
    now = utcnow()
    at = None
    if form.time.data is not None:  # a wall-clock time today, at the site
        at = local_moment(site_today(now), form.time.data)
    try:
        scans.register_card_ordered(g.site, order.id, current_user, form.reason.data, now,
                                    direction=form.direction.data, at=at)
    except ClockError:
        form.time.errors.append(_("The time cannot be later than now."))
        return False
    except scans.CardOrderNotUsable:
        form.direction.errors.append(_("This order is not valid today: it has expired or the card has come."))
        return False
    return True


@bp.get("/<int:site_id>/card-orders/<int:order_id>/receipt")
@site_action("manage_card_orders")
def receipt(site_id: int, order_id: int):
    kept = card_orders.receipt_of(site_id, order_id)
    if kept is None:
        abort(404)
    response = send_file(BytesIO(kept.content), mimetype=kept.mimetype, as_attachment=True,
                         download_name=kept.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"  # personal data: not kept in shared caches
    return response
