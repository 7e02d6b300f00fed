"""``clipai chat purge`` and the periodic purge of conversations past their erase date."""

import click
from flask.cli import with_appcontext

from clipai import signals
from clipai.extensions import socketio
from clipai.services import retention

EXTENSION_KEY = "clipai.chat.retention"

chat_cli = click.Group("chat", help="Support chat.")


@chat_cli.command("purge")
@with_appcontext
def purge_command():
    """Erase conversations whose erase date has passed."""
    erased = retention.purge_expired()
    click.echo(f"Erased {erased} conversation(s).")


def start_purge_job(app, **_extra):
    """Start the periodic purge when the real server starts (once per app)."""
    if app.extensions.get(EXTENSION_KEY) is False:
        app.extensions[EXTENSION_KEY] = True
        socketio.start_background_task(retention.purge_periodically, app, socketio.sleep)


def init_app(app):
    app.cli.add_command(chat_cli)
    app.extensions[EXTENSION_KEY] = False  # not started yet
    signals.server_starting.connect(start_purge_job)
