"""The ELRAPP export against Statens vegvesen's documented Oversiktsliste format (v2).

The schema below is written from https://elrapp-api.atlas.vegvesen.no/docs/dok/Oversiktsliste.html:
a list of objects; "Du kan velge om du ønsker å sende datoInn og datoUt, dato og timer eller kun
dato. Resterende properties er obligatoriske." Kortnummer and KontraktId are JSON integers in the
documented example; Orgnummer is a string (here: a Norwegian org number, nine digits).
"""
import json
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import jsonschema_rs
import pytest

from reports.data import CompanyInfo, DailyListReport, EmployerGroup, ListRow, SiteInfo
from reports.exports import ExportRefused, elrapp_items, elrapp_json

DATE_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
NULL = {"type": "null"}
ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["Kortnummer", "KontraktId", "Fornavn", "Etternavn", "Orgnummer", "Fdato", "HmsUtlopsdato"],
    "properties": {
        "Kortnummer": {"type": "integer", "minimum": 1, "maximum": 99999999},
        "KontraktId": {"type": "integer", "minimum": 1},
        "DatoInn": {"anyOf": [DATE_TIME, NULL]},
        "DatoUt": {"anyOf": [DATE_TIME, NULL]},
        "Dato": {"anyOf": [DATE_TIME, NULL]},
        "Timer": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 24}, NULL]},
        "Fornavn": {"type": "string", "minLength": 1},
        "Etternavn": {"type": "string", "minLength": 1},
        "Orgnummer": {"type": "string", "pattern": r"^\d{9}$"},
        "Fdato": DAY,
        "HmsUtlopsdato": DAY,
    },
    # Exactly one of the documented date alternatives.
    "oneOf": [
        {"properties": {"DatoInn": DATE_TIME, "DatoUt": DATE_TIME, "Dato": NULL, "Timer": NULL},
         "required": ["DatoInn", "DatoUt"]},
        {"properties": {"DatoInn": NULL, "DatoUt": NULL, "Dato": DATE_TIME, "Timer": {"type": "number"}},
         "required": ["Dato", "Timer"]},
        {"properties": {"DatoInn": NULL, "DatoUt": NULL, "Dato": DATE_TIME, "Timer": NULL},
         "required": ["Dato"]},
    ],
}
SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array", "items": ITEM}
VALIDATOR = jsonschema_rs.validator_for(SCHEMA)

OSLO = ZoneInfo("Europe/Oslo")
SITE = SiteInfo("Kvartal Løkkeveien", "Løkkeveien 10, 4008 Stavanger", "Fjordbygg Eiendom AS", "4255")
MAIN = CompanyInfo("Nordbygg Entreprenør AS", "923609016")
LT = CompanyInfo("UAB Statybų Grupė", "LT 304567891")
LT_NUF = CompanyInfo("UAB Statybų Grupė NUF", "999888704")


def row(first, employer=MAIN, card="40031676", valid_to=date(2027, 5, 31), first_in=None, last_out=None):
    return ListRow(first, "Jankauskienė", date(1991, 6, 30), employer, None, card, valid_to, first_in, last_out)


IN = datetime(2026, 11, 25, 7, 2, tzinfo=OSLO)
OUT = datetime(2026, 11, 25, 15, 31, tzinfo=OSLO)
ROWS = (row("Rūta", first_in=IN, last_out=OUT), row("Ona", first_in=IN), row("Jonas", employer=LT_NUF))


def report(rows=ROWS, show_times=True, site=SITE):
    return DailyListReport(site, date(2026, 11, 25), (EmployerGroup(MAIN, rows),), "ab" * 32,
                           datetime(2026, 11, 25, 18, 0, tzinfo=OSLO), show_times=show_times)


@pytest.mark.parametrize("show_times", [True, False])
def test_the_export_validates_against_the_documented_format(show_times):
    items = json.loads(elrapp_json(report(show_times=show_times)))
    VALIDATOR.validate(items)
    assert len(items) == 3 and all(item["KontraktId"] == 4255 and item["Kortnummer"] == 40031676 for item in items)


def test_in_and_out_are_sent_without_dato_and_the_day_alone_otherwise():
    ruta, ona, _ = json.loads(elrapp_json(report()))
    assert (ruta["DatoInn"], ruta["DatoUt"], ruta["Dato"]) == ("2026-11-25T07:02:00", "2026-11-25T15:31:00", None)
    assert (ona["DatoInn"], ona["DatoUt"], ona["Dato"], ona["Timer"]) == (None, None, "2026-11-25T00:00:00", None)
    quiet = json.loads(elrapp_json(report(show_times=False)))[0]
    assert (quiet["DatoInn"], quiet["Dato"]) == (None, "2026-11-25T00:00:00")


def test_the_export_is_refused_without_an_integer_contract_id():
    for contract in (None, "", "K-4255"):
        with pytest.raises(ExportRefused) as refused:
            elrapp_json(report(site=replace(SITE, contract_id=contract)))
        assert "ELRAPP" in str(refused.value) and refused.value.code == "no_contract_id"


def test_rows_elrapp_cannot_take_are_left_out_and_counted_never_sent_with_nulls():
    rows = (row("Rūta"), row("Foreign", employer=LT), row("Ordered", card=None), row("Undated", valid_to=None))
    items, left_out = elrapp_items(report(rows))
    VALIDATOR.validate(items)
    assert [item["Fornavn"] for item in items] == ["Rūta"]
    assert left_out == {"no_org_number": 1, "no_card_number": 1, "no_card_expiry": 1}
    assert all("LT" not in item["Orgnummer"] for item in items)
