"""What we store: /privacy/data and GET /api/privacy/data, generated from the database schema."""

from flask import jsonify, render_template
from flask_babel import format_number

from blueprints.policy.views import bp
from clipai.services import inventory


@bp.get("/privacy/data")
def data_page():
    """Every table and column the site stores, why, for how long, and what it never collects."""
    return render_template("policy/data.html", inventory=inventory.inventory(), format_number=format_number)


@bp.get("/api/privacy/data")
def api_data():
    """The same inventory as JSON: ``{tables: [...], not_collected: [...]}``."""
    return jsonify(inventory.inventory())
