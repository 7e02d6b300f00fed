"""Operator console: the console page, the /console namespace and the token API."""


def init_app(app):
    from blueprints.console import relays
    from blueprints.console.views import bp

    app.register_blueprint(bp)
    relays.init_app(app)  # the /console namespace and the relays from the conversation services
