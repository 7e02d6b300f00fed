"""Home page and the health check."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from clipai import storage
from clipai.extensions import limiter

bp = Blueprint("pages", __name__, template_folder="templates")


@bp.get("/")
def home():
    return render_template("pages/home.html")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Answer ``ok`` when the database answers, 503 otherwise."""
    try:
        with storage.reading() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any driver error means the site cannot serve
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok"})
