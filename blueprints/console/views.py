"""The operator console page and the transcript download; it signs in through the core's token API (``clipai.auth``)."""

from flask import Blueprint, render_template

from blueprints.console import export
from blueprints.console import reports
from blueprints.console.strings import console_strings

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/console/static")
bp.register_blueprint(reports.bp)  # /console/reports and its JSON API, endpoints console.reports.*
bp.add_url_rule("/api/console/conversations/<int:conversation_id>/transcript", view_func=export.transcript)


@bp.get("/console")
def console_page():
    """Serve the operator console; it signs in through the token API, so the page itself is public."""
    return render_template("console/console.html", console_strings=console_strings(), chat_widget_hidden=True)
