"""An unexpected error is logged without the path's secrets or the database's parameters."""
import logging

import pytest
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db


@pytest.fixture
def failing_app(app):
    """A separate app with one failing route (the shared app's routes are fixed by the access matrix)."""
    broken = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @broken.get("/share/<token>/boom-for-test")
    def boom(token):
        raise RuntimeError("kaboom")

    return broken


def test_unhandled_error_logs_the_route_pattern_not_the_token(failing_app, caplog):
    with caplog.at_level(logging.ERROR):
        response = failing_app.test_client().get("/share/SECRETTOKEN0123456789abcdef/boom-for-test")
    assert response.status_code == 500 and b"Traceback" not in response.data
    assert "SECRETTOKEN0123456789abcdef" not in caplog.text
    assert "/share/<token>/boom-for-test" in caplog.text


def test_database_errors_hide_their_parameters(app):
    from app.models import Company

    db.session.add(Company(name="Ærlig Bygg AS", org_number="923609016"))
    db.session.commit()
    db.session.add(Company(name="Hemmelig Navn AS", org_number="923609016"))
    with pytest.raises(IntegrityError) as caught:
        db.session.commit()
    db.session.rollback()
    assert "Hemmelig Navn" not in str(caught.value)
