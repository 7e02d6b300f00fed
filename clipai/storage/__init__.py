"""Database access: one engine per app, short explicit transactions, SQL in the submodules.

Under eventlet or gevent every database wait must let the other green threads run: PostgreSQL
through psycopg's select-based wait (green once select is monkey-patched), SQLite by running its
blocking calls (statements, commits with their fsync, busy waits) in the hub's thread pool.
"""

import sqlite3
import sys
import threading
from contextlib import contextmanager, nullcontext

from flask import current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

EXTENSION_KEY = "clipai.engine"
WRITE_LOCK_KEY = "clipai.engine.write_lock"
GREEN_MODES = ("eventlet", "gevent")
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
        if async_mode in GREEN_MODES:
            event.listen(engine, "do_connect", _threaded_sqlite_connector(_thread_pool_runner(async_mode)))
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    connect_args = {}
    if url.startswith("postgresql"):
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS
        if async_mode in GREEN_MODES:
            _make_psycopg_cooperative()
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)
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


# --- cooperating with eventlet and gevent --------------------------------------------------


def _make_psycopg_cooperative():
    """Use psycopg's select-based wait: monkey-patched ``select`` turns it into a green wait.

    psycopg picks its C wait function (which blocks the whole process) unless it sees gevent's
    patching; it never sees eventlet's.
    """
    from psycopg import waiting

    if _select_is_green():
        waiting.wait = waiting.wait_select


def _select_is_green() -> bool:
    if "eventlet.patcher" in sys.modules and sys.modules["eventlet.patcher"].is_monkey_patched("select"):
        return True
    return "gevent.monkey" in sys.modules and sys.modules["gevent.monkey"].is_module_patched("select")


def _thread_pool_runner(async_mode: str):
    """A function that runs ``call(*args)`` in a native thread while the green thread waits."""
    if async_mode == "eventlet":
        from eventlet import tpool

        return tpool.execute
    import gevent

    return lambda call, *args: gevent.get_hub().threadpool.apply(call, args)


def _threaded_sqlite_connector(run_in_thread):
    def connect(dialect, _record, cargs, cparams):
        return ThreadedSQLiteConnection(dialect.loaded_dbapi.connect(*cargs, **cparams), run_in_thread)

    return connect


class ThreadedSQLiteConnection:
    """A sqlite3 connection whose blocking calls run in the thread pool (one caller at a time)."""

    def __init__(self, raw, run_in_thread):
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_run", run_in_thread)
        object.__setattr__(self, "writing", False)  # inside BEGIN IMMEDIATE: this process holds the lock

    def cursor(self):
        return ThreadedSQLiteCursor(self._raw.cursor(), self)

    def commit(self):
        self._end(self._raw.commit)

    def rollback(self):
        if self.writing:
            self._end(self._raw.rollback)
        else:  # ending a read, or nothing (the pool resets every connection it gets back): no wait
            self._raw.rollback()

    def _end(self, call):
        try:
            self._run(call)
        finally:
            self.mark_writing(False)

    def mark_writing(self, writing: bool):
        object.__setattr__(self, "writing", writing)  # on this wrapper, not the sqlite3 connection

    def __getattr__(self, name):
        return getattr(self._raw, name)

    def __setattr__(self, name, value):
        setattr(self._raw, name, value)


# Statements that can wait for a lock or the disk. Writers hold the lock from BEGIN IMMEDIATE on,
# so their INSERTs and UPDATEs finish in microseconds and run in place: a trip through the pool
# costs a whole turn of the event loop, which under load is what made every batch slow. A
# deferred BEGIN takes no lock, and BEGIN IMMEDIATE has a way of its own (_take_write_lock).
_WAITING_STATEMENTS = ("BEGIN", "COMMIT", "END", "ROLLBACK", "PRAGMA", "VACUUM")


def _may_wait(sql) -> bool:
    if not isinstance(sql, str):
        return True
    start = sql.lstrip()[:14].upper()
    return start.startswith(_WAITING_STATEMENTS) and start != "BEGIN DEFERRED"


def _begins_writing(sql) -> bool:
    return isinstance(sql, str) and sql.lstrip()[:15].upper() == "BEGIN IMMEDIATE"


class ThreadedSQLiteCursor:
    """A sqlite3 cursor whose lock and disk waits and bulk fetches run in the thread pool.

    Inside a write transaction, fetches run in place too: they read what the writer's own
    statements just touched, a few rows from the page cache.
    """

    def __init__(self, raw, connection: ThreadedSQLiteConnection):
        self._raw, self._connection = raw, connection

    def execute(self, *args):
        if _begins_writing(args[0]):
            self._take_write_lock(*args)
        elif _may_wait(args[0]):
            self._connection._run(self._raw.execute, *args)
        else:
            self._raw.execute(*args)
        return self

    def _take_write_lock(self, *args):
        """BEGIN IMMEDIATE in place while no other process holds the lock, else wait for it in the pool.

        This process's writers already queue on the app's write lock, so the database's lock is
        nearly always free, and taking it costs microseconds; in place, each batch skips a trip
        through the thread pool, about a millisecond of waiting under load (docs/benchmarks.md).
        """
        raw = self._raw
        raw.execute("PRAGMA busy_timeout = 0")  # answer at once instead of waiting in place
        try:
            raw.execute(*args)
            locked = False
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # extended codes too (BUSY_RECOVERY)
                raise
            locked = True  # another process writes: wait with the usual timeout, in the pool
        finally:
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if locked:
            self._connection._run(raw.execute, *args)
        self._connection.mark_writing(True)

    def executemany(self, *args):
        if _may_wait(args[0]):
            self._connection._run(self._raw.executemany, *args)
        else:
            self._raw.executemany(*args)
        return self

    def fetchall(self):
        if self._connection.writing:
            return self._raw.fetchall()
        return self._connection._run(self._raw.fetchall)

    def fetchmany(self, *args):
        if self._connection.writing:
            return self._raw.fetchmany(*args)
        return self._connection._run(self._raw.fetchmany, *args)

    def __iter__(self):
        return iter(self._raw)

    def __getattr__(self, name):
        return getattr(self._raw, name)


# --- what the services use -----------------------------------------------------------------


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
