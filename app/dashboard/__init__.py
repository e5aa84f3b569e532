"""The start page: the sites a user may see, with today's numbers and a small chart."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, template_folder="templates")

from app.dashboard import routes  # noqa: E402,F401
