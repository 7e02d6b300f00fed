"""Operator console: the console page, the /console namespace and the token API."""


def init_app(app):
    from blueprints.console.views import bp

    app.register_blueprint(bp)
