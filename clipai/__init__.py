"""ClipAI website: the application factory."""

from clipai import auth, cli, errors, features, health, i18n, ratelimit, runtime, security, storage, transport_guard
from clipai.config import load_config
from clipai.extensions import babel
from clipai.runtime.events import RealtimeFlask


def create_app(test_config=None):
    """Build the app: settings, extensions, storage, CLI, sign-in, health check, then the enabled features."""
    app = RealtimeFlask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    security.init_app(app)
    i18n.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    ratelimit.init_app(app)
    runtime.init_app(app)  # Flask-Limiter, Flask-SocketIO (before any namespace), the page cache in front
    transport_guard.init_app(app)
    storage.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    auth.init_app(app)
    health.init_app(app)
    features.init_app(app)
    app.wsgi_app = security.NoCookieMiddleware(app.wsgi_app)
    return app
