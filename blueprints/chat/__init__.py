"""Visitor support chat: the widget on every page, the /chat Socket.IO namespace, ``clipai chat``."""

from clipai.features import add_page_fragment
from clipai.services import office_hours


def init_commands(app):
    from clipai.cli import LazyGroup

    app.cli.add_command(LazyGroup("chat", "blueprints.chat.commands:chat_cli", help="Support chat."))


def init_app(app):
    from blueprints.chat import relays, retention
    from blueprints.chat.views import bp

    office_hours.init_app(app)  # a mistake in OFFICE_HOURS stops the start here, with what is wrong
    app.register_blueprint(bp)
    relays.init_app(app)  # the /chat namespace and the relays from the conversation services
    retention.init_app(app)  # the periodic purge
    init_commands(app)
    add_page_fragment(app, "chat/widget.html")
