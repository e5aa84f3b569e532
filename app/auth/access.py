"""Who may do what on which site: ONE policy table and the decorators every view uses.

A user's rights on a site come from their memberships: a membership with a site applies to that
site, one without a site (site_id NULL) applies to every site. An employer_viewer sees only the
people of its own company: the decorator exposes that company as `g.company_scope`, and every
query a scoped view makes filters on it. An employer_rep is scoped the same way and may also
register its own company's crew on the site (engagements, crew import).

New sites: a global admin creates sites for any byggherre; a builder_rep may create a site for a
byggherre it already represents (it is builder_rep on one of that byggherre's sites) and becomes
builder_rep of the new site. Everyone else gets access to a new site from an admin. Templates may call `can()` to hide links; the decorators
are the guard.
"""
from dataclasses import dataclass
from functools import wraps

from flask import abort, g
from flask_login import current_user

from app.domain.enums import Role
from app.extensions import db, login_manager
from app.models import Membership, Site

ADMIN = Role.ADMIN.value
BUILDER_REP = Role.BUILDER_REP.value
COORDINATOR = Role.COORDINATOR.value
SAFETY_REP = Role.SAFETY_REP.value
EMPLOYER_VIEWER = Role.EMPLOYER_VIEWER.value
EMPLOYER_REP = Role.EMPLOYER_REP.value
EMPLOYERS = frozenset({EMPLOYER_VIEWER, EMPLOYER_REP})  # see only their own company's people

EVERYONE = frozenset({ADMIN, BUILDER_REP, COORDINATOR, SAFETY_REP, EMPLOYER_VIEWER, EMPLOYER_REP})
SITE_STAFF = frozenset({ADMIN, BUILDER_REP, COORDINATOR, SAFETY_REP})  # not the employers
KEEPERS = frozenset({ADMIN, BUILDER_REP})  # keep and check the § 15 list

POLICY: dict[str, frozenset[str]] = {
    "view_site": EVERYONE,
    "view_presence": EVERYONE,  # scoped to its own company for employer_viewer
    "view_list": EVERYONE,  # scoped to its own company for employer_viewer
    "view_archived_list": SITE_STAFF,  # an archived version holds every employer: never an employer's view
    "view_people": EVERYONE,  # scoped to its own company for employer_viewer
    "view_muster": SITE_STAFF,
    "view_rejected": SITE_STAFF,
    "view_companies": SITE_STAFF,
    "check_list": KEEPERS,  # the verneombud reads the list but may not mark it checked
    "register_manual": KEEPERS,
    "correct_registration": KEEPERS,
    "manage_companies": KEEPERS,
    "manage_kiosks": KEEPERS,
    "view_audit": KEEPERS,
    "manage_followups": KEEPERS,
    "create_share_link": KEEPERS,
    "create_self_service_link": KEEPERS,
    "manage_site": KEEPERS,  # edit the site's settings, mark the works finished, reopen
    "manage_crew": KEEPERS | {EMPLOYER_REP},  # engagements and crew import; scoped for employer_rep
    "manage_card_orders": KEEPERS,  # workers whose HMS card is on order
    "view_connectors": KEEPERS,  # the Overføringer page: deliveries to HMSREG and ELRAPP
    "manage_connectors": KEEPERS,  # send a failed delivery again
    "manage_visitors": KEEPERS,  # register and sign out visitors (the site office)
    "manage_induction": KEEPERS,  # the site's safety induction, in-person briefings
    "view_induction": SITE_STAFF,  # who completed which version (CSV)
    "manage_users": frozenset({ADMIN}),  # only an admin of every site (site_id NULL)
}

# Actions where an employer's answer is limited to its own company's people.
SCOPED_TO_COMPANY = frozenset({"view_site", "view_presence", "view_list", "view_people", "manage_crew"})


@dataclass(frozen=True)
class Grant:
    """The answer to "may this user do this here?": allowed, and the company scope if any."""

    allowed: bool
    company_scope: int | None = None


def memberships_for(user, site_id: int | None) -> list[Membership]:
    """The user's memberships that apply to `site_id` (its own and the every-site ones)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [m for m in user.memberships if m.site_id is None or m.site_id == site_id]


def grant(user, action: str, site_id: int | None) -> Grant:
    """Decide `action` for `user` on `site_id`; an unknown action is a programming error."""
    allowed_roles = POLICY[action]
    matching = [m for m in memberships_for(user, site_id) if m.role in allowed_roles]
    if not matching:
        return Grant(False)
    unscoped = [m for m in matching if m.role not in EMPLOYERS]
    if unscoped or action not in SCOPED_TO_COMPANY:
        return Grant(True)
    if matching[0].company_id is None:  # an employer without a company sees nothing
        return Grant(False)
    return Grant(True, matching[0].company_id)


def can(action: str, site_id: int | None = None) -> bool:
    """For templates (navigation only): may the current user do `action` on `site_id`?"""
    return grant(current_user, action, site_id).allowed


def is_global_admin(user) -> bool:
    return any(m.role == ADMIN and m.site_id is None for m in memberships_for(user, None))


def represented_builders(user) -> set[int] | None:
    """The byggherrer this user may create sites for: None means every one (a global admin)."""
    if is_global_admin(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {m.site.builder_id for m in user.memberships if m.role == BUILDER_REP and m.site is not None}


def may_create_sites(user) -> bool:
    builders = represented_builders(user)
    return builders is None or bool(builders)


def site_action(action: str):
    """Guard a view taking `site_id`: 404 for no such site, login for anonymous, 403 without the right.

    Sets g.site (the Site) and g.company_scope (the employer_viewer's company id, else None).
    """
    if action not in POLICY:
        raise KeyError(f"unknown action {action!r}: add it to POLICY")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, site_id: int, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            site = db.session.get(Site, site_id)
            if site is None:
                abort(404)
            answer = grant(current_user, action, site.id)
            if not answer.allowed:
                abort(403)
            g.site, g.company_scope = site, answer.company_scope
            return view(*args, site_id=site_id, **kwargs)

        wrapped.required_action = action
        return wrapped

    return decorator


def admin_required(view):
    """Guard a page for admins of every site (user management, the whole audit log)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not is_global_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    wrapped.required_action = "manage_users"
    return wrapped


def visible_sites(user) -> list[Site]:
    """The sites the user may open, by name (every site for a membership without a site)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    query = db.select(Site).order_by(Site.name, Site.id)
    if not any(m.site_id is None for m in user.memberships):
        query = query.where(Site.id.in_({m.site_id for m in user.memberships}))
    return list(db.session.scalars(query))
