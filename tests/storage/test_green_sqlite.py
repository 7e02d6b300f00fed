"""SQLite under eventlet and gevent: which statements wait in the thread pool and which run in place."""

import sqlite3

import pytest

from clipai.runtime.green_db import ThreadedSQLiteConnection
from clipai.storage import SQLITE_BUSY_TIMEOUT_MS


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "green.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE notes (text TEXT)")
    return path


def green_connection(path, pool_calls: list, before_pool=None) -> ThreadedSQLiteConnection:
    """A wrapped connection whose 'thread pool' runs calls in place and records them."""

    def run_in_pool(call, *args):
        pool_calls.append(args[0] if args else call.__name__)
        if before_pool:
            before_pool()
        return call(*args)

    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    return ThreadedSQLiteConnection(raw, run_in_pool, SQLITE_BUSY_TIMEOUT_MS)


def test_a_free_write_lock_is_taken_in_place_and_the_commit_waits_in_the_pool(path):
    pool_calls = []
    conn = green_connection(path, pool_calls)
    cursor = conn.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    cursor.execute("INSERT INTO notes VALUES (?)", ("kept",))
    assert pool_calls == [] and conn.writing
    conn.commit()
    assert pool_calls == ["commit"] and not conn.writing
    assert sqlite3.connect(path).execute("SELECT text FROM notes").fetchall() == [("kept",)]


def test_a_write_lock_held_by_another_process_is_waited_for_in_the_pool(path):
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    pool_calls = []
    conn = green_connection(path, pool_calls, before_pool=lambda: other.in_transaction and other.execute("COMMIT"))
    conn.cursor().execute("BEGIN IMMEDIATE")  # the other writer commits while this one waits in the pool
    assert pool_calls == ["BEGIN IMMEDIATE"] and conn.writing
    assert conn.cursor().execute("PRAGMA busy_timeout").fetchone() == (SQLITE_BUSY_TIMEOUT_MS,)
    conn.rollback()


def test_a_reader_begins_in_place(path):
    pool_calls = []
    conn = green_connection(path, pool_calls)
    conn.cursor().execute("BEGIN DEFERRED")
    assert pool_calls == []
    conn.rollback()


def test_ending_a_read_or_nothing_runs_in_place(path):
    pool_calls = []
    conn = green_connection(path, pool_calls)
    conn.rollback()  # what the connection pool does with every connection it gets back
    conn.cursor().execute("BEGIN DEFERRED")
    conn.cursor().execute("SELECT count(*) FROM notes")
    conn.rollback()
    assert pool_calls == []
    conn.cursor().execute("BEGIN IMMEDIATE")
    conn.rollback()  # a write transaction's rollback may wait: in the pool
    assert pool_calls == ["rollback"] and not conn.writing
