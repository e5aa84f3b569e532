"""A day that has not begun cannot be checked: the service refuses it, whoever calls (not only the page)."""
from datetime import timedelta

import pytest

from app.models import DailyList
from app.services import lists
from tests.support.workflow_data import NOW, TODAY, make_site, make_user


def test_the_service_refuses_to_check_a_day_after_today(db_session):
    site = make_site()
    with pytest.raises(lists.DayNotBegun):
        lists.check_day(site.id, TODAY + timedelta(days=1), make_user("builder_rep", site), NOW)
    assert DailyList.query.count() == 0


def test_the_service_checks_today(db_session):
    site = make_site()
    assert lists.check_day(site.id, TODAY, make_user("builder_rep", site), NOW).version == 1
