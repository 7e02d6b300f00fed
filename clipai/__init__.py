"""ClipAI website: the application factories.

Their imports are inside the functions (as in Flask's tutorial), so that ``wsgi.py`` can read the
async mode from ``clipai.config`` before anything is imported that monkey-patching must precede,
and so that a ``clipai`` command loads only what it runs.
"""

COMMAND_APP_KEY = "clipai.command_app"


def create_app(test_config=None, instance_path=None, async_mode=None):
    """Build the app: settings, extensions, storage, CLI, sign-in, health check, then the enabled features.

    ``test_config`` is for tests; ``async_mode`` forces the mode (the ``clipai`` command's).
    """
    from clipai import alerts, auth, cli, errors, features, health, i18n, metrics, ratelimit, runtime, security, storage, transport_guard
    from clipai.extensions import babel
    from clipai.runtime.events import RealtimeFlask

    app = _configured(RealtimeFlask, test_config, instance_path, async_mode)
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


def create_command_app(test_config=None, instance_path=None, async_mode=None):
    """The app a ``clipai`` command runs in: settings, message catalogs, storage and every command.

    It serves nothing, so it loads no web part (Flask-SocketIO and the clients python-socketio
    imports with it, pages, limits, alerts): a command such as ``clipai users list`` starts in about
    a quarter of a second instead of most of one. A command whose signals must reach the consoles
    of running servers asks for the whole app (``clipai.cli.with_server_app``).
    """
    from flask import Flask
    from flask_babel import Babel

    from clipai import cli, features, storage

    app = _configured(Flask, test_config, instance_path, async_mode)
    Babel(app)  # a service's error message (a lazy string) is told in the default language
    storage.init_app(app)
    cli.init_app(app)
    features.init_commands(app)
    app.extensions[COMMAND_APP_KEY] = True
    return app


def _configured(app_class, test_config, instance_path, async_mode):
    from clipai.config import INSTANCE_PATH, load_config

    app = app_class(__name__, instance_path=str(instance_path or INSTANCE_PATH), instance_relative_config=True)
    load_config(app, test_config, async_mode)
    return app
