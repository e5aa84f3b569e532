"""The product's app with one extra endpoint, for bench/floor.py only (never deployed).

POST /_bench/floor/<n> does the least any scan must do: parse a scan-sized JSON body, run n
indexed statements in one transaction (n - 1 primary-key lookups, then one INSERT), commit
durably and answer JSON. Everything else is the product's: config, pool, session interface,
security headers, gunicorn settings. What it costs is the floor under a real scan on this stack.
"""
from flask import Blueprint, jsonify, request
from sqlalchemy import text

from app import create_app
from app.extensions import csrf, db

FLOOR_TABLE = "CREATE TABLE IF NOT EXISTS bench_floor (id VARCHAR(64) PRIMARY KEY, payload TEXT NOT NULL)"
LOOKUP = text("SELECT id FROM bench_floor WHERE id = :id")
INSERT = text("INSERT INTO bench_floor (id, payload) VALUES (:id, :payload)")

bp = Blueprint("bench_floor", __name__)
csrf.exempt(bp)


@bp.post("/_bench/floor/<int:statements>")
def floor(statements: int):
    body = request.get_json()
    for _ in range(statements - 1):
        db.session.execute(LOOKUP, {"id": body["id"]})
    db.session.execute(INSERT, {"id": body["id"], "payload": body["payload"]})
    db.session.commit()
    return jsonify(id=body["id"], decision="accepted", direction=body["direction"])


app = create_app()
app.register_blueprint(bp)
