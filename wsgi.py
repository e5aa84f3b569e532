"""Entry point for gunicorn (`wsgi:app`) and the flask CLI (`flask --app wsgi`)."""

from app.boot import create_checked_app

app = create_checked_app()
