"""`flask site create|update|close|reopen|show|list`: a site's life from the command line.

The same service as the web app (app/services/sites.py). These command names and options are a
contract for scripts and support staff: change them only with care.
"""
import dataclasses
import json
from datetime import date, time

import click
from flask.cli import AppGroup

from app.clock import site_today
from app.domain.sites import KIOSK_LANGUAGES, SiteSettings, parse_contract_id
from app.extensions import db
from app.models import Site
from app.services import sites

group = AppGroup("site", help="Byggeplasser / sites.")

ERRORS = {
    "required": "må fylles ut / is required",
    "invalid_postcode": "postnummer er fire sifre / a postcode is four digits",
    "invalid_org_number": "ugyldig organisasjonsnummer (kontrollsiffer) / invalid organisation number (check digit)",
    "end_before_start": "planlagt slutt er før oppstart / planned end is before the start",
    "invalid_contract_id": "kontrakt-id er et positivt heltall / the contract id is a positive integer",
    "unknown_outage_policy": "strict eller lenient / strict or lenient",
    "invalid_grace": "0–72 timer / 0–72 hours",
    "unknown_language": f"språk: {', '.join(KIOSK_LANGUAGES)} / languages: {', '.join(KIOSK_LANGUAGES)}",
    "times_not_recorded": "tider kan bare skrives ut når de registreres / times can only be printed when recorded",
    "hmsreg_needs_project": "HMSREG trenger prosjektnummer (--hmsreg-project) / HMSREG needs the project number",
    "invalid_hmsreg_project": "prosjektnummer er høyst 32 tegn / the project number is at most 32 characters",
    "elrapp_needs_contract_id": "ELRAPP trenger kontrakt-id (--contract-id) / ELRAPP needs the contract id",
    "completion_in_future": "ferdigdato kan ikke være fram i tid / the completion date cannot be in the future",
    "completion_before_start": "ferdigdato er før oppstart / the completion date is before the start",
    "cannot_reopen": "ikke avsluttet, eller listen er slettet / not finished, or its list is due for deletion",
    "not_your_builder": "du representerer ikke denne byggherren / you do not represent this byggherre",
}


class ContractId(click.ParamType):
    name = "INT"

    def convert(self, value, param, ctx):
        try:
            return parse_contract_id(value)
        except ValueError:
            self.fail("kontrakt-id er et heltall / the contract id is an integer", param, ctx)


class ClockTime(click.ParamType):
    name = "HH:MM"

    def convert(self, value, param, ctx):
        if isinstance(value, time):
            return value
        try:
            return time.fromisoformat(value)
        except ValueError:
            self.fail("klokkeslett som HH:MM / a time as HH:MM", param, ctx)


class OnOff(click.Choice):
    def __init__(self):
        super().__init__(["on", "off"])

    def convert(self, value, param, ctx):
        return super().convert(value, param, ctx) == "on"


class Languages(click.ParamType):
    name = "nb,en,pl,lt"

    def convert(self, value, param, ctx):
        return tuple(part.strip() for part in value.split(",") if part.strip())


DATE = click.DateTime(formats=["%Y-%m-%d"])


def _settings_options(command):
    """The options every setting has, shared by `create` and `update`."""
    for option in reversed([
        click.option("--name"), click.option("--street"), click.option("--postcode"), click.option("--city"),
        click.option("--builder-name"), click.option("--builder-org", help="Byggherrens org.nr. (mod-11)."),
        click.option("--start", "start_date", type=DATE), click.option("--planned-end", type=DATE),
        click.option("--contract-id", type=ContractId(), help="ELRAPP KontraktId (an integer)."),
        click.option("--closing-time", type=ClockTime()),
        click.option("--outage-policy", type=click.Choice(["strict", "lenient"])),
        click.option("--outage-grace-hours", type=int),
        click.option("--kiosk-languages", type=Languages(), help="nb and en always; also pl, lt."),
        click.option("--record-times", "records_times", type=OnOff(), help="Record in/out times (on|off)."),
        click.option("--print-times", "prints_times", type=OnOff(),
                     help="Print in/out times on the § 15 list (on|off; default off)."),
        click.option("--hmsreg", "hmsreg_enabled", type=OnOff(), help="Forward accepted scans to HMSREG (on|off)."),
        click.option("--hmsreg-project", help="The project's number in HMSREG (HmsRegnr)."),
        click.option("--elrapp", "elrapp_enabled", type=OnOff(),
                     help="Deliver the checked list to ELRAPP (on|off; needs --contract-id)."),
    ]):
        command = option(command)
    return command


def _given(options: dict) -> dict:
    """The settings given on the command line (dates as dates), leaving the rest unchanged."""
    given = {key: value for key, value in options.items() if value is not None}
    for key in ("start_date", "planned_end"):
        if key in given:
            given[key] = given[key].date()
    return given


@group.command("create")
@_settings_options
@click.option("--json", "as_json", is_flag=True, help="Print the new site as JSON.")
def create(as_json: bool, **options) -> None:
    """Create a site (name, address, byggherre and the rest of its settings)."""
    given = _given(options)
    missing = [f"--{k.replace('_', '-')}" for k in ("name", "street", "postcode", "city", "builder_name")
               if k not in given]
    if missing:
        raise click.UsageError(f"mangler / missing: {' '.join(missing)}")
    settings = SiteSettings(**given)
    site = _refusable(lambda: sites.create_site(settings, "cli", _today()))
    _print_site(site, as_json, "Byggeplass opprettet / site created")


@group.command("update")
@click.argument("site_id", type=int)
@_settings_options
@click.option("--json", "as_json", is_flag=True, help="Print the site as JSON.")
def update_command(site_id: int, as_json: bool, **options) -> None:
    """Change a site's settings; only the options given change."""
    site = _existing(site_id)
    settings = dataclasses.replace(sites.settings_of(site), **_given(options))
    changed = _refusable(lambda: sites.update_site(site_id, settings, "cli"))
    _print_site(site, as_json, f"Endret / changed: {', '.join(changed) or '–'}")


@group.command("close")
@click.argument("site_id", type=int)
@click.option("--completion-date", type=DATE, required=True, help="When the works finished (not in the future).")
def close(site_id: int, completion_date) -> None:
    """Works finished: sets the completion date; the list is deleted six months later."""
    _existing(site_id)
    site = _refusable(lambda: sites.close_site(site_id, completion_date.date(), "cli", _today()))
    state = sites.lifecycle(site, _today())
    click.echo(f"Avsluttet / finished {state.completion_date}; listen slettes / list deleted on "
               f"{state.deletion_date}")


@group.command("reopen")
@click.argument("site_id", type=int)
def reopen(site_id: int) -> None:
    """Works resumed: removes the completion date (possible until the list is deleted)."""
    _existing(site_id)
    _refusable(lambda: sites.reopen_site(site_id, "cli", _today()))
    click.echo("Gjenåpnet / reopened")


@group.command("show")
@click.argument("site_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the site as JSON.")
def show(site_id: int, as_json: bool) -> None:
    """A site's settings and where it is in its life."""
    _print_site(_existing(site_id), as_json, None)


@group.command("list")
def list_sites() -> None:
    """List sites: id, name, address, status."""
    for site in db.session.scalars(db.select(Site).order_by(Site.id)):
        click.echo(f"{site.id:4}  {site.name}  ({site.address})  {site.status}")


def _today() -> date:
    return site_today()


def _existing(site_id: int) -> Site:
    try:
        return sites.get_site(site_id)
    except sites.UnknownSite:
        raise click.ClickException(f"Ukjent byggeplass / unknown site: {site_id}") from None


def _refusable(action):
    try:
        return action()
    except sites.SiteRefused as refused:
        raise click.ClickException("; ".join(f"{e.field}: {ERRORS.get(e.code, e.code)}" for e in refused.errors)) \
            from None


def site_document(site: Site, today: date) -> dict:
    """The site as JSON: every setting and its lifecycle dates."""
    settings, state = sites.settings_of(site), sites.lifecycle(site, today)
    document = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    document.update(
        id=site.id, builder={"name": settings.builder_name, "org_number": settings.builder_org},
        kiosk_languages=list(settings.kiosk_languages), closing_time=settings.closing_time.strftime("%H:%M"),
        status=state.status, completion_date=state.completion_date, keep_list_until=state.keep_list_until,
        deletion_date=state.deletion_date)
    for key in ("builder_name", "builder_org"):
        document.pop(key)
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in document.items()}


def _print_site(site: Site, as_json: bool, headline: str | None) -> None:
    document = site_document(site, _today())
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    if headline:
        click.echo(headline)
    for key, value in document.items():
        click.echo(f"  {key}: {value if value is not None else '–'}")
