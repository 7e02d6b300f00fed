"""Conversation summaries of new activity: once per interval, a slice at a time."""

from blueprints.console import activity
from blueprints.console.activity import ActivityFeed
from clipai.services.errors import ServiceError


def test_many_summaries_go_out_in_slices_with_the_chat_run_between(app, monkeypatch):
    sent, pauses = [], []
    monkeypatch.setattr(activity.socketio, "sleep", lambda seconds: pauses.append((seconds, len(sent))))
    feed = ActivityFeed(app, 0.5, sent.append)
    feed.flush(set(range(1, 2 * activity.SLICE + 3)))
    assert [len(ids) for ids in sent] == [activity.SLICE, activity.SLICE, 2]
    assert set().union(*sent) == set(range(1, 2 * activity.SLICE + 3))
    # a pause before each later slice: messages stored meanwhile reach the consoles between them
    assert pauses == [(activity.MAX_PAUSE, 1), (activity.MAX_PAUSE, 2)]


def test_a_busy_queue_is_spread_over_half_the_next_interval_at_most(app, monkeypatch):
    sent, pauses = [], []
    monkeypatch.setattr(activity.socketio, "sleep", pauses.append)
    feed = ActivityFeed(app, 0.5, sent.append)
    feed.flush(set(range(1, 1_001)))
    assert len(sent) == 1_000 // activity.SLICE
    assert len(pauses) == len(sent) - 1
    assert sum(pauses) <= 0.5 * activity.SPREAD
    assert sum(pauses) >= 0.5 * activity.SPREAD * 0.99  # spread out, not sent in one burst


def test_a_slice_the_database_did_not_take_is_sent_at_the_next_interval(app):
    def unavailable(ids):
        if 3 in ids:
            raise ServiceError("unavailable", "down")

    feed = ActivityFeed(app, 0.5, unavailable)
    feed.flush(set(range(1, activity.SLICE + 3)))
    assert feed.pending == set(range(1, activity.SLICE + 1))  # the first slice; the second went out
