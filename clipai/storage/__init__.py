"""Database access: one engine per app, short explicit transactions, SQL in the submodules."""

from contextlib import contextmanager

from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

EXTENSION_KEY = "clipai.engine"


def build_engine(url: str) -> Engine:
    """Create the engine; SQLite connections get WAL, FULL sync, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite_connection(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        "busy_timeout=30000",
        "secure_delete=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite_transaction(connection):
    # Writers take the lock up front so SQLite's busy timeout applies instead of failing at upgrade.
    mode = "IMMEDIATE" if connection.get_execution_options().get("clipai_write") else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions[EXTENSION_KEY]


@contextmanager
def transaction():
    """Yield a connection inside a write transaction that commits on success."""
    with engine().connect() as connection:
        connection = connection.execution_options(clipai_write=True)
        with connection.begin():
            yield connection


@contextmanager
def reading():
    """Yield a connection for reads."""
    with engine().connect() as connection:
        yield connection


def init_app(app):
    app.extensions[EXTENSION_KEY] = build_engine(app.config["DATABASE_URL"])
