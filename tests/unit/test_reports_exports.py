"""CSV, Excel and ELRAPP JSON exports of the daily list and the period report."""
import csv
import json
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from reports.data import (
    CompanyInfo, DailyListReport, EmployerDays, EmployerGroup, ListRow, PeriodReport, PersonDays, SiteInfo,
)
from reports.exports import daily_csv, daily_xlsx, elrapp_json, period_csv, period_xlsx

OSLO = ZoneInfo("Europe/Oslo")
SITE = SiteInfo("Kvartal Løkkeveien", "Løkkeveien 10, 4008 Stavanger", "Fjordbygg Eiendom AS", "4255")
MAIN = CompanyInfo("Nordbygg Entreprenør AS", "912345674")
AGENCY = CompanyInfo("Bemanning Nord AS", "999888702")
LT = CompanyInfo("UAB Statybų Grupė", "LT 304567891")
RUTA = ListRow("Rūta", "Jankauskienė", date(1991, 6, 30), LT, None, "40031676", date(2027, 5, 31),
               datetime(2026, 11, 25, 7, 2, tzinfo=OSLO), datetime(2026, 11, 25, 15, 31, tzinfo=OSLO),
               ("possible_copied_card",))
AERLEND = ListRow("Ærlend", "Ødegård-Åsheim", date(1988, 2, 29), AGENCY, MAIN, "40007919", date(2028, 1, 1),
                  datetime(2026, 11, 25, 7, 0, tzinfo=OSLO), None, ("no_exit_recorded",))
EVIL = ListRow("=HYPERLINK(\"x\")", "+Sum", date(1990, 1, 1), MAIN, None, "40000001")
DAILY = DailyListReport(SITE, date(2026, 11, 25),
                        (EmployerGroup(AGENCY, (AERLEND,)), EmployerGroup(MAIN, (EVIL,)), EmployerGroup(LT, (RUTA,))),
                        "ab" * 32, datetime(2026, 11, 25, 18, 0, tzinfo=OSLO))
PERIOD = PeriodReport(SITE, date(2026, 11, 1), date(2026, 11, 30), (
    EmployerDays(AGENCY, (PersonDays("Ærlend", "Ødegård-Åsheim", date(1988, 2, 29), AGENCY, MAIN, "40007919",
                                     (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 5))),)),
    EmployerDays(LT, (PersonDays("Rūta", "Jankauskienė", date(1991, 6, 30), LT, None, "40031676",
                                 (date(2026, 11, 3),)),)),
), datetime(2026, 11, 30, 18, 0, tzinfo=OSLO))


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(StringIO(content[3:].decode("utf-8")), delimiter=";"))


def people_rows(content: bytes) -> list[list[str]]:
    """The daily CSV from its heading row on (the § 15 facts come first)."""
    rows = read_csv(content)
    return rows[next(i for i, row in enumerate(rows) if row and row[0] == "Etternavn / Last name"):]


def test_daily_csv_is_semicolon_utf8_with_bom_and_every_field():
    rows = people_rows(daily_csv(DAILY))
    assert rows[0][0] == "Etternavn / Last name" and len(rows) == 4
    assert rows[1] == ["Ødegård-Åsheim", "Ærlend", "29.02.1988", "Bemanning Nord AS", "999888702",
                       "Nordbygg Entreprenør AS", "912345674", "40007919", "07:00", "",
                       "Utgang ikke registrert / no exit recorded"]
    assert rows[3][:5] == ["Jankauskienė", "Rūta", "30.06.1991", "UAB Statybų Grupė", "LT 304567891"]


def test_cells_that_look_like_formulas_are_neutralised():
    rows = people_rows(daily_csv(DAILY))
    assert rows[2][:2] == ["'+Sum", "'=HYPERLINK(\"x\")"]
    sheet = load_workbook(BytesIO(daily_xlsx(DAILY))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "'=HYPERLINK(\"x\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_daily_xlsx_has_the_site_facts_and_the_people():
    sheet = load_workbook(BytesIO(daily_xlsx(DAILY))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    flat = [cell for row in values for cell in row if cell]
    assert "Kvartal Løkkeveien, Løkkeveien 10, 4008 Stavanger" in flat and "Fjordbygg Eiendom AS" in flat
    assert "ab" * 32 in flat
    heading = next(i for i, row in enumerate(values) if row[0] == "Etternavn / Last name")
    assert [row[0] for row in values[heading + 1:]] == ["Ødegård-Åsheim", "'+Sum", "Jankauskienė"]


def test_elrapp_json_has_the_fields_elrapp_takes():
    # ELRAPP takes valid org numbers only (a foreign employer's NUF); rows without one are left out.
    valid = {LT: CompanyInfo(LT.name, "923609016"), AGENCY: CompanyInfo(AGENCY.name, "999888704")}
    groups = tuple(EmployerGroup(g.employer, tuple(replace(r, employer=valid.get(r.employer, r.employer))
                                                   for r in g.rows)) for g in DAILY.groups)
    items = json.loads(elrapp_json(replace(DAILY, groups=groups)))
    ruta = next(item for item in items if item["Etternavn"] == "Jankauskienė")
    assert ruta == {
        "Kortnummer": 40031676, "KontraktId": 4255, "Dato": None, "Timer": None,
        "DatoInn": "2026-11-25T07:02:00", "DatoUt": "2026-11-25T15:31:00", "Fornavn": "Rūta",
        "Etternavn": "Jankauskienė", "Orgnummer": "923609016", "Fdato": "1991-06-30",
        "HmsUtlopsdato": "2027-05-31",
    }
    aerlend = next(item for item in items if item["Fornavn"] == "Ærlend")
    assert aerlend["DatoInn"] is None and aerlend["DatoUt"] is None  # no exit: the day only
    assert aerlend["Dato"] == "2026-11-25T00:00:00"


def test_period_csv_lists_each_person_with_days_and_dates():
    rows = read_csv(period_csv(PERIOD))
    assert rows[1][0] == "Ødegård-Åsheim" and rows[1][7] == "3"
    assert rows[1][8] == "02.11.2026, 03.11.2026, 05.11.2026"
    assert rows[1][5] == "Nordbygg Entreprenør AS (912345674)"


def test_period_xlsx_totals_person_days_per_employer():
    workbook = load_workbook(BytesIO(period_xlsx(PERIOD)))
    employers = [row for row in workbook["Arbeidsgivere"].iter_rows(values_only=True)]
    assert ("Bemanning Nord AS", "999888702", 1, 3) in employers
    assert ("Totalt / total", None, 2, 4) in employers or ("Totalt / total", "", 2, 4) in employers
    people = [row[0] for row in workbook["Personer"].iter_rows(values_only=True)]
    assert "Jankauskienė" in people
