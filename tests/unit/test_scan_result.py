"""The kiosk API's answer to a scan: every field of ScanResult reaches the JSON, nothing else."""
from dataclasses import fields

from app.services.scans import ScanResult


def test_as_dict_carries_every_field_and_a_plain_list_of_warnings():
    result = ScanResult(id="9b2f4c1e-0000-4000-8000-000000000001", decision="accepted", direction="in",
                        reason="ok", message={"nb": "Velkommen", "en": "Welcome"},
                        person={"name": "Åse Ødegård", "employer": "Betong Vest AS"},
                        card={"number": "40007924", "valid_to": "2027-06-30"}, verified=True,
                        warnings=("late",))
    answer = result.as_dict()
    assert set(answer) == {field.name for field in fields(ScanResult)}
    assert answer["warnings"] == ["late"] and answer["person"]["name"] == "Åse Ødegård"
