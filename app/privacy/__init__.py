"""The public privacy notice of a site (GDPR art. 13): what the kiosk's short notice links to."""
from flask import Blueprint

bp = Blueprint("privacy", __name__, template_folder="templates")

from app.privacy import routes  # noqa: E402,F401  (registers the routes)
