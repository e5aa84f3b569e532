from flask import g, render_template

from app.auth.access import site_action
from app.sites import bp


@bp.get("/<int:site_id>")
@site_action("view_site")
def show(site_id: int):
    return render_template("sites/show.html", site=g.site)
