"""The gate's one read brings only the stored scans the rules can use (domain/attendance.ScanWindow):
another site's within two hours, this site's within ten minutes."""
from datetime import timedelta

from app.clock import local_day
from app.domain.attendance import scan_window
from app.services.gate_queries import read_gate
from tests.support.kiosk_api import cardsim, scan_body, utc_now, world  # noqa: F401  (fixtures)


def test_the_read_skips_this_sites_scans_the_rules_cannot_use(app, client, world):
    kari, now = world.workers["kari"], utc_now()
    for kiosk, minutes_ago in (("tromso", 90), ("gate", 40), ("gate2", 5)):
        response = client.post("/api/v1/scans", json=scan_body(kari.card_number, at=now - timedelta(minutes=minutes_ago)),
                               headers=world.headers(kiosk))
        assert response.status_code == 200, response.json
    snapshot = read_gate(local_date=local_day(now), today=local_day(now), window=scan_window(now, timedelta(seconds=30)),
                         number=kari.card_number, card_number=kari.card_number, kiosk_id=world.kiosk_ids["gate"])
    read = sorted((scan.site_id, round((now - scan.scanned_at).total_seconds() / 60)) for scan in snapshot.recent)
    assert read == sorted([(world.other_site_id, 90), (world.site_id, 5)])
