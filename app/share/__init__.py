"""Access on request: time-limited read-only links to a site's lists for inspectors and employers."""
from flask import Blueprint

bp = Blueprint("share", __name__, template_folder="templates")

from app.share import routes  # noqa: E402,F401
