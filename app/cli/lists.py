"""`flask list pdf|csv|xlsx|elrapp|muster|period|verify`: the § 15 list from the command line."""
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.domain.days import EARLIEST_DAY, LATEST_DAY, sane_day
from app.services import lists

group = AppGroup("list", help="§ 15-lister / § 15 lists.")



def _day(value: str) -> date:
    """The same days the web's list pages take (app/domain/days.py); the web answers 404 to the rest."""
    day = sane_day(value)
    if day is None:
        raise click.BadParameter(f"bruk ÅÅÅÅ-MM-DD mellom / use YYYY-MM-DD between {EARLIEST_DAY} "
                                 f"og / and {LATEST_DAY}, fikk / got {value!r}")
    return day


def _write(download: lists.Download, out: str) -> None:
    try:
        Path(out).write_bytes(download.content)
    except OSError as error:
        raise click.ClickException(f"Kan ikke skrive / cannot write {out}: {error.strerror}") from None
    click.echo(f"Skrevet / written: {out} ({len(download.content):,} bytes)")


def _daily_command(kind: str):
    @click.option("--site", "site_id", type=int, required=True, help="Byggeplass-id / site id")
    @click.option("--date", "day", required=True, help="ÅÅÅÅ-MM-DD / YYYY-MM-DD")
    @click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
    def command(site_id: int, day: str, out: str) -> None:
        try:
            _write(lists.DAILY_FORMATS[kind].make(site_id, _day(day), utcnow()), out)
        except (lists.UnknownSite, lists.ExportRefused) as error:
            raise click.ClickException(str(error)) from None
        if kind == "elrapp":
            _echo_left_out(lists.elrapp_left_out(site_id, _day(day), utcnow()))
    command.__doc__ = f"The day's § 15 list as {kind.upper()} (the live list, not an archived version)."
    return command


LEFT_OUT = {"no_card_number": "uten HMS-kortnummer / without an HMS card number",
            "no_org_number": "uten norsk org.nr. (NUF) / without a Norwegian org. no. (NUF)",
            "no_card_expiry": "uten kortets utløpsdato / without the card's expiry date"}


def _echo_left_out(left_out: dict[str, int]) -> None:
    """ELRAPP requires every field: say who is not in the file, and why."""
    for reason, count in left_out.items():
        click.echo(f"Utelatt / left out: {count} {LEFT_OUT.get(reason, reason)}", err=True)


for _kind in lists.DAILY_FORMATS:
    group.command(_kind)(_daily_command(_kind))


@group.command("period")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--from", "date_from", required=True, help="ÅÅÅÅ-MM-DD / YYYY-MM-DD")
@click.option("--to", "date_to", required=True, help="ÅÅÅÅ-MM-DD / YYYY-MM-DD")
@click.option("--format", "kind", type=click.Choice(sorted(lists.PERIOD_FORMATS)), default="pdf", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
def period(site_id: int, date_from: str, date_to: str, kind: str, out: str) -> None:
    """Person-days per employer and per person for a period."""
    try:
        _write(lists.PERIOD_FORMATS[kind].make(site_id, _day(date_from), _day(date_to), utcnow()), out)
    except (lists.UnknownSite, lists.BadPeriod) as error:
        raise click.ClickException(str(error)) from None


@group.command("contractors")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--from", "date_from", required=True, help="ÅÅÅÅ-MM-DD / YYYY-MM-DD")
@click.option("--to", "date_to", required=True, help="ÅÅÅÅ-MM-DD / YYYY-MM-DD")
@click.option("--format", "kind", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Default: a file named after the site.")
def contractors(site_id: int, date_from: str, date_to: str, kind: str, out: str | None) -> None:
    """Foreign contractors and workers for Skatteetaten's reports: prepared here, never filed."""
    from app.services.contractors_report import contractors_download

    try:
        download = contractors_download(site_id, _day(date_from), _day(date_to), kind)
    except (lists.UnknownSite, lists.BadPeriod) as error:
        raise click.ClickException(str(error)) from None
    _write(download, out or download.filename)
    click.echo("Portvakt utarbeider grunnlaget; det er ikke levert til Skatteetaten. Oppdragsgiver og oppdragstaker "
               "leverer selv, innen 14 dager. / Portvakt prepares this; nothing has been filed with Skatteetaten. "
               "The client and the contractor file it themselves, within 14 days.")


@group.command("muster")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
def muster(site_id: int, out: str) -> None:
    """The muster (evacuation) list: who is on site now."""
    try:
        _write(lists.muster_pdf(site_id, utcnow()), out)
    except lists.UnknownSite as error:
        raise click.ClickException(str(error)) from None


@group.command("verify")
@click.argument("pdf_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--data-hash", help="The data SHA-256 printed on a paper copy, instead of a file.")
def verify(pdf_file: str | None, data_hash: str | None) -> None:
    """Tell whether a PDF is, byte for byte, an archived (checked) version of a list; or, with
    --data-hash, which archived versions a printed copy's data hash belongs to. Exit 1 if none."""
    if bool(pdf_file) == bool(data_hash):
        raise click.UsageError("Gi én PDF-fil eller --data-hash / give one PDF file or --data-hash")
    if data_hash:
        found = lists.versions_with_data_hash(data_hash)
    else:
        version = lists.verify_pdf(Path(pdf_file).read_bytes())
        found = [version] if version else []
    if not found:
        click.echo("IKKE i arkivet: ingen arkivert versjon samsvarer (filen kan være endret).\n"
                   "NOT in the archive: no archived version matches (the file may have been altered).")
        raise SystemExit(1)
    for version in found:
        _echo_version(version)


def _echo_version(version: lists.ListVersion) -> None:
    checked = version.checked_at.strftime("%Y-%m-%d %H:%M UTC")
    click.echo(f"Samsvarer / matches: site {version.site_id}, {version.local_date.isoformat()}, "
               f"versjon / version {version.version}, kontrollert av / checked by "
               f"{version.checked_by or '–'} {checked}\n"
               f"data SHA-256 {version.data_sha256}\nPDF SHA-256 {version.pdf_sha256}")
    _echo_redaction(version)


def _echo_redaction(version: lists.ListVersion) -> None:
    """A version whose in/out times retention took off: say so, and which file the archive keeps now."""
    from app.services import list_redaction

    record = list_redaction.redaction_of(version.id)
    if record is not None:
        click.echo(f"Inn- og uttider fjernet fra arkivet / in/out times removed from the archive "
                   f"{record.at.strftime('%Y-%m-%d')} (passage_retention_days); "
                   f"original PDF SHA-256 {record.details.get('original_pdf_sha256')}")
