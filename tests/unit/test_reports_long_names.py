"""Long and unusual names on the § 15 PDF (issue 15, item 7): they wrap inside their column, and a
glyph DejaVu Sans lacks (emoji and the like) is substituted, never a box or garbage."""
import re
from datetime import date

from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.daily import COLUMNS, FONT_SIZE, _row_cells, render_daily_list
from reports.data import EmployerGroup, ListRow
from reports.fonts import REGULAR, register_fonts
from reports.styles import printable
from tests.support.pdftext import pdf_pages
from tests.unit.test_reports_daily import MAIN, at, report

LONG = "Wolfeschlegelsteinhausenbergerdorff" * 3  # 105 characters, no space to break at


def test_a_long_name_wraps_inside_its_column():
    register_fonts()
    widths = [w or 100 for _, w in COLUMNS]
    row = ListRow("Hubert", LONG, date(1980, 1, 1), MAIN, None, "40007919", None, at(7), at(15))
    cells = _row_cells(1, row, True, widths)
    name_lines = cells[1].split("\n")
    assert len(name_lines) > 1
    assert all(stringWidth(line, REGULAR, FONT_SIZE) <= widths[1] - 6 for line in name_lines)
    assert "".join(name_lines).replace(" ", "") == f"{LONG},Hubert".replace(" ", "")


def test_the_whole_long_name_is_in_the_pdf():
    row = ListRow("Hubert", LONG, date(1980, 1, 1), MAIN, None, "40007919", None, at(7), at(15))
    text = re.sub(r"\s+", "", "".join(pdf_pages(render_daily_list(report((EmployerGroup(MAIN, (row,)),))))))
    assert LONG in text


def test_glyphs_dejavu_lacks_are_substituted_not_boxes():
    register_fonts()
    assert printable("Ola 👷\u200d♂️ Nordmann") == "Ola ? Nordmann" or "👷" not in printable("Ola 👷 Nordmann")
    assert printable("𝓐se") == "Ase"  # a fancy letter becomes its plain form
    assert printable("Łukasz Rūta Ødegård") == "Łukasz Rūta Ødegård"  # what DejaVu has stays
    row = ListRow("Ola 👷", "Nordmann 🚧", date(1980, 1, 1), MAIN, None, "40007919", None, at(7), at(15))
    text = "".join(pdf_pages(render_daily_list(report((EmployerGroup(MAIN, (row,)),)))))
    assert "Nordmann" in text and "Ola" in text
    assert not re.search("[\U0001F300-\U0001FAFF\ufffd\u25a1]", text)
