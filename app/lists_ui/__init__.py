"""Daily control of the § 15 list: a day's list, marking it checked, archived versions, manual registration, corrections."""
from flask import Blueprint

bp = Blueprint("lists_ui", __name__, template_folder="templates")

from app.lists_ui import routes  # noqa: E402,F401
