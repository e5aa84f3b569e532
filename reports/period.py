"""The period report: person-days per employer and per person, and which days each person was there."""
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, TableStyle

from reports.canvas import numbered_canvas
from reports.data import PeriodReport
from reports.fonts import BOLD, REGULAR
from reports.styles import GRID, SHADE, nb_date, nb_datetime, para, styles

TITLE = "Perioderapport – personer og dagsverk"
TITLE_EN = "Period report – persons and person-days"


def render_period_report(report: PeriodReport) -> bytes:
    """Render the period report to PDF bytes (A4 portrait)."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=TITLE, author="Portvakt")
    s = styles(9)
    period = f"{nb_date(report.date_from)} – {nb_date(report.date_to)}"
    story = [
        para(TITLE, s["title"]), para(TITLE_EN, s["subtitle"]),
        para(f"{report.site.name}, {report.site.address} · Byggherre / builder: {report.site.builder_name}", s["body"]),
        para(f"Periode / period: {period}", s["bold"]),
        Spacer(1, 4 * mm), _employer_table(report, doc.width), Spacer(1, 6 * mm),
        _person_table(report, doc.width),
    ]
    footer = f"{report.site.name} · {period}"
    doc.build(story, canvasmaker=numbered_canvas(footer, f"Generert / generated {nb_datetime(report.generated_at)}"))
    return buffer.getvalue()


def _employer_table(report: PeriodReport, width: float) -> LongTable:
    data = [["Arbeidsgiver (org.nr.)\nEmployer (org. no.)", "Personer\nPersons", "Dagsverk\nPerson-days"]]
    data += [[e.employer.label, str(len(e.people)), str(e.person_days)] for e in report.employers]
    data.append(["Totalt / total", str(report.total_people), str(report.total_person_days)])
    return _styled(LongTable(data, colWidths=[width - 50 * mm, 25 * mm, 25 * mm], repeatRows=1), total_row=True)


def _person_table(report: PeriodReport, width: float) -> LongTable:
    cell = styles(7.5)["cell"]
    data = [["Navn\nName", "Født\nBorn", "Arbeidsgiver\nEmployer", "Dager\nDays", "Datoer\nDates"]]
    for employer in report.employers:
        for person in employer.people:
            dates = ", ".join(day.strftime("%d.%m") for day in person.days)
            data.append([para(person.sort_name, cell), nb_date(person.birth_date),
                         para(employer.employer.name, cell), str(len(person.days)), para(dates, cell)])
    widths = [45 * mm, 20 * mm, 40 * mm, 12 * mm]
    return _styled(LongTable(data, colWidths=widths + [width - sum(widths)], repeatRows=1))


def _styled(table: LongTable, total_row: bool = False) -> LongTable:
    commands = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 7.5),
        ("FONT", (0, 0), (-1, 0), BOLD, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if total_row:
        commands += [("FONT", (0, -1), (-1, -1), BOLD, 7.5), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]
    table.setStyle(TableStyle(commands))
    return table
