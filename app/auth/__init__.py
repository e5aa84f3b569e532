"""Signing in and out, changing one's password, choosing the language."""
from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from app.auth import routes  # noqa: E402,F401  (the routes register themselves on bp)
