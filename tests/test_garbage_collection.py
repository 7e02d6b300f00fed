"""When the server freezes long-lived objects out of full garbage collections, and collects them."""

import gc
import json
import logging
import socket
import warnings
from importlib.metadata import version

import pytest
from werkzeug.test import EnvironBuilder

from clipai.extensions import socketio
from clipai.runtime.garbage import Freezer
from clipai.runtime.serving import _no_address_protocol
from clipai.security import hash_token
from clipai.services import accounts
from clipai.transport_guard import close_session


@pytest.fixture
def freezer():
    return Freezer(interval=60, full_interval=600, burst=1000, now=0.0, quiet=100, full_latest=86_400)


def test_nothing_happens_while_little_changes(freezer):
    assert [freezer.step(t, 500) for t in range(1, 60)] == [None] * 59


def test_a_burst_of_connections_is_frozen_within_the_next_check(freezer):
    assert freezer.step(1, 200) is None
    assert freezer.step(2, 1200) == "freeze"
    assert freezer.step(3, 1300) is None  # counted again from the last freeze


def test_growth_counts_from_the_low_point_since_the_last_freeze(freezer):
    freezer.step(1, 5000)  # freeze
    freezer.step(2, 4500)
    assert freezer.step(3, 5400) is None
    assert freezer.step(4, 5500) == "freeze"


def test_the_interval_freezes_even_without_new_connections(freezer):
    assert freezer.step(59, 0) is None
    assert freezer.step(60, 0) == "freeze"
    assert freezer.step(61, 0) is None


def test_what_was_frozen_is_collected_once_per_full_interval_while_quiet(freezer):
    actions = [freezer.step(t, 100) for t in range(1, 1201)]
    assert [t for t, action in enumerate(actions, 1) if action == "collect"] == [600, 1200]
    assert actions.count("freeze") == 18  # every 60 s between the two collections


def test_a_busy_process_is_not_stopped_for_a_full_collection_until_it_is_quiet(freezer):
    """With 20,000 connections a full collection stops every chat for two seconds: it waits."""
    assert "collect" not in [freezer.step(t, 20_000) for t in range(1, 7200)]
    assert freezer.step(7200, 101) != "collect"
    assert freezer.step(7201, 100) == "collect"  # as soon as it holds few connections
    assert "collect" not in [freezer.step(t, 0) for t in range(7202, 7801)]  # then a full interval again
    assert freezer.step(7801, 0) == "collect"


def test_a_process_never_quiet_still_collects_once_a_day(freezer):
    actions = [freezer.step(t, 20_000) for t in range(60, 3 * 86_400 + 1, 60)]
    assert [t for t, action in zip(range(60, 3 * 86_400 + 1, 60), actions) if action == "collect"] == [
        86_400, 2 * 86_400, 3 * 86_400]


def test_the_server_reads_when_to_collect_from_its_settings(app):
    config = app.config
    assert (config["GC_FULL_COLLECTION_INTERVAL_SECONDS"], config["GC_FULL_COLLECTION_QUIET_CONNECTIONS"],
            config["GC_FULL_COLLECTION_LATEST_SECONDS"]) == (600, 100, 86_400)


def test_the_server_collects_young_objects_at_the_configured_thresholds(app):
    from clipai.runtime.garbage import set_collection_thresholds

    before = gc.get_threshold()
    try:
        set_collection_thresholds([5000, 20, 10])  # as a JSON list from CLIPAI_GC_THRESHOLDS
        assert gc.get_threshold() == (5000, 20, 10)
        set_collection_thresholds(app.config["GC_THRESHOLDS"])
        assert gc.get_threshold()[0] == 10_000  # not Python's 700: a chat load collected every few messages
    finally:
        gc.set_threshold(*before)


HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def cyclic_garbage_of(work, times: int = 20) -> int:
    """How many objects ``work()`` left that only the cycle collector could free, over ``times`` runs.

    Objects that existed before it ran are not counted: another test's app, let go by a thread of
    its own while this runs, is not the work's garbage.
    """
    work()  # first-time imports and caches are not garbage
    gc.collect()
    existing = {id(thing) for thing in gc.get_objects()}
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what the collection finds in gc.garbage, to look at it
    try:
        for _ in range(times):
            work()
        gc.collect()
        return sum(1 for thing in gc.garbage if id(thing) not in existing)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_socketio_sessions_served_by_gunicorn_leave_no_reference_cycles(app):
    """What the freezer freezes must be freed by reference counts alone once it is done with.

    A Socket.IO session lives for seconds or hours, so the freezer freezes what its requests made;
    any reference cycle among that stays until the next full collection, which with 20,000
    connections held stops the server for two seconds (docs/benchmarks.md, change 47). The site's
    handshake check and python-engineio's middleware (a class per request under gunicorn) each
    left one.
    """
    def session():
        environ = EnvironBuilder(HANDSHAKE).get_environ()  # as a server hands it over, not the test client
        environ["gunicorn.socket"] = object()
        answered = []
        body = b"".join(app(environ, lambda status, headers, *_: answered.append(status)))
        assert answered == ["200 OK"]
        sid = json.loads(body[1:])["sid"]
        close_session(sid)
        assert sid not in socketio.server.eio.sockets

    assert cyclic_garbage_of(session) == 0


@pytest.mark.parametrize("settings", [{"SOCKETIO_HANDSHAKE_LIMITS": "1 per hour"}])
def test_refused_handshakes_leave_no_reference_cycles(app):
    """A client past its handshake limit is answered 429 in its language, and leaves nothing frozen."""
    def refused():
        environ = EnvironBuilder(HANDSHAKE, headers={"Accept-Language": "de"}).get_environ()
        answered = []
        body = b"".join(app(environ, lambda status, headers, *_: answered.append(status)))
        if answered != ["200 OK"]:  # the first one, before the limit
            assert answered == ["429 TOO MANY REQUESTS"] and "Zu viele" in json.loads(body)["error"]["message"]

    # werkzeug's URL matcher leaves a closure of 8 objects per routed request; the NotFound with its
    # traceback, 68 more per refusal, was the site's to drop.
    assert cyclic_garbage_of(refused) < 20 * 20


def test_connections_served_by_eventlet_leave_no_reference_cycles():
    """eventlet's protocol kept each connection's last environ, whose ``set_idle`` refers back to it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet warns on import that it is in bug-fix-only mode
        from eventlet import greenio, wsgi

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = wsgi.Server(None, ("127.0.0.1", 0), app, log=logging.getLogger("test"),
                         protocol=_no_address_protocol(), log_output=False)

    def connection():
        ours, client = socket.socketpair()
        with client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: clipai.test\r\nConnection: close\r\n\r\n")
            server.protocol([("127.0.0.1", 1), greenio.GreenSocket(ours), wsgi.STATE_IDLE], server)  # serves it
            assert client.recv(65536).startswith(b"HTTP/1.1 200 OK")

    assert cyclic_garbage_of(connection) == 0, (
        f"eventlet {version('eventlet')}'s HttpProtocol leaves reference cycles behind a connection again: "
        "clipai/runtime/serving.py's NoAddressProtocol.finish no longer breaks them")


def test_the_consoles_revocation_check_leaves_no_reference_cycles(app):
    """Each console process runs it twice a second: an ``IN`` built per call left a cycle each time."""
    with app.app_context():
        operator = accounts.create_user("cycles", "a long enough password", ("operator",), "Cycles")
        token = accounts.issue_token(operator)[0]

        def check():
            assert accounts.operator_tokens_in_force({hash_token(token), hash_token("revoked")}) == {hash_token(token)}

        assert cyclic_garbage_of(check) == 0
