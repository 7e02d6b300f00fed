"""``clipai chat purge``: erase the conversations whose erase date has passed, now."""

import click

from clipai.cli import with_server_app
from clipai.services import retention

chat_cli = click.Group("chat")  # its help is where it is added (blueprints/chat/__init__.py)


@chat_cli.command("purge")
@with_server_app  # the consoles of running servers see the erased conversations go
def purge_command():
    """Erase conversations whose erase date has passed."""
    erased = retention.purge_expired()
    click.echo(f"Erased {erased} conversation(s).")
