"""The CSV § 15 list names its site, byggherre and date (§ 15 a and b), like the PDF and the Excel file."""
import csv
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

from reports.data import CompanyInfo, DailyListReport, EmployerGroup, ListRow, SiteInfo
from reports.exports import DAILY_COLUMNS, daily_csv

OSLO = ZoneInfo("Europe/Oslo")
SITE = SiteInfo("=Kaia Øst", "Kaigata 1, 5003 Bergen", "Bergen kommune")
MAIN = CompanyInfo("Nordbygg AS", "912345674")
ROW = ListRow("Rūta", "Jankauskienė", date(1991, 6, 30), MAIN, None, "40031676")
REPORT = DailyListReport(SITE, date(2026, 11, 25), (EmployerGroup(MAIN, (ROW,)),), "ab" * 32,
                         datetime(2026, 11, 25, 18, 0, tzinfo=OSLO), show_times=False)


def test_the_csv_starts_with_the_site_builder_and_date_then_the_people():
    content = daily_csv(REPORT)
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(StringIO(content[3:].decode("utf-8")), delimiter=";"))
    facts = {row[0]: row[1] for row in rows if len(row) == 2}
    assert facts["Byggeplass / Site"] == "'=Kaia Øst, Kaigata 1, 5003 Bergen"  # typed text, never a formula
    assert facts["Byggherre / Builder"] == "Bergen kommune"
    assert facts["Dato / Date"] == "25.11.2026"
    assert facts["Listens data, SHA-256 / Data hash"] == "ab" * 32
    heading = next(i for i, row in enumerate(rows) if row and row[0] == DAILY_COLUMNS[0])
    assert heading > 0 and rows[heading + 1][:2] == ["Jankauskienė", "Rūta"]
