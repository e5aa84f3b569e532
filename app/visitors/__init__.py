"""Visitors at the site office: registered and signed out here, counted on the evacuation list."""
from flask import Blueprint

bp = Blueprint("visitors", __name__, template_folder="templates")

from app.visitors import routes  # noqa: E402,F401
