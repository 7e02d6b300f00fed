"""ClipAI website: the application factory.

Its imports are inside ``create_app`` (as in Flask's tutorial), so that ``wsgi.py`` can read the
async mode from ``clipai.config`` before anything is imported that monkey-patching must precede.
"""


def create_app(test_config=None, instance_path=None, async_mode=None):
    """Build the app: settings, extensions, storage, CLI, sign-in, health check, then the enabled features.

    ``test_config`` is for tests; ``async_mode`` forces the mode (the ``clipai`` command's).
    """
    from clipai import alerts, auth, cli, errors, features, health, i18n, metrics, ratelimit, runtime, security, storage, transport_guard
    from clipai.config import INSTANCE_PATH, load_config
    from clipai.extensions import babel
    from clipai.runtime.events import RealtimeFlask

    app = RealtimeFlask(__name__, instance_path=str(instance_path or INSTANCE_PATH), instance_relative_config=True)
    load_config(app, test_config, async_mode)
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
    metrics.init_app(app)
    alerts.init_app(app)
    features.init_app(app)
    app.wsgi_app = security.NoCookieMiddleware(app.wsgi_app)
    return app
