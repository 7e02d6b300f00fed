"""The chat feature's HTTP side: its static assets and the data the widget template needs."""

from flask import Blueprint

from blueprints.chat import attachments
from blueprints.chat.strings import widget_strings

bp = Blueprint("chat", __name__, template_folder="templates", static_folder="static",
               static_url_path="/chat/static")
bp.register_blueprint(attachments.bp)  # images: upload, fetch, take back (HTTP, never Socket.IO)


@bp.app_context_processor
def widget_context():
    """Let every page render the widget with its strings in the page's language."""
    return {"chat_widget_strings": widget_strings}
