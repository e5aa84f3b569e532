"""A site's crew: who works here for whom, added one by one or imported from an employer's crew list."""
from flask import Blueprint

bp = Blueprint("crews", __name__, template_folder="templates")

from app.crews import routes  # noqa: E402,F401
