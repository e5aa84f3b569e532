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
    "Arbeidsgiver / Employer", "Arbeidsgiver org.nr / Employer org. no.",
    "Innleid av (innleievirksomhet) / Hired in by", "Innleievirksomhet org.nr / Hired in by org. no.",
    "HMS-kort nr / HMS card no.", "Inn / In", "Ut / Out", "Merknader / Flags",
]
PERIOD_COLUMNS = [
    "Etternavn / Last name", "Fornavn / First name", "Fødselsdato / Date of birth",
    "Arbeidsgiver / Employer", "Arbeidsgiver org.nr / Employer org. no.",
    "Innleid av (innleievirksomhet) / Hired in by", "HMS-kort nr / HMS card no.",
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
    employers = [["Arbeidsgiver / Employer", "Org.nr / Org. no.", "Personer / Persons", "Dagsverk / Person-days"]]
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


def elrapp_json(report: DailyListReport) -> bytes:
    """The day in the shape Statens vegvesen's ELRAPP oversiktsliste API (v2) takes: a list of objects.

    Times are local (ELRAPP's DateTime has no zone); DatoInn/DatoUt only when both are known and the
    site prints times on its list, else the day alone (`Dato`, one of ELRAPP's documented alternatives).
    """
    contract = report.site.contract_id
    contract_id = int(contract) if contract and contract.isdigit() else contract
    items = []
    for row in report.rows:
        both = report.show_times and row.first_in is not None and row.last_out is not None
        items.append({
            "Kortnummer": int(row.card_number) if row.card_number and row.card_number.isdigit() else row.card_number,
            "KontraktId": contract_id,
            "Dato": f"{report.day.isoformat()}T00:00:00",
            "DatoInn": row.first_in.strftime("%Y-%m-%dT%H:%M:%S") if both else None,
            "DatoUt": row.last_out.strftime("%Y-%m-%dT%H:%M:%S") if both else None,
            "Fornavn": row.first_name,
            "Etternavn": row.last_name,
            "Orgnummer": row.employer.identifier,
            "Fdato": row.birth_date.isoformat(),
            "HmsUtlopsdato": row.card_valid_to.isoformat() if row.card_valid_to else None,
        })
    return json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")
