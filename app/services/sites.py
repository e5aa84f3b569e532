"""A site's life: create it, change its settings, mark the works finished, reopen it.

The web app, the CLI and the demo all go through here, so every change is validated the same way
and lands in the audit log. Marking the works finished sets the completion date from which the
§ 15 retention counts (app/domain/sites.py); a site without one is never purged.
"""
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select, update

from app.domain import sites as rules
from app.domain.enums import Role
from app.domain.sites import SettingError, SiteSettings
from app.extensions import db
from app.models import Builder, Kiosk, Membership, Site
from app.services import use_case
from app.services.audit import audit

AUDITED_FIELDS = tuple(f.name for f in fields(SiteSettings))


class SiteRefused(ValueError):
    """The settings or the action cannot be accepted; `errors` say which field and why."""

    def __init__(self, errors: list[SettingError]):
        super().__init__(", ".join(f"{e.field}: {e.code}" for e in errors))
        self.errors = errors


class UnknownSite(LookupError):
    pass


@dataclass(frozen=True)
class Lifecycle:
    """Where a site is in its life, for its page, the dashboard and `flask retention status`."""

    status: str  # planned|active|completed
    completion_date: date | None
    keep_list_until: date | None
    deletion_date: date | None
    may_reopen: bool
    missing_planned_end: bool


def settings_of(site: Site) -> SiteSettings:
    """The site's current settings, in the shape the forms and the CLI edit."""
    return SiteSettings(
        name=site.name, street=site.street, postcode=site.postcode, city=site.city,
        builder_name=site.builder.name, builder_org=site.builder.org_number, start_date=site.start_date,
        planned_end=site.planned_end, contract_id=_contract_id(site.contract_id), closing_time=site.closing_time,
        outage_policy=site.outage_policy, outage_grace_hours=site.outage_grace_hours,
        kiosk_languages=tuple(lang for lang in (site.kiosk_languages or "").split(",") if lang),
        records_times=site.records_times, prints_times=site.prints_times,
        hmsreg_enabled=site.hmsreg_enabled, hmsreg_project=site.hmsreg_project, elrapp_enabled=site.elrapp_enabled)


def _contract_id(stored: str | None) -> int | None:
    """Sites made before contract ids were integers may hold other text: shown as none, kept until edited."""
    try:
        return rules.parse_contract_id(stored)
    except ValueError:
        return None


@use_case
def create_site(settings: SiteSettings, actor, today: date, allowed_builders: set[int] | None = None) -> Site:
    """A new site for a byggherre (found by org number, else by name among those without one).

    `allowed_builders`: None for a global admin or the CLI; for a builder_rep the byggherrer it
    represents, and it becomes builder_rep of the new site.
    """
    settings = _valid(settings)
    builder = _builder(settings)
    if allowed_builders is not None and builder.id not in allowed_builders:
        raise SiteRefused([SettingError("builder_name", "not_your_builder")])
    site = Site(builder=builder, status=_status_at_start(settings.start_date, today))
    _apply(site, settings)
    db.session.add(site)
    db.session.flush()
    if allowed_builders is not None and not isinstance(actor, str):
        db.session.add(Membership(user_id=actor.id, site_id=site.id, role=Role.BUILDER_REP.value))
    audit("site.create", actor, site_id=site.id, target_type="site", target_id=site.id, builder_id=builder.id)
    return site


@use_case
def update_site(site_id: int, settings: SiteSettings, actor) -> list[str]:
    """Change the site's settings; returns the names of the fields that changed (audited by name)."""
    site = get_site(site_id)
    settings = _valid(settings)
    before = settings_of(site)
    changed = [name for name in AUDITED_FIELDS if getattr(before, name) != getattr(settings, name)]
    if not changed:
        return []
    if {"builder_name", "builder_org"} & set(changed):
        site.builder = _builder(settings)
    _apply(site, settings)
    if "kiosk_languages" in changed:  # the site decides for all its kiosks
        db.session.execute(update(Kiosk).where(Kiosk.site_id == site.id).values(languages=site.kiosk_languages))
    audit("site.update", actor, site_id=site.id, target_type="site", target_id=site.id, fields=changed)
    return changed


@use_case
def close_site(site_id: int, completion_date: date, actor, today: date) -> Site:
    """Works finished: the completion date starts the § 15 retention clock (not in the future)."""
    site = get_site(site_id)
    problem = rules.completion_error(completion_date, today, site.start_date)
    if problem:
        raise SiteRefused([SettingError("completion_date", problem)])
    site.completion_date, site.status = completion_date, "completed"
    audit("site.close", actor, site_id=site.id, target_type="site", target_id=site.id,
          completion_date=completion_date.isoformat(),
          deletion_date=rules.deletion_date(completion_date, site.retention_months).isoformat())
    return site


@use_case
def reopen_site(site_id: int, actor, today: date) -> Site:
    """Works resumed: possible until the list is due for deletion. The retention clock stops again."""
    site = get_site(site_id)
    if not rules.may_reopen(site.completion_date, site.retention_months, today):
        raise SiteRefused([SettingError("completion_date", "cannot_reopen")])
    previous = site.completion_date
    site.completion_date, site.status = None, _status_at_start(site.start_date, today)
    audit("site.reopen", actor, site_id=site.id, target_type="site", target_id=site.id,
          previous_completion_date=previous.isoformat())
    return site


def lifecycle(site: Site, today: date) -> Lifecycle:
    return Lifecycle(
        status=site.status, completion_date=site.completion_date,
        keep_list_until=rules.keep_list_until(site.completion_date, site.retention_months),
        deletion_date=rules.deletion_date(site.completion_date, site.retention_months),
        may_reopen=rules.may_reopen(site.completion_date, site.retention_months, today),
        missing_planned_end=site.completion_date is None and site.planned_end is None)


def get_site(site_id: int) -> Site:
    site = db.session.get(Site, site_id)
    if site is None:
        raise UnknownSite(site_id)
    return site


def _valid(settings: SiteSettings) -> SiteSettings:
    settings = rules.clean_settings(settings)
    errors = rules.setting_errors(settings)
    if errors:
        raise SiteRefused(errors)
    return settings


def _status_at_start(start_date: date | None, today: date) -> str:
    return "planned" if start_date is not None and start_date > today else "active"


def _builder(settings: SiteSettings) -> Builder:
    """The byggherre: one row per org number; a private byggherre (no number) by its name."""
    if settings.builder_org:
        found = db.session.scalar(select(Builder).where(Builder.org_number == settings.builder_org))
    else:
        found = db.session.scalar(select(Builder).where(Builder.org_number.is_(None),
                                                        Builder.name == settings.builder_name).order_by(Builder.id))
    if found is None:
        found = Builder(name=settings.builder_name, org_number=settings.builder_org)
        db.session.add(found)
        db.session.flush()
    found.name = settings.builder_name  # the same org number under a new name: the register's name wins
    return found


def _apply(site: Site, settings: SiteSettings) -> None:
    site.name, site.street, site.postcode, site.city = settings.name, settings.street, settings.postcode, settings.city
    site.start_date, site.planned_end = settings.start_date, settings.planned_end
    site.contract_id = None if settings.contract_id is None else str(settings.contract_id)
    site.closing_time, site.outage_policy = settings.closing_time, settings.outage_policy
    site.outage_grace_hours = settings.outage_grace_hours
    site.kiosk_languages = ",".join(settings.kiosk_languages)
    site.records_times, site.prints_times = settings.records_times, settings.prints_times
    site.hmsreg_enabled, site.hmsreg_project = settings.hmsreg_enabled, settings.hmsreg_project
    site.elrapp_enabled = settings.elrapp_enabled

