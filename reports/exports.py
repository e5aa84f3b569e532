"""CSV, Excel and ELRAPP JSON exports of the daily list and the period report.

CSV is UTF-8 with a BOM and semicolons, which is what Excel set up for Norway expects; cells that
begin like a formula are prefixed with an apostrophe so a spreadsheet never runs them.
"""
import csv
import json
from io import BytesIO, StringIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from reports.data import DailyListReport, PeriodReport
from reports.styles import flag_label, nb_date, nb_time

DAILY_COLUMNS = [
    "Etternavn / Last name", "Fornavn / First name", "Fødselsdato / Date of birth",
    "Arbeidsgiver / Employer", "Arbeidsgiver org.nr. / Employer org. no.",
    "Innleid av (innleievirksomhet) / Hired in by", "Innleievirksomhet org.nr. / Hired in by org. no.",
    "HMS-kortnr. / HMS card no.", "Inn / In", "Ut / Out", "Merknader / Flags",
]
PERIOD_COLUMNS = [
    "Etternavn / Last name", "Fornavn / First name", "Fødselsdato / Date of birth",
    "Arbeidsgiver / Employer", "Arbeidsgiver org.nr. / Employer org. no.",
    "Innleid av (innleievirksomhet) / Hired in by", "HMS-kortnr. / HMS card no.",
    "Dager / Days", "Datoer / Dates",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


TIME_COLUMNS = ("Inn / In", "Ut / Out")


def daily_rows(report: DailyListReport) -> list[list[str]]:
    """The daily list as rows of text (heading row first), shared by CSV and Excel.

    In/out times only when the site prints them: § 15 needs none, and every reader would see them."""
    keep = [report.show_times or column not in TIME_COLUMNS for column in DAILY_COLUMNS]
    rows = [DAILY_COLUMNS]
    for row in report.rows:
        rows.append([
            row.last_name, row.first_name, nb_date(row.birth_date),
            row.employer.name, row.employer.identifier,
            row.hired_by.name if row.hired_by else "", row.hired_by.identifier if row.hired_by else "",
            row.card_number or "", nb_time(row.first_in), nb_time(row.last_out),
            "; ".join(flag_label(flag) for flag in row.flags),
        ])
    return [[value for value, kept in zip(line, keep) if kept] for line in rows]


def period_rows(report: PeriodReport) -> list[list[str]]:
    rows = [PERIOD_COLUMNS]
    for employer in report.employers:
        for person in employer.people:
            rows.append([
                person.last_name, person.first_name, nb_date(person.birth_date),
                employer.employer.name, employer.employer.identifier,
                person.hired_by.label if person.hired_by else "", person.card_number or "",
                str(len(person.days)), ", ".join(nb_date(day) for day in person.days),
            ])
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    """Semicolon-separated UTF-8 with a BOM, CRLF line ends."""
    out = StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([[_safe(value) for value in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def daily_csv(report: DailyListReport) -> bytes:
    """The § 15 facts (site, byggherre, date, data hash) in the first rows, a blank row, then the people."""
    return to_csv(daily_facts(report) + daily_rows(report))


def period_csv(report: PeriodReport) -> bytes:
    return to_csv(period_rows(report))


def daily_xlsx(report: DailyListReport) -> bytes:
    """The daily list as an Excel workbook: the § 15 a/b facts on top, then one row per person."""
    title = f"Oversiktsliste {report.site.name} {nb_date(report.day)}"
    return _workbook([("Oversiktsliste", daily_facts(report), daily_rows(report))], title)


def daily_facts(report: DailyListReport) -> list[list[str]]:
    """What § 15 a and b make the list say besides the people, as rows above them (CSV and Excel)."""
    return [
        ["Oversiktsliste – byggherreforskriften § 15 / List of persons working on the construction site"],
        ["Byggeplass / Site", f"{report.site.name}, {report.site.address}"],
        ["Byggherre / Builder", report.site.builder_name],
        ["Dato / Date", nb_date(report.day)],
        ["Listens data, SHA-256 / Data hash", report.data_sha256],
        ["Antall personer / Persons", str(report.total)],
        [],
    ]


def period_xlsx(report: PeriodReport) -> bytes:
    """The period report as an Excel workbook: one sheet per employer totals, one per person."""
    period = f"{nb_date(report.date_from)} – {nb_date(report.date_to)}"
    facts = [["Perioderapport / Period report"], ["Byggeplass / Site", f"{report.site.name}, {report.site.address}"],
             ["Periode / Period", period], []]
    employers = [["Arbeidsgiver / Employer", "Org.nr. / Org. no.", "Personer / Persons", "Dagsverk / Person-days"]]
    employers += [[e.employer.name, e.employer.identifier, len(e.people), e.person_days] for e in report.employers]
    employers.append(["Totalt / total", "", report.total_people, report.total_person_days])
    return _workbook([("Arbeidsgivere", facts, employers), ("Personer", [], period_rows(report))],
                     f"Perioderapport {report.site.name} {period}")


def _workbook(sheets, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    for name, facts, rows in sheets:
        sheet = workbook.create_sheet(name)
        for fact in facts:
            # Site and builder names are typed by users: a name starting with "=" is text too.
            sheet.append([_safe(value) if isinstance(value, str) else value for value in fact])
        sheet.append([_bold_cell(sheet, value) for value in rows[0]])
        for row in rows[1:]:
            # openpyxl would take a string starting with "=" for a formula: escape like the CSV.
            sheet.append([_safe(value) if isinstance(value, str) else value for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


class ExportRefused(ValueError):
    """An export the data cannot make faithfully; `code` says why (the message is bokmål / English)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


ELRAPP_NO_CONTRACT = ("Byggeplassen har ingen ELRAPP-kontrakt-id (et heltall): legg den inn under Innstillinger. / "
                      "The site has no ELRAPP contract id (a whole number): set it in the site's settings.")


def elrapp_json(report: DailyListReport) -> bytes:
    """The day in the shape Statens vegvesen's ELRAPP oversiktsliste API (v2) takes: a list of objects.

    Rows ELRAPP cannot take are left out (see `elrapp_items`); ExportRefused without a contract id.
    """
    items, _ = elrapp_items(report)
    return json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")


def elrapp_items(report: DailyListReport) -> tuple[list[dict], dict[str, int]]:
    """ELRAPP's objects for the day, and how many rows were left out and why.

    The documented date alternatives only: DatoInn + DatoUt when the site prints times and both are
    known (local time: ELRAPP's DateTime has no zone), else Dato alone. Every other property is
    obligatory, so a row without an integer HMS card number (card on order), a Norwegian org number
    (a foreign employer must give its NUF number) or the card's expiry is left out, never sent with nulls.
    """
    contract = (report.site.contract_id or "").strip()
    if not (contract.isascii() and contract.isdigit() and 0 < int(contract) < 2**31):
        raise ExportRefused("no_contract_id", ELRAPP_NO_CONTRACT)
    items, left_out = [], {}
    for row in report.rows:
        problem = _elrapp_problem(row)
        if problem:
            left_out[problem] = left_out.get(problem, 0) + 1
            continue
        both = report.show_times and row.first_in is not None and row.last_out is not None
        items.append({
            "Kortnummer": int(row.card_number),
            "KontraktId": int(contract),
            "DatoInn": row.first_in.strftime("%Y-%m-%dT%H:%M:%S") if both else None,
            "DatoUt": row.last_out.strftime("%Y-%m-%dT%H:%M:%S") if both else None,
            "Dato": None if both else f"{report.day.isoformat()}T00:00:00",
            "Timer": None,  # Dato + Timer is for hours without clock times; we send the times or nothing
            "Fornavn": row.first_name,
            "Etternavn": row.last_name,
            "Orgnummer": row.employer.identifier,
            "Fdato": row.birth_date.isoformat(),
            "HmsUtlopsdato": row.card_valid_to.isoformat(),
        })
    return items, left_out


def _elrapp_problem(row) -> str | None:
    if not (row.card_number and row.card_number.isascii() and row.card_number.isdigit()):
        return "no_card_number"
    if not is_org_number(row.employer.identifier):
        return "no_org_number"
    if row.card_valid_to is None:
        return "no_card_expiry"
    return None


def is_org_number(text: str) -> bool:
    """A Norwegian org number (app/domain/orgnr.py's rule: reports/ never imports app/): nine digits
    starting with 8 or 9, the last a mod-11 check digit. A foreign company's NUF has one too."""
    if not (len(text) == 9 and text.isascii() and text.isdigit() and text[0] in "89"):
        return False
    remainder = sum(int(d) * w for d, w in zip(text[:8], (3, 2, 7, 6, 5, 4, 3, 2))) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(text[8])
