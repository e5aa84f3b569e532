"""§ 8 follow-ups: invalid, blocked, lost or stolen cards seen at the gate, the notice to send, and closing them."""
from flask import Blueprint

bp = Blueprint("followups", __name__, template_folder="templates")

from app.followups import routes  # noqa: E402,F401
