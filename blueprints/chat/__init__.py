"""Visitor support chat: the widget on every page and the /chat Socket.IO namespace."""

from clipai.features import add_page_fragment


def init_app(app):
    from blueprints.chat import relays, retention
    from blueprints.chat.views import bp

    app.register_blueprint(bp)
    relays.init_app(app)  # the /chat namespace and the relays from the conversation services
    retention.init_app(app)  # `clipai chat purge` and the periodic purge
    add_page_fragment(app, "chat/widget.html")
