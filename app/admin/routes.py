from flask import render_template

from app.admin import bp
from app.auth.access import admin_required


@bp.get("/users")
@admin_required
def users():
    return render_template("admin/users.html")


@bp.get("/audit")
@admin_required
def audit():
    return render_template("admin/users.html")
