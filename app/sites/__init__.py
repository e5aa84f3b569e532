"""One site: presence, muster, lists, rejected and unverified scans, contract chain, kiosks, people, audit,
and its settings from creation to "works finished"."""
from flask import Blueprint

bp = Blueprint("sites", __name__, template_folder="templates")

from app.sites import routes, settings_routes  # noqa: E402,F401
