"""Is the database whole? Every accepted scan of a person has its day row, and every day row is
exactly what its accepted scans add up to (a half-written scan would leave one without the other)."""
from app.domain import attendance as rules
from app.extensions import db
from app.models import AttendanceDay, ScanEvent


def days_that_disagree_with_their_scans() -> list[str]:
    db.session.expire_all()
    scans: dict[tuple, list] = {}
    for event in db.session.query(ScanEvent).filter_by(decision="accepted").filter(ScanEvent.person_id.isnot(None),
                                                                                    ScanEvent.voided_at.is_(None)):
        copied = rules.POSSIBLE_COPIED_CARD in (event.warnings or ())
        scans.setdefault((event.site_id, event.person_id, event.local_date), []).append(
            (event.direction, event.scanned_at, copied))
    days = {(d.site_id, d.person_id, d.local_date): d for d in db.session.query(AttendanceDay)}
    problems = [f"scans without a day row: {key}" for key in scans.keys() - days.keys()]
    for key, day in days.items():
        state = rules.rebuild_day(scans.get(key, ()))
        stored = (day.first_in, day.last_out, day.last_scan_at, bool(day.is_present))
        if state is None or stored[:3] != (state.first_in, state.last_out, state.last_scan_at) \
                or not _presence_fits(bool(day.is_present), scans[key], state.last_scan_at):
            problems.append(f"day {key} stored {stored}, its scans say {state}")
    return problems


def _presence_fits(is_present: bool, scans: list, newest) -> bool:
    """In or out follows the newest scan; scans with the very same time were taken in an order the
    rows do not keep, so any of those may have been the last one."""
    return any((direction == "in") == is_present for direction, at, _ in scans if at == newest)
