"""When the server freezes long-lived objects out of full garbage collections, and collects them."""

import pytest

from clipai.runtime.garbage import Freezer


@pytest.fixture
def freezer():
    return Freezer(interval=60, full_interval=600, burst=1000, now=0.0)


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


def test_what_was_frozen_is_collected_once_per_full_interval(freezer):
    actions = [freezer.step(t, 0) for t in range(1, 1201)]
    assert [t for t, action in enumerate(actions, 1) if action == "collect"] == [600, 1200]
    assert actions.count("freeze") == 18  # every 60 s between the two collections


def test_the_server_collects_young_objects_at_the_configured_thresholds(app):
    import gc

    from clipai.runtime.garbage import set_collection_thresholds

    before = gc.get_threshold()
    try:
        set_collection_thresholds([5000, 20, 10])  # as a JSON list from CLIPAI_GC_THRESHOLDS
        assert gc.get_threshold() == (5000, 20, 10)
        set_collection_thresholds(app.config["GC_THRESHOLDS"])
        assert gc.get_threshold()[0] == 10_000  # not Python's 700: a chat load collected every few messages
    finally:
        gc.set_threshold(*before)
