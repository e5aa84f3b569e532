"""The site's "Overføringer" page: what went to HMSREG and ELRAPP today, what waits, what failed, resend."""
from flask import Blueprint

bp = Blueprint("transfers", __name__, template_folder="templates")

from app.transfers import routes  # noqa: E402,F401
