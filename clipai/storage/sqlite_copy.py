"""Whole-database copies of a SQLite database through SQLite's online backup API.

The copy is consistent even while servers write: SQLite copies page by page and starts over
when a writer changed a page it had already copied.
"""

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

PAGES_PER_STEP = 1024  # copy in steps so writers are not held off for the whole copy


class NotABackup(ValueError):
    """The file is not a readable ClipAI database."""


def database_path(url: str) -> Path | None:
    """The file of a SQLite database URL, or None for any other database."""
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


def copy_out(database: Path, destination: Path) -> None:
    """Copy ``database`` into the new file ``destination`` (owner-only permissions), atomically."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    with _connect(database) as source, _connect(partial) as target:
        source.backup(target, pages=PAGES_PER_STEP)
    os.replace(partial, destination)


def copy_in(backup: Path, database: Path) -> None:
    """Replace the content of ``database`` with the content of the backup file ``backup``."""
    check_backup(backup)
    with _connect(backup, read_only=True) as source, _connect(database) as target:
        source.backup(target, pages=PAGES_PER_STEP)


def check_backup(backup: Path) -> None:
    """Refuse a file that is not an intact SQLite database holding a migrated ClipAI schema."""
    try:
        with _connect(backup, read_only=True) as source:
            intact = source.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            migrated = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
    except sqlite3.DatabaseError as error:
        raise NotABackup(f"{backup} is not a SQLite database ({error})") from None
    if not intact:
        raise NotABackup(f"{backup} is damaged (PRAGMA quick_check failed)")
    if not migrated:
        raise NotABackup(f"{backup} holds no ClipAI schema")


def _connect(path: Path, read_only: bool = False) -> closing:
    """A sqlite3 connection that is closed (not only committed) when the block ends."""
    if read_only and not path.is_file():
        raise NotABackup(f"{path} does not exist")
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    return closing(sqlite3.connect(uri, uri=True, timeout=30))
