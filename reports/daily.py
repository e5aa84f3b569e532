"""The daily § 15 oversiktsliste as an A4 PDF: header block, one list of rows, subtotals and the total."""
from io import BytesIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

from reports.canvas import numbered_canvas
from reports.data import DailyListReport, ListRow
from reports.fonts import BOLD, REGULAR
from reports.listpage import ListPage, Look, Row
from reports.styles import GRID, GROUP, SHADE, flag_label, nb_date, nb_datetime, nb_time, para, styles, wrap_lines

TITLE = "Oversiktsliste – byggherreforskriften § 15"
TITLE_EN = "List of persons working on the construction site"
PAGE = landscape(A4)
MARGIN = 14 * mm
FRAME_PADDING = 6  # ReportLab's default Frame padding, top and bottom
SAFETY = 2  # points kept free per page against rounding
FONT_SIZE = 7.5
LEADING = 9
PADDING = 1.5
LOOK = Look(font_size=FONT_SIZE, leading=LEADING, padding_x=3, padding_top=PADDING, rule_width=0.25, rule_colour=GRID)
BACKGROUNDS = {"person": None, "group": GROUP, "subtotal": SHADE, "total": GROUP}

# (heading, width in points); "Inn"/"Ut" only when the site records times.
COLUMNS = [
    ("Nr.\nNo.", 26),
    ("Navn\nName", 130),
    ("Fødselsdato\nDate of birth", 60),
    ("Arbeidsgiver (org.nr.)\nEmployer (org. no.)", 150),
    ("Innleid av (innleievirksomhet)\nHired in by", 140),
    ("HMS-kortnr.\nHMS card no.", 62),
    ("Inn\nIn", 32),
    ("Ut\nOut", 32),
    ("Merknader\nFlags", None),
]


def render_daily_list(report: DailyListReport) -> bytes:
    """Render the list to PDF bytes."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=TITLE,
                            author="Portvakt", subject=f"{report.site.name} {nb_date(report.day)}")
    footer_left = f"{report.site.name} · {nb_date(report.day)} · data SHA-256 {report.data_sha256[:16]}…"
    footer_centre = f"Generert / generated {nb_datetime(report.generated_at)}"
    header = [*_header(report), Spacer(1, 4 * mm)]
    frame_height = doc.height - 2 * FRAME_PADDING
    first_page = frame_height - sum(f.wrap(doc.width, frame_height)[1] for f in header)
    story = header + _pages(report, doc.width, first_page, frame_height)
    doc.build(story, canvasmaker=numbered_canvas(footer_left, footer_centre))
    return buffer.getvalue()


def _header(report: DailyListReport) -> list:
    s = styles(9)
    control = report.control
    if control.is_checked:
        status = para(f"Kontrollert av {control.checked_by} {nb_datetime(control.checked_at)}\n"
                      f"Checked by {control.checked_by} {nb_datetime(control.checked_at)}", s["bold"])
    else:
        status = para("IKKE KONTROLLERT / NOT CHECKED", s["warn"])
    facts = [
        ("Byggeplass / Site", f"{report.site.name}, {report.site.address}"),
        ("Byggherre / Builder", report.site.builder_name),
        ("Dato / Date", nb_date(report.day)),
        ("Versjon / Version", str(control.version) if control.version else "– (ikke arkivert / not archived)"),
        ("Listens data, SHA-256 / Data hash", report.data_sha256),
        ("Antall personer / Persons", str(report.total)),
    ]
    rows = [[para(label, s["bold"]), para(value, s["body"])] for label, value in facts]
    rows.append([para("Kontroll / Control", s["bold"]), status])
    facts_table = Table(rows, colWidths=[170, None], hAlign="LEFT")
    facts_table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 9), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                                     ("TOPPADDING", (0, 0), (-1, -1), 1)]))
    return [para(TITLE, s["title"]), para(TITLE_EN, s["subtitle"]), Spacer(1, 3 * mm), facts_table]


def _columns(report: DailyListReport, width: float) -> list:
    columns = [c for c in COLUMNS if report.show_times or c[0] not in ("Inn\nIn", "Ut\nOut")]
    fixed = sum(w for _, w in columns if w)
    return [(heading, w or width - fixed) for heading, w in columns]


def _pages(report: DailyListReport, width: float, first_page: float, other_pages: float) -> list:
    """One ListPage per page, the header row first on each.

    We paginate ourselves because the row heights are known: left to ReportLab, every page split
    copies and re-measures all the rows still to come, which makes a 10,000-person list quadratic.
    """
    columns = _columns(report, width)
    widths = [w for _, w in columns]
    headings = [heading for heading, _ in columns]
    header = Row(headings, _row_height(headings), BOLD, SHADE)
    story, page, used, available = [], [], header.height, first_page - SAFETY
    for cells, kind in _body_rows(report, widths):
        row = Row(cells, _row_height(cells), REGULAR if kind == "person" else BOLD, BACKGROUNDS[kind])
        if page and used + row.height > available:
            story += [ListPage(header, page, widths, LOOK), PageBreak()]
            page, used, available = [], header.height, other_pages - SAFETY
        page.append(row)
        used += row.height
    story.append(ListPage(header, page, widths, LOOK))
    return story


def _body_rows(report: DailyListReport, widths: list):
    """(cells, kind) for every row: employer headings, people, subtotals and the total."""
    blank = [""] * (len(widths) - 1)

    def across(text: str) -> list:  # a row whose text runs across the whole table, wrapped to fit
        return [wrap_lines(text, sum(widths) - 6, BOLD, FONT_SIZE), *blank]

    number = 0
    for group in report.groups:
        yield across(f"{group.employer.name} – {group.employer.identifier}"), "group"
        for row in group.rows:
            number += 1
            yield _row_cells(number, row, report.show_times, widths), "person"
        yield across(f"Sum {group.employer.name}: {group.subtotal} {_persons(group.subtotal)}"), "subtotal"
    yield across(f"Totalt / total: {report.total} {_persons(report.total)}"), "total"


def _persons(count: int) -> str:
    return "person / person" if count == 1 else "personer / persons"


def _row_cells(number: int, row: ListRow, show_times: bool, widths: list) -> list:
    pad = 6  # left + right cell padding
    texts = [
        str(number),
        row.sort_name,
        nb_date(row.birth_date),
        f"{row.employer.name}\n{row.employer.identifier}",
        f"{row.hired_by.name}\n{row.hired_by.identifier}" if row.hired_by else "",
        row.card_number or "–",
    ]
    if show_times:
        texts += [nb_time(row.first_in), nb_time(row.last_out)]
    texts.append("\n".join(flag_label(flag) for flag in row.flags))
    return [wrap_lines(text, w - pad, REGULAR, FONT_SIZE) for text, w in zip(texts, widths)]


def _row_height(cells: list) -> float:
    return LEADING * max(cell.count("\n") + 1 for cell in cells) + 2 * PADDING
