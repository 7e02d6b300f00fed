"""Operator console: the console page and the /console namespace (sign-in is the core's, clipai.auth)."""


def init_app(app):
    from blueprints.console import relays, shared_presence
    from blueprints.console.views import bp

    app.register_blueprint(bp)  # with reports.bp nested in it (views.py)
    relays.init_app(app)  # the /console namespace and the relays from the conversation services
    shared_presence.init_app(app)  # with a Redis message queue, while the server runs
