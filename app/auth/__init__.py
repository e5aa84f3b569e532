"""Signing in and out, changing one's password, choosing the language."""
from flask import Blueprint

from app import templating

bp = Blueprint("auth", __name__, template_folder="templates")
templating.register(bp)

from app.auth import routes  # noqa: E402,F401  (the routes register themselves on bp)
