"""Which employer (and innleievirksomhet) a person's new day row gets: app/domain/attendance.employer_for_scan."""
from datetime import date

import pytest

from app.domain.attendance import Engagement, employer_for_scan

DAY = date(2026, 12, 7)
CARD_EMPLOYER, OTHER, AGENCY = 1, 2, 9


def engagement(employer_id, hired_by_id=None, active_from=None, active_to=None) -> Engagement:
    return Engagement(employer_id, hired_by_id, active_from, active_to)


@pytest.mark.parametrize("engagements, expected", [
    ([], (CARD_EMPLOYER, None)),  # no engagement here: the card's employer, hired by nobody
    ([engagement(CARD_EMPLOYER, AGENCY)], (CARD_EMPLOYER, AGENCY)),
    ([engagement(OTHER, AGENCY)], (OTHER, AGENCY)),  # hired out: the engagement names the § 15 employer
    ([engagement(OTHER), engagement(CARD_EMPLOYER, AGENCY)], (CARD_EMPLOYER, AGENCY)),  # the card's wins
    ([engagement(OTHER, AGENCY), engagement(OTHER)], (OTHER, AGENCY)),  # else the oldest active one
    ([engagement(CARD_EMPLOYER, AGENCY, active_to=date(2026, 12, 6))], (CARD_EMPLOYER, None)),  # ended
    ([engagement(OTHER, AGENCY, active_from=date(2026, 12, 8))], (CARD_EMPLOYER, None)),  # not begun
    ([engagement(OTHER, AGENCY, active_from=DAY, active_to=DAY)], (OTHER, AGENCY)),  # both ends count
    ([engagement(CARD_EMPLOYER, active_to=date(2026, 12, 1)), engagement(OTHER, AGENCY)], (OTHER, AGENCY)),
])
def test_the_employer_for_a_scan(engagements, expected):
    assert employer_for_scan(engagements, CARD_EMPLOYER, DAY) == expected
