"""Workers whose HMS card is on order: the site's orders, recording one, registering the worker by hand, the receipt."""
from flask import Blueprint

bp = Blueprint("card_orders", __name__, template_folder="templates")

from app.card_orders import routes  # noqa: E402,F401
