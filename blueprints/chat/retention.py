"""The periodic purge of conversations past their erase date, while the server runs."""

from clipai import signals
from clipai.extensions import socketio
from clipai.services import retention

EXTENSION_KEY = "clipai.chat.retention"


def start_purge_job(app, **_extra):
    """Start the periodic purge when the real server starts (once per app)."""
    if app.extensions.get(EXTENSION_KEY) is False:
        app.extensions[EXTENSION_KEY] = True
        socketio.start_background_task(retention.purge_periodically, app, socketio.sleep)


def init_app(app):
    app.extensions[EXTENSION_KEY] = False  # not started yet
    signals.server_starting.connect(start_purge_job)
