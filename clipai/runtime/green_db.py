"""Database waits that let other green threads run, under eventlet and gevent.

PostgreSQL waits through psycopg's select-based wait (green once select is monkey-patched);
SQLite runs its blocking calls (statements, commits with their fsync, busy waits) in the hub's
thread pool, except where they cannot wait: about a millisecond per batch under load
(docs/benchmarks.md).
"""

import sqlite3
import sys

from sqlalchemy import event

GREEN_MODES = ("eventlet", "gevent")


def make_cooperative(engine, async_mode: str, busy_timeout_ms: int) -> None:
    """Make a new engine's database waits green in a green async mode; nothing otherwise."""
    if async_mode not in GREEN_MODES:
        return
    if engine.dialect.name == "sqlite":
        run_in_thread = _thread_pool_runner(async_mode)
        event.listen(engine, "do_connect", _threaded_sqlite_connector(run_in_thread, busy_timeout_ms))
    elif engine.dialect.name == "postgresql":
        _make_psycopg_cooperative()


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


def _threaded_sqlite_connector(run_in_thread, busy_timeout_ms: int):
    def connect(dialect, _record, cargs, cparams):
        raw = dialect.loaded_dbapi.connect(*cargs, **cparams)
        return ThreadedSQLiteConnection(raw, run_in_thread, busy_timeout_ms)

    return connect


class ThreadedSQLiteConnection:
    """A sqlite3 connection whose blocking calls run in the thread pool (one caller at a time)."""

    def __init__(self, raw, run_in_thread, busy_timeout_ms: int):
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_run", run_in_thread)
        object.__setattr__(self, "busy_timeout_ms", busy_timeout_ms)  # restored after taking the lock
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
            raw.execute(f"PRAGMA busy_timeout = {self._connection.busy_timeout_ms}")
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

