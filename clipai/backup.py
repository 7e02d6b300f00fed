"""``clipai backup PATH`` and ``clipai restore PATH``: the whole database, retention included.

SQLite is copied with its online backup API while the servers keep running. PostgreSQL is
copied with its own tools; the commands print the lines to run (deploy/README.md, Backups).
A restore applies the retention rule at once: what is past its erase date is erased again.
"""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from clipai import storage
from clipai.storage import sqlite_copy


def postgres_lines(url: str, path: Path) -> tuple[str, list[str]]:
    """The ``pg_dump`` line and the ``pg_restore`` lines for ``url`` (password left to PGPASSWORD)."""
    parsed = make_url(url)
    target = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database,
                        parsed.query).render_as_string()
    dump = f"pg_dump --format=custom --no-owner --file={path} '{target}'"
    restore = [f"pg_restore --clean --if-exists --no-owner --dbname='{target}' {path}",
               "clipai db upgrade", "clipai chat purge"]
    return dump, restore


def _sqlite_database() -> Path | None:
    return sqlite_copy.database_path(current_app.config["DATABASE_URL"])


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path):
    """Copy the whole database into the new file PATH (SQLite), or print the pg_dump line."""
    database = _sqlite_database()
    if database is None:
        dump, _ = postgres_lines(current_app.config["DATABASE_URL"], path)
        raise click.ClickException(f"PostgreSQL is copied with its own tool; run (password in PGPASSWORD):\n  {dump}")
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file name.")
    sqlite_copy.copy_out(database, path)
    click.echo(f"Backed up {database} to {path}. It holds conversations: keep it as private as the database.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path, yes):
    """Replace the whole database with the backup PATH, then erase what is past retention."""
    database = _sqlite_database()
    if database is None:
        _, lines = postgres_lines(current_app.config["DATABASE_URL"], path)
        raise click.ClickException("PostgreSQL is restored with its own tool; run:\n  " + "\n  ".join(lines))
    try:
        sqlite_copy.check_backup(path)
    except sqlite_copy.NotABackup as error:
        raise click.ClickException(str(error)) from None
    if not yes:
        click.confirm(f"Replace everything in {database} with {path}?", abort=True)
    storage.dispose(current_app)
    sqlite_copy.copy_in(path, database)
    from clipai.services import retention  # with the restore's own imports, not every command's
    from clipai.storage import migrations  # Alembic

    migrations.upgrade(storage.engine())
    erased = retention.purge_expired()
    click.echo(f"Restored {database} from {path}; erased {erased} conversation(s) past their erase date.")


COMMANDS = (backup_command, restore_command)
