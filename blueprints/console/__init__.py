"""Operator console: the console page and the /console namespace (sign-in is the core's, clipai.auth)."""


def init_app(app):
    from blueprints.console import relays, reports, shared_presence
    from blueprints.console.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(reports.bp)  # /console/reports and its JSON API
    relays.init_app(app)  # the /console namespace and the relays from the conversation services
    shared_presence.init_app(app)  # with a Redis message queue, while the server runs
