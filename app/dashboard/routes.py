from flask import render_template
from flask_login import current_user, login_required

from app.auth.access import visible_sites
from app.dashboard import bp


@bp.get("/")
@login_required
def index():
    return render_template("dashboard/index.html", sites=visible_sites(current_user))
