"""The site's safety induction: the builder_rep's settings and briefings, and the worker's phone page."""
from flask import Blueprint

bp = Blueprint("induction", __name__, template_folder="templates")

from app.induction import routes  # noqa: E402,F401
