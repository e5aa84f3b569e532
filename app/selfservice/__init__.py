"""Worker self-service (GDPR art. 15): a one-time link shows a person everything Portvakt holds about them."""
from flask import Blueprint

bp = Blueprint("selfservice", __name__, template_folder="templates")

from app.selfservice import routes  # noqa: E402,F401
