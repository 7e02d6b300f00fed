"""The ``clipai`` command: setup, database, accounts, backups and translations, in the command app."""

import functools
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo, shell_command, with_appcontext

from clipai import storage
from clipai.config import COMMAND_ASYNC_MODE, PROJECT_ROOT
from clipai.services import accounts
from clipai.services.errors import ServiceError
from clipai.text_table import format_table

TRANSLATIONS = PROJECT_ROOT / "translations"
CATALOG_TEMPLATE = TRANSLATIONS / "messages.pot"


class ClipaiCommands(click.Group):
    """The ``clipai`` group: its own commands and those of the command app (the core's and each
    enabled feature's). Flask's ``with_appcontext`` builds that app from the ``ScriptInfo`` given.

    Not Flask's ``FlaskGroup``: that one also imports every installed package's ``flask.commands``
    plugins on each run (Flask-Limiter's, with rich: a tenth of every command's start) and offers
    ``run`` and ``routes``, which have no meaning in an app that serves nothing.
    """

    def __init__(self, create_app, **attrs):
        super().__init__(**attrs)
        self.create_app = create_app

    def make_context(self, info_name, args, parent=None, **extra):
        extra.setdefault("obj", ScriptInfo(create_app=self.create_app, set_debug_flag=False))
        return super().make_context(info_name, args, parent, **extra)

    def app_commands(self, ctx) -> click.Group:
        return ctx.ensure_object(ScriptInfo).load_app().cli

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.app_commands(ctx).list_commands(ctx)})

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or self.app_commands(ctx).get_command(ctx, name)


def load_env_file(_ctx, _param, path):
    """``-e FILE``: read settings (``CLIPAI_…`` lines) with python-dotenv; the environment wins."""
    if path:
        import dotenv

        dotenv.load_dotenv(path, override=False)
    return path


def build_cli() -> click.Group:
    """The ``clipai`` command: ``-e/--env-file``, ``--version``, ``shell`` and the command app's commands."""
    from clipai import create_command_app

    cli = ClipaiCommands(lambda: create_command_app(async_mode=COMMAND_ASYNC_MODE), name="clipai",
                         help="Manage the ClipAI site.")
    cli.add_command(shell_command)
    click.option("-e", "--env-file", type=click.Path(exists=True, dir_okay=False), is_eager=True, expose_value=False,
                 callback=load_env_file, help="Read settings from this file first (the environment wins).")(cli)
    return click.version_option(package_name="clipai-site", prog_name="ClipAI site", message="%(prog)s %(version)s")(cli)


def main():
    """Entry point of the ``clipai`` console script."""
    from sqlalchemy.exc import DatabaseError

    try:
        build_cli()(prog_name="clipai")
    except DatabaseError as error:
        click.echo(f"Error: {database_problem(error)}", err=True)
        sys.exit(1)


def database_problem(error) -> str:
    """What to tell someone whose command failed in the database: set it up, or why it is unreachable."""
    from clipai import create_command_app
    from clipai.storage import migrations

    app = create_command_app(async_mode=COMMAND_ASYNC_MODE)
    try:
        with app.app_context():
            if migrations.pending(storage.engine()):
                return "the database is not set up (or not up to date). Run `clipai setup` first (make run does it too)."
    except Exception:  # unreachable or refused: the first error says why
        pass
    finally:
        storage.dispose(app)
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return f"the database failed ({app.config['DATABASE_URL'].split('://')[0]}): {reason}"


def fail(error: ServiceError):
    raise click.ClickException(str(error.message))


def with_server_app(command):
    """Run ``command`` in the whole app, not the command app: the signals it sends (an erased
    conversation) then reach the consoles of running servers through the message queue, as the
    servers' own sends do. Run from a server's app (tests), it stays in that app."""
    from clipai import COMMAND_APP_KEY

    @with_appcontext
    @functools.wraps(command)
    def run(*args, **kwargs):
        if not current_app.extensions.get(COMMAND_APP_KEY):
            return command(*args, **kwargs)
        from clipai import create_app

        app = create_app(async_mode=COMMAND_ASYNC_MODE)
        try:
            with app.app_context():
                return command(*args, **kwargs)
        finally:
            storage.dispose(app)

    return run


class LazyGroup(click.Group):
    """A command group imported when it is used (Click's "lazily loading subcommands" pattern), so
    that ``clipai --help`` and every other command do not import what the group's commands need.

    ``target`` is ``"module:attribute"`` of the real group; its help is the one shown.
    """

    def __init__(self, name: str, target: str, help: str):
        super().__init__(name, help=help)
        self.target = target

    @functools.cached_property
    def group(self) -> click.Group:
        module, attribute = self.target.split(":")
        return getattr(import_module(module), attribute)

    def list_commands(self, ctx):
        return self.group.list_commands(ctx)

    def get_command(self, ctx, name):
        return self.group.get_command(ctx, name)


# --- setup and database -------------------------------------------------------------------


@click.command("setup")
@with_appcontext
def setup_command():
    """Prepare a fresh checkout: secret key, schema, first-run data, first admin."""
    from clipai import site_setup

    for notice in (site_setup.ensure_instance_secret(Path(current_app.instance_path)),
                   site_setup.set_up(current_app._get_current_object())):
        if notice:
            click.echo(notice)


db_cli = click.Group("db", help="Database schema.")


@db_cli.command("upgrade")
@with_appcontext
def db_upgrade():
    """Apply pending migrations."""
    from clipai.storage import migrations  # Alembic: loaded by the commands that use it only

    migrations.upgrade(storage.engine())
    click.echo("Database is up to date.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does (also its file name).")
def db_revision(message):
    """Create the next numbered migration file in clipai/migrations/versions to fill in."""
    from clipai.storage import migrations

    path = migrations.new_revision(message)
    click.echo(f"Created {path}.")


# --- accounts -------------------------------------------------------------------------------

users_cli = click.Group("users", help="Operator and maintainer accounts.")


def read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_cli.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(accounts.ROLES),
              help="A role of the account; repeat it for several (--role operator --role maintainer).")
@click.option("--alias", help="Name visitors see (default: the neutral OPERATOR_ALIAS setting, never the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_add(username, roles, alias, password_stdin):
    """Create an account."""
    try:
        user = accounts.create_user(username, read_password(password_stdin), roles, alias)
    except ServiceError as error:
        fail(error)
    click.echo(f"Created {user.username} ({', '.join(user.roles)}), shown to visitors as {user.alias}.")


@users_cli.command("list")
@with_appcontext
def users_list():
    """List accounts."""
    rows = [[user.username, ",".join(user.roles), user.alias, "disabled" if user.disabled else "active"]
            for user in accounts.list_users()]
    click.echo(format_table(["USERNAME", "ROLES", "ALIAS", "STATE"], rows))


def wait_for_servers_to_cut_sockets() -> None:
    """Return once every running server has checked its console sockets since the change committed.

    This command holds no socket: each server process finds revoked sockets by itself, every
    ``REVOCATION_CHECK_SECONDS``. Waiting two of those periods makes the message below true.
    """
    time.sleep(2 * current_app.config["REVOCATION_CHECK_SECONDS"])


@users_cli.command("disable")
@click.argument("username")
@with_appcontext
def users_disable(username):
    """Disable an account and revoke its tokens."""
    try:
        accounts.disable_user(username)
    except ServiceError as error:
        fail(error)
    wait_for_servers_to_cut_sockets()
    click.echo(f"Disabled {username}; its tokens no longer work and its open consoles were closed.")


@users_cli.command("enable")
@click.argument("username")
@with_appcontext
def users_enable(username):
    """Enable a disabled account."""
    try:
        accounts.enable_user(username)
    except ServiceError as error:
        fail(error)
    click.echo(f"Enabled {username}.")


@users_cli.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_passwd(username, password_stdin):
    """Set a new password and revoke the account's tokens."""
    try:
        accounts.set_password(username, read_password(password_stdin))
    except ServiceError as error:
        fail(error)
    wait_for_servers_to_cut_sockets()
    click.echo(f"Password changed for {username}; its old tokens no longer work and its open consoles were closed.")


# --- translations ---------------------------------------------------------------------------

translate_cli = click.Group("translate", help="Message catalogs (wraps pybabel).")


def pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=PROJECT_ROOT).returncode:
        raise click.ClickException("pybabel " + " ".join(args[:1]) + " failed")


@translate_cli.command("extract")
def translate_extract():
    """Collect translatable strings into translations/messages.pot."""
    pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "_lp:1c,2", "-k", "lazy_pgettext:1c,2", "--no-location",
        "--sort-output", "--omit-header", "--add-comments=TRANSLATORS:",
        "-o", str(CATALOG_TEMPLATE), "clipai", "blueprints",
    )


@translate_cli.command("update")
def translate_update():
    """Merge new strings from messages.pot into every catalog."""
    pybabel("update", "-i", str(CATALOG_TEMPLATE), "-d", str(TRANSLATIONS), "--no-wrap", "--ignore-obsolete")


@translate_cli.command("compile")
def translate_compile():
    """Compile catalogs to .mo files."""
    pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@translate_cli.command("check")
def translate_check():
    """Fail when a catalog misses a string, has a fuzzy one, or lags behind the code."""
    from clipai.translations import catalog_problems

    problems = catalog_problems(TRANSLATIONS)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} translation problem(s)")
    click.echo("All catalogs are complete.")


def init_app(app):
    from clipai import backup

    for command in (setup_command, db_cli, users_cli, translate_cli, *backup.COMMANDS):
        app.cli.add_command(command)
