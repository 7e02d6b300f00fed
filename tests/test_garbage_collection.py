"""When the server freezes long-lived objects out of full garbage collections, and collects them."""

import gc
from importlib.metadata import version

import pytest

from clipai.runtime.garbage import Freezer
from tests.fixtures.garbage import cyclic_garbage


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


def test_socketio_sessions_served_by_gunicorn_leave_no_reference_cycles(tmp_path):
    """What the freezer freezes must be freed by reference counts alone once it is done with.

    A Socket.IO session lives for seconds or hours, so the freezer freezes what its requests made;
    any reference cycle among that stays until the next full collection, which with 20,000
    connections held stops the server for two seconds (docs/benchmarks.md, change 47). The site's
    handshake check and python-engineio's middleware (a class per request under gunicorn) each
    left one.
    """
    assert cyclic_garbage("socketio_session", tmp_path) == 0


def test_refused_handshakes_leave_no_reference_cycles_of_their_own(tmp_path):
    """A client past its handshake limit is answered 429 in its language, and leaves nothing frozen.

    werkzeug's URL matcher leaves a closure of 8 objects per routed request; the NotFound with its
    traceback, 68 more per refusal, was the site's to drop.
    """
    assert cyclic_garbage("refused_handshake", tmp_path) < 20 * 20  # 163 here; 1,522 with the NotFound


def test_connections_served_by_eventlet_leave_no_reference_cycles(tmp_path):
    """eventlet's protocol kept each connection's last environ, whose ``set_idle`` refers back to it."""
    assert cyclic_garbage("eventlet_connection", tmp_path) == 0, (
        f"eventlet {version('eventlet')}'s HttpProtocol leaves reference cycles behind a connection again: "
        "clipai/runtime/serving.py's NoAddressProtocol.finish no longer breaks them")


def test_the_consoles_revocation_check_leaves_no_reference_cycles(tmp_path):
    """Each console process runs it twice a second: an ``IN`` built per call left a cycle each time."""
    assert cyclic_garbage("revocation_check", tmp_path) == 0
