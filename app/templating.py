"""Template helpers shared by every page (registered by the auth blueprint, which every app has).

The words for the shared vocabulary (app/domain/cards.py reason codes and warnings) live here once,
translated, so every page says a reason the same way.
"""
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError
from wtforms import SelectChoice

REASONS = {
    "ok": _l("accepted"),
    "ok_unverified": _l("accepted, not verified"),
    "card_not_valid": _l("card not valid"),
    "card_expired": _l("card expired"),
    "card_blocked": _l("card blocked"),
    "card_lost": _l("card reported lost"),
    "card_stolen": _l("card reported stolen"),
    "card_confiscated": _l("card confiscated"),
    "card_destroyed": _l("card destroyed"),
    "unknown_card": _l("unknown card"),
    "foreign_qr": _l("not an HMS card code"),
    "unreadable": _l("code could not be read"),
    "card_service_unavailable": _l("card service unavailable"),
    "company_not_registered": _l("company not registered on the site"),
    "person_barred": _l("person barred from the site"),
    "card_ordered": _l("HMS card on order"),
    "induction_missing": _l("site induction missing"),
}
FLAGS = {
    "possible_copied_card": _l("possible copied card"),
    "no_exit_recorded": _l("no exit recorded"),
    "no_entry_recorded": _l("no entry recorded"),
    "late": _l("sent late by the gate"),
    "needs_approval": _l("needs approval"),
    "invalid_on_reverify": _l("invalid when checked again"),
    "not_verified": _l("not verified"),
    "unverified": _l("not verified"),  # the list's flag (app/domain/oversiktsliste.py)
    "manual": _l("manual registration"),
    "card_ordered": _l("HMS card on order"),
    "induction_missing": _l("site induction missing"),
}

COMPANY_ROLES = {
    "main_contractor": _l("Main contractor"),
    "subcontractor": _l("Subcontractor"),
    "staffing_agency": _l("Staffing agency"),
    "sole_proprietor": _l("Sole proprietor"),
}
USER_ROLES = {
    "admin": _l("Administrator"),
    "builder_rep": _l("Builder's representative"),
    "coordinator": _l("SHA coordinator"),
    "safety_rep": _l("Safety representative (verneombud)"),
    "employer_viewer": _l("Employer (own people only)"),
    "employer_rep": _l("Employer who registers its crew (own people only)"),
}
EMPLOYER_ROLES = frozenset({"employer_viewer", "employer_rep"})  # tied to one company and one site


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (plain tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


# The audit log in words a builder understands; the code stays visible beside it for support.
# One line per audit action: a new action without a line here is shown by its code only.
AUDIT_ACTIONS = {
    "attendance.manual_registration": _l("Registered by hand"),
    "attendance.remove": _l("Removed from the list"),
    "attendance.void_scan": _l("Scan voided"),
    "card_order.create": _l("Worker with HMS card on order recorded"),
    "connectors.resend": _l("Failed transfers queued again"),
    "card_order.linked": _l("HMS card on order linked to the scanned card"),
    "card_order.manual_registration": _l("Worker with HMS card on order registered by hand"),
    "company.add_to_site": _l("Company added to the contract chain"),
    "crew.import": _l("Crew list imported"),
    "engagement.add": _l("Worker added to the crew"),
    "engagement.update": _l("Worker's engagement on the site changed"),
    "company.update_in_chain": _l("Contract chain entry changed"),
    "followup.done": _l("Follow-up closed"),
    "induction.complete": _l("Site induction completed"),
    "induction.image_add": _l("Picture added to the site induction"),
    "induction.image_delete": _l("Picture deleted from the site induction"),
    "induction.set": _l("Site induction changed"),
    "kiosk.create": _l("Kiosk created"),
    "kiosk.enroll": _l("Kiosk enrolled"),
    "kiosk.enrollment_code": _l("Enrollment code issued"),
    "kiosk.revoke": _l("Kiosk revoked"),
    "list.checked": _l("List checked"),
    "login": _l("Signed in"),
    "login_locked": _l("Account locked after failed sign-ins"),
    "membership_added": _l("Role given"),
    "membership_removed": _l("Role removed"),
    "password_changed": _l("Password changed"),
    "retention.purge": _l("Deleted after the retention period"),
    "self_service_link.create": _l("Self-service link created"),
    "self_service_link.download": _l("Self-service data downloaded"),
    "self_service_link.open": _l("Self-service link opened"),
    "self_service_link.revoke": _l("Self-service link revoked"),
    "share_link.create": _l("Share link created"),
    "share_link.revoke": _l("Share link revoked"),
    "site.create": _l("Site created"),
    "site.update": _l("Site settings changed"),
    "site.close": _l("Works marked finished"),
    "site.reopen": _l("Site reopened"),
    "user_created": _l("User created"),
    "user_unlocked": _l("User unlocked"),
    "user_updated": _l("User changed"),
    "visitor.add": _l("Visitor registered"),
    "visitor.out": _l("Visitor signed out"),
}


SITE_STATUSES = {"planned": _l("Planned"), "active": _l("Active"), "completed": _l("Works finished")}


def site_status_label(code: str) -> str:
    return str(SITE_STATUSES.get(code, code))


def audit_label(code: str) -> str:
    label = AUDIT_ACTIONS.get(code)
    return str(label) if label else code


def url_if(endpoint: str, **values) -> str | None:
    """The URL of `endpoint`, or None when that feature is not in this app (a link simply is not drawn)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))


def flag_label(code: str) -> str:
    return str(FLAGS.get(code, code))


# The card service's words (Card.last_status, Card.card_type) as people read them: never the code.
CARD_STATUSES = {
    "valid": _l("Valid"),
    "not_valid": _l("Not valid"),
    "expired": _l("Expired"),
    "blocked": _l("Blocked"),
    "lost": _l("Reported lost"),
    "stolen": _l("Reported stolen"),
    "confiscated": _l("Confiscated"),
    "destroyed": _l("Destroyed"),
}
CARD_TYPES = {"construction": _l("Building and construction"), "cleaning": _l("Cleaning")}


def card_status_label(code: str | None) -> str:
    """A card status in words; a status the service added later reads "unknown status", not its code."""
    if not code:
        return ""
    return str(CARD_STATUSES.get(code) or _l("Unknown status"))


def card_type_label(code: str | None) -> str:
    if not code:
        return ""
    return str(CARD_TYPES.get(code) or _l("Other card type"))


def role_label(code: str) -> str:
    return str(COMPANY_ROLES.get(code) or USER_ROLES.get(code) or code)


def gate_message(message: dict | None) -> str:
    """What the gate showed, in the reader's language when the kiosk had it."""
    if not message:
        return ""
    return message.get(str(get_locale()), "") or message.get("nb", "")


def card_service_unreachable() -> bool:
    """Whether this server's last card lookup failed (the site pages' banner); never a network call."""
    service = current_app.extensions.get("card_service")
    return service is not None and service.is_unreachable()


def register(bp) -> None:
    for helper in (url_if, reason_label, flag_label, role_label, gate_message, audit_label,
                   site_status_label, card_status_label, card_type_label, card_service_unreachable):
        bp.add_app_template_global(helper)
    from app.audit_words import actor_label, audit_sentence  # the audit log in words (it imports this module)

    for helper in (audit_sentence, actor_label):
        bp.add_app_template_global(helper)
