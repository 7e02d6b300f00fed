"""Group commit: writes that arrive together share one transaction, each answered after its commit."""

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy.exc import OperationalError

from clipai.services.errors import ServiceError
from clipai.runtime.group_commit import GroupCommit

WAIT = 10  # seconds; an upper bound for a loaded machine, never a measured timing


class FakeDatabase:
    """A transaction factory that records what each transaction wrote and when it committed.

    The first transaction stays open until ``hold_until`` more writes are queued behind it, so
    those writes share the next transaction whatever the thread scheduling.
    """

    def __init__(self, fail_commit_number=None):
        self.group = None
        self.hold_until = 0
        self.fail_commit_number = fail_commit_number
        self.transactions = []
        self.log = []
        self.lock = threading.Lock()

    @contextmanager
    def transaction(self):
        written = []
        with self.lock:
            self.transactions.append(written)
            number = len(self.transactions)
        if number == 1:
            deadline = time.monotonic() + WAIT
            while len(self.group.pending) < self.hold_until and time.monotonic() < deadline:
                time.sleep(0.001)  # waiting for the other threads to queue, not for time to pass
        yield written
        if number == self.fail_commit_number:
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))
        with self.lock:
            self.log.append(("commit", number))


def writer(name):
    def work(conn):
        conn.append(name)
        return f"stored {name}"

    return work


def run_concurrently(calls):
    """Run each call in its own thread; return {index: result or exception}."""
    outcomes = {}

    def run(index, call):
        try:
            outcomes[index] = call()
        except Exception as error:  # the test inspects it
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    return outcomes


@pytest.fixture
def database():
    database = FakeDatabase()
    database.group = GroupCommit(database.transaction)
    return database


def submit_all(database, names, announced=None):
    database.hold_until = len(names) - 1

    def call(name):
        def submit():
            result = database.group.submit(writer(name), announced.append if announced is not None else None)
            with database.lock:
                database.log.append(("returned", name))
            return result

        return submit

    return run_concurrently([call(name) for name in names])


def test_a_lone_write_commits_at_once(database):
    assert database.group.submit(writer("a")) == "stored a"
    assert database.transactions == [["a"]]


def test_writes_that_arrive_during_a_commit_share_the_next_one(database):
    names = [f"m{i}" for i in range(12)]
    outcomes = submit_all(database, names)
    assert outcomes == {i: f"stored {name}" for i, name in enumerate(names)}
    assert len(database.transactions) == 2
    assert sorted(sum(database.transactions, [])) == sorted(names)


def test_each_write_is_answered_only_after_its_commit(database):
    submit_all(database, [f"m{i}" for i in range(8)])
    batch_of = {name: number for number, written in enumerate(database.transactions, 1) for name in written}
    for name, number in batch_of.items():
        assert database.log.index(("commit", number)) < database.log.index(("returned", name))


def test_announcements_follow_the_commit_in_commit_order(database):
    announced = []
    submit_all(database, [f"m{i}" for i in range(8)], announced)
    assert announced == [f"stored {name}" for name in sum(database.transactions, [])]


def test_a_failed_commit_fails_every_write_of_its_batch_and_announces_none(database):
    database.fail_commit_number = 2
    announced = []
    outcomes = submit_all(database, [f"m{i}" for i in range(6)], announced)
    failed = [outcome for outcome in outcomes.values() if isinstance(outcome, OperationalError)]
    assert len(failed) == len(database.transactions[1]) == 5
    assert announced == ["stored " + database.transactions[0][0]]


def test_a_refused_write_leaves_the_others_in_the_batch(database):
    def refused(conn):
        raise ServiceError("closed", "closed")

    database.hold_until = 2
    outcomes = run_concurrently([lambda: database.group.submit(writer("first")),
                                 lambda: database.group.submit(refused),
                                 lambda: database.group.submit(writer("other"))])
    assert sorted(str(outcome) for outcome in outcomes.values()) == ["closed", "stored first", "stored other"]


def test_writes_with_a_bulk_writer_are_written_by_one_call_in_order(database):
    calls = []

    class Bulk:
        def __init__(self, name):
            self.name = name

        def __call__(self, conn):
            conn.append(self.name)
            return f"alone {self.name}"

        @staticmethod
        def bulk(conn, works):
            calls.append([work.name for work in works])
            conn.extend(work.name for work in works)
            return [f"together {work.name}" for work in works]

    database.hold_until = 4
    outcomes = run_concurrently([lambda i=i: database.group.submit(Bulk(f"b{i}")) for i in range(5)])
    assert calls == [database.transactions[1]]
    assert sorted(outcomes.values())[0].startswith("alone") and len(calls[0]) == 4


# --- the chat's messages through the group commit ------------------------------------------

from clipai import signals, storage  # noqa: E402
from clipai.services import conversations  # noqa: E402
from clipai.services.conversations import transactions  # noqa: E402


@pytest.fixture
def stored_signals():
    """The ``message_stored`` signals sent while a test runs, in order."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signals.message_stored.connect(receiver)
    yield sent
    signals.message_stored.disconnect(receiver)


@pytest.fixture
def hold_first_write(app, monkeypatch):
    """Keep the next transaction open until ``pending`` messages queue behind it (they then share one).

    With ``fail_batch=True`` the transaction of that shared batch fails at its commit.
    """

    def hold(pending, fail_batch=False):
        real, calls = storage.transaction, []

        @contextmanager
        def held_transaction():
            calls.append(None)
            number = len(calls)
            if number == 1:
                group = transactions.group_commit(app)
                deadline = time.monotonic() + WAIT
                while len(group.pending) < pending and time.monotonic() < deadline:
                    time.sleep(0.001)  # waiting for the other threads to queue, not for time to pass
            with real() as conn:
                yield conn
                if fail_batch and number == 2:
                    raise OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error"))

        monkeypatch.setattr(storage, "transaction", held_transaction)

    return hold


def post_concurrently(app, posts):
    """Post ``(conversation_id, text, client_msg_id)`` each from its own thread, as sockets do."""

    def call(conversation_id, text, client_msg_id):
        def post():
            with app.app_context():
                return conversations.post_visitor_message(conversation_id, text, client_msg_id, locale="en",
                                                          address_key="addr", origin_sid=f"sid-{client_msg_id}")

        return post

    return run_concurrently([call(*post) for post in posts])


def start_conversations(app, count):
    with app.app_context():
        return [conversations.post_visitor_message(None, "Hello", f"first-{i}", locale="en",
                                                   address_key=f"addr-{i}").conversation.id for i in range(count)]


def test_concurrent_messages_from_many_conversations_are_each_stored_once(app, hold_first_write):
    ids = start_conversations(app, 5)
    posts = [(ids[i % 5], f"question {i}", f"m-{i}") for i in range(15)]
    hold_first_write(pending=len(posts) - 1)
    outcomes = post_concurrently(app, posts)
    assert all(not isinstance(posted, Exception) and not posted.duplicate for posted in outcomes.values())
    with app.app_context():
        for conversation_id in ids:
            _, stored, _ = conversations.history(conversation_id)
            expected = {client_id for cid, _, client_id in posts if cid == conversation_id}
            assert sorted(m.client_msg_id for m in stored[1:]) == sorted(expected)


def test_a_resend_in_the_same_batch_is_stored_once(app, hold_first_write):
    [conversation_id] = start_conversations(app, 1)
    posts = [(conversation_id, "other", "m-0")] + [(conversation_id, "same question", "m-1")] * 3
    hold_first_write(pending=len(posts) - 1)
    outcomes = post_concurrently(app, posts)
    resent = [outcomes[i] for i in (1, 2, 3)]
    assert len({posted.message.id for posted in resent}) == 1
    assert sum(not posted.duplicate for posted in resent) == 1
    with app.app_context():
        _, stored, _ = conversations.history(conversation_id)
    assert [m.client_msg_id for m in stored].count("m-1") == 1


def test_a_resend_of_an_earlier_message_among_new_ones_returns_it_and_the_others_are_written(app, hold_first_write):
    [conversation_id] = start_conversations(app, 1)
    earlier = post_concurrently(app, [(conversation_id, "lost ack", "m-1")])[0]
    posts = [(conversation_id, "lost ack", "m-1"), (conversation_id, "next", "m-2"), (conversation_id, "last", "m-3")]
    hold_first_write(pending=len(posts) - 1)
    outcomes = post_concurrently(app, posts)
    assert outcomes[0].duplicate and outcomes[0].message == earlier.message
    assert [outcomes[i].duplicate for i in (1, 2)] == [False, False]
    with app.app_context():
        _, stored, _ = conversations.history(conversation_id)
    assert sorted(m.client_msg_id for m in stored[1:]) == ["m-1", "m-2", "m-3"]


def test_messages_are_announced_after_the_commit_in_stored_order(app, hold_first_write, stored_signals):
    ids = start_conversations(app, 3)
    stored_signals.clear()
    hold_first_write(pending=8)
    post_concurrently(app, [(ids[i % 3], f"question {i}", f"m-{i}") for i in range(9)])
    announced = [sent["message"].id for sent in stored_signals]
    assert announced == sorted(announced) and len(announced) == 9


def test_each_announcement_names_its_own_senders_socket_whoever_leads(app, hold_first_write, stored_signals):
    # The leader announces the others' writes: relays skip each sender by the id the signal carries.
    ids = start_conversations(app, 2)
    stored_signals.clear()
    hold_first_write(pending=5)
    post_concurrently(app, [(ids[i % 2], f"question {i}", f"m-{i}") for i in range(6)])
    assert sorted((sent["message"].client_msg_id, sent["origin_sid"]) for sent in stored_signals) == [
        (f"m-{i}", f"sid-m-{i}") for i in range(6)]


def test_a_batch_announces_each_message_in_commit_order_without_a_summary(app, hold_first_write, stored_signals):
    [conversation_id] = start_conversations(app, 1)
    stored_signals.clear()
    hold_first_write(pending=4)
    outcomes = post_concurrently(app, [(conversation_id, f"question {i}", f"m-{i}") for i in range(5)])
    ids = [sent["message"].id for sent in stored_signals]
    assert ids == sorted(ids) and sorted(ids) == sorted(posted.message.id for posted in outcomes.values())
    # Operators read the conversation's summary once per interval (console.activity), not per message.
    assert [sent["conversation"] for sent in stored_signals] == [None] * 5
    with app.app_context():
        assert conversations.conversation(conversation_id).unread == 6


def test_a_closed_conversation_reopens_once_for_a_batch(app, hold_first_write):
    [conversation_id] = start_conversations(app, 1)
    with app.app_context():
        conversations.close(conversation_id)
    hold_first_write(pending=3)
    outcomes = post_concurrently(app, [(conversation_id, f"back {i}", f"m-{i}") for i in range(4)])
    assert sum(posted.reopened for posted in outcomes.values()) == 1
    with app.app_context():
        assert conversations.conversation(conversation_id).status == "open"


def test_a_failed_group_commit_is_unavailable_for_its_whole_batch_and_announces_nothing(
        app, hold_first_write, stored_signals):
    ids = start_conversations(app, 4)
    stored_signals.clear()
    hold_first_write(pending=7, fail_batch=True)
    outcomes = post_concurrently(app, [(ids[i % 4], f"question {i}", f"m-{i}") for i in range(8)])
    refused = [o for o in outcomes.values() if isinstance(o, ServiceError) and o.code == "unavailable"]
    assert len(refused) == 7  # the first message committed alone before the batch formed
    assert [sent["message"].client_msg_id for sent in stored_signals] == [
        o.message.client_msg_id for o in outcomes.values() if not isinstance(o, Exception)]
    with app.app_context():
        stored = [m for cid in ids for m in conversations.history(cid)[1]]
    assert len(stored) == 4 + 1


def test_under_eventlet_a_waiting_writer_is_woken_once_per_set_and_waits_again_after_clear():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet warns on import that it is in bug-fix mode
        import eventlet

    from clipai.runtime.group_commit import wake_class

    wake, woken = wake_class("eventlet")(), []

    def writer():
        wake.wait()
        wake.clear()
        woken.append("first")
        wake.wait()
        woken.append("second")

    waiting = eventlet.spawn(writer)
    eventlet.sleep(0)
    assert woken == []
    wake.set()
    wake.set()  # set twice before the writer ran: still one wake-up
    eventlet.sleep(0)
    eventlet.sleep(0)
    assert woken == ["first"]
    wake.set()
    waiting.wait()
    assert woken == ["first", "second"]


def test_other_modes_wake_writers_with_threading_events():
    import threading

    from clipai.runtime.group_commit import wake_class

    assert wake_class("gevent") is threading.Event and wake_class("threading") is threading.Event
