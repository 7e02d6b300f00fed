"""The chat feature's HTTP side: its static assets and the data the widget template needs."""

from flask import Blueprint, render_template

from blueprints.chat import attachments
from blueprints.chat.strings import widget_strings

bp = Blueprint("chat", __name__, template_folder="templates", static_folder="static",
               static_url_path="/chat/static")
bp.register_blueprint(attachments.bp)  # images: upload, fetch, take back (HTTP, never Socket.IO)


@bp.get("/chat/embed.js")
def embed_script():
    """The one script another site of the owner includes to show the chat (``EMBED_ORIGINS``)."""
    return bp.send_static_file("chat/embed.js")


@bp.get("/chat/embed/widget")
def embed_widget():
    """The widget's markup and strings for embed.js, in the language ``?lang=`` asks for."""
    return render_template("chat/widget.html", chat_embed=True)


@bp.app_context_processor
def widget_context():
    """Let every page render the widget with its strings in the page's language."""
    return {"chat_widget_strings": widget_strings}
