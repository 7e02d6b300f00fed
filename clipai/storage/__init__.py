"""Database access: one engine per app, short explicit transactions, SQL in the submodules.

Under eventlet or gevent the engine's waits are made green by :mod:`clipai.runtime.green_db`.
"""

import threading
from contextlib import contextmanager, nullcontext

from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from clipai.runtime import green_db

EXTENSION_KEY = "clipai.engine"
WRITE_LOCK_KEY = "clipai.engine.write_lock"
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Copy the WAL into the database every 4,000 pages (16 MB) instead of SQLite's 1,000: the chat's
# busy index pages then go to the database file once per checkpoint rather than four times, which
# cut a commit's CPU by a fifth under load (docs/benchmarks.md). Erasing still truncates at once.
SQLITE_WAL_CHECKPOINT_PAGES = 4_000


def build_engine(url: str, async_mode: str = "threading") -> Engine:
    """Create the engine; SQLite connections get WAL, FULL sync, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        green_db.make_cooperative(engine, async_mode, SQLITE_BUSY_TIMEOUT_MS)
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)
    green_db.make_cooperative(engine, async_mode, SQLITE_BUSY_TIMEOUT_MS)
    if url.startswith("postgresql"):
        event.listen(engine, "handle_error", _broken_pipeline_is_a_disconnect)
    return engine


# psycopg runs executemany in pipeline mode; when the server drops the connection in the middle,
# it reports this instead of a disconnect, and the connection cannot even roll back.
_BROKEN_PIPELINE = "cannot exit pipeline mode while busy"


def _broken_pipeline_is_a_disconnect(context):
    """Let SQLAlchemy discard such a connection at once (as for any disconnect) instead of trying
    to roll it back when it returns to the pool, which fails again and logs a traceback."""
    if _BROKEN_PIPELINE in str(context.original_exception):
        context.is_disconnect = True


def _configure_sqlite_connection(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "secure_delete=ON",
        f"wal_autocheckpoint={SQLITE_WAL_CHECKPOINT_PAGES}",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite_transaction(connection):
    # Writers take the lock up front so SQLite's busy timeout applies instead of failing at upgrade.
    mode = "IMMEDIATE" if connection.get_execution_options().get("clipai_write") else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def engine(app=None) -> Engine:
    """Return the app's engine (the current app's unless one is given)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def dispose(app) -> None:
    """Close the app's pooled connections, for short-lived apps (tests, set-up scripts)."""
    engine(app).dispose()


@contextmanager
def transaction():
    """Yield a connection inside a write transaction that commits on success."""
    with current_app.extensions[WRITE_LOCK_KEY], engine().connect() as connection:
        connection = connection.execution_options(clipai_write=True)
        with connection.begin():
            yield connection


@contextmanager
def reading():
    """Yield a connection for reads."""
    with engine().connect() as connection:
        yield connection


def init_app(app):
    url = app.config["DATABASE_URL"]
    app.extensions[EXTENSION_KEY] = build_engine(url, app.config["ASYNC_MODE"])
    # SQLite has one writer at a time: writers of this process queue here (a green wait) rather
    # than in SQLite's busy handler, which would sleep while holding a pool thread.
    app.extensions[WRITE_LOCK_KEY] = threading.RLock() if url.startswith("sqlite") else nullcontext()
