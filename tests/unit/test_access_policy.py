"""The access policy: who may do what on which site, decided from memberships alone."""
from types import SimpleNamespace

import pytest

from app.auth.access import KEEPERS, POLICY, grant

SITE, OTHER = 1, 2


def user(*memberships, active=True):
    return SimpleNamespace(is_authenticated=True, is_active=active, memberships=[
        SimpleNamespace(role=role, site_id=site, company_id=company) for role, site, company in memberships])


ANONYMOUS = SimpleNamespace(is_authenticated=False, is_active=False, memberships=[])


@pytest.mark.parametrize("role, action, allowed", [
    ("safety_rep", "view_list", True),
    ("safety_rep", "check_list", False),  # the verneombud reads the list, does not sign it off
    ("safety_rep", "view_audit", False),
    ("coordinator", "view_muster", True),
    ("coordinator", "manage_kiosks", False),
    ("builder_rep", "check_list", True),
    ("builder_rep", "view_audit", True),
    ("builder_rep", "manage_users", False),
    ("employer_viewer", "view_presence", True),
    ("employer_viewer", "view_muster", False),
    ("employer_viewer", "view_rejected", False),
    ("employer_viewer", "view_archived_list", False),  # an archived version holds every employer
    ("safety_rep", "view_archived_list", True),
    ("admin", "manage_kiosks", True),
])
def test_roles_on_their_own_site(role, action, allowed):
    company = 7 if role == "employer_viewer" else None
    assert grant(user((role, SITE, company)), action, SITE).allowed is allowed


def test_a_role_on_one_site_gives_nothing_on_another():
    assert not grant(user(("builder_rep", SITE, None)), "view_list", OTHER).allowed


def test_a_membership_without_a_site_covers_every_site():
    assert grant(user(("admin", None, None)), "check_list", OTHER).allowed
    assert grant(user(("coordinator", None, None)), "view_muster", OTHER).allowed


def test_an_employer_is_scoped_to_its_company():
    answer = grant(user(("employer_viewer", SITE, 7)), "view_people", SITE)
    assert answer.allowed and answer.company_scope == 7


def test_an_employer_without_a_company_sees_nothing():
    assert not grant(user(("employer_viewer", SITE, None)), "view_people", SITE).allowed


def test_a_broader_role_on_the_same_site_lifts_the_company_scope():
    answer = grant(user(("employer_viewer", SITE, 7), ("coordinator", SITE, None)), "view_people", SITE)
    assert answer.allowed and answer.company_scope is None


def test_inactive_and_anonymous_users_may_do_nothing():
    assert not grant(user(("admin", None, None), active=False), "view_site", SITE).allowed
    assert not grant(ANONYMOUS, "view_site", SITE).allowed


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        grant(user(("admin", None, None)), "launch_rockets", SITE)


def test_only_admins_manage_users_and_only_keepers_change_the_list():
    assert POLICY["manage_users"] == {"admin"}
    for action in ("check_list", "register_manual", "correct_registration", "create_share_link"):
        assert POLICY[action] == KEEPERS
