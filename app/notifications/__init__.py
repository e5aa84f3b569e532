"""E-mail notifications to site staff (issue 19): the conditions, the mails and each user's settings page."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")

from app.notifications import routes  # noqa: E402,F401
