"""No 500, ever (issue 15, item 5): every date, page and name a person can type is bounded or refused.

Each case here was a 500 (or a silent bad record) once; the attack classes are also in
tests/reliability/test_web_abuse.py, which runs them over every route of the access matrix.
"""
from datetime import date

import pytest

from app.extensions import db
from app.models import Kiosk, User
from app.services.audit import audit
from tests.support.web import login_as, make_site, make_user


@pytest.fixture
def site(app):
    made = make_site()
    made.start_date = date(2024, 3, 4)
    db.session.commit()
    return made


@pytest.mark.parametrize("page", ["rejected", "unverified"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_day_outside_the_sites_range_is_clamped_not_a_500(client, site, page, day):
    login_as(client, make_user("builder_rep", site))
    response = client.get(f"/sites/{site.id}/{page}", query_string={"day": day})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    if day < "2024-03-04":  # before the site began: its first day, and no way further back
        assert "04.03.2024" in body or "2024-03-04" in body
        assert f"day={date(2024, 3, 3).isoformat()}" not in body


@pytest.mark.parametrize("url", ["/sites/{site}/audit", "/admin/audit"])
@pytest.mark.parametrize("page", ["99999999999999999999", "-5", "0", "abc", str(2**63)])
def test_an_absurd_audit_page_is_not_a_500(client, site, url, page):
    audit("site.update", None, site_id=site.id, target_type="site", target_id=site.id)
    db.session.commit()
    login_as(client, make_user("admin"))
    response = client.get(url.format(site=site.id), query_string={"page": page})
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("target", ["/%0d%0aSet-Cookie:%20x=1", "/sites%0a", "%0d%0a", "/\r\nLocation: //evil"])
def test_a_language_switch_with_cr_lf_in_next_goes_home(client, target):
    response = client.get(f"/language/en?next={target}")
    assert response.status_code == 302
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert "Set-Cookie: x" not in str(response.headers)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"])
def test_the_cli_list_refuses_the_days_the_web_refuses(client, runner, site, tmp_path, day):
    user = make_user("admin")
    login_as(client, user)
    web = client.get(f"/sites/{site.id}/lists/{day}/download/pdf")
    result = runner.invoke(args=["list", "pdf", "--site", str(site.id), "--date", day, "--out",
                                 str(tmp_path / "l.pdf")])
    assert web.status_code == 404
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit), \
        result.output
    assert "Traceback" not in result.output and not (tmp_path / "l.pdf").exists()


def test_the_cli_list_still_writes_a_normal_day(runner, site, tmp_path):
    result = runner.invoke(args=["list", "pdf", "--site", str(site.id), "--date", "2024-03-05", "--out",
                                 str(tmp_path / "l.pdf")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_the_cli_refuses_a_kiosk_without_a_name(runner, site, name):
    result = runner.invoke(args=["kiosk", "create", "--site", str(site.id), "--name", name])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert db.session.query(Kiosk).count() == 0


def test_the_kiosk_service_refuses_an_empty_name(site):
    from app.services import kiosks
    with pytest.raises(ValueError):
        kiosks.create_kiosk(site, "  ", "auto", "test", None)


@pytest.mark.parametrize("name", ["", "  "])
def test_the_cli_refuses_a_user_without_a_name(runner, name):
    result = runner.invoke(args=["user", "create", "--email", "a@b.no", "--name", name, "--role", "admin"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("url", ["/sites/{site}/audit", "/admin/audit"])
@pytest.mark.parametrize("dates", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"},
                                   {"date_from": "0001-01-01", "date_to": "0001-01-01"}])
def test_absurd_audit_dates_are_not_a_500(client, site, url, dates):
    login_as(client, make_user("admin"))
    assert client.get(url.format(site=site.id), query_string=dates).status_code == 200
