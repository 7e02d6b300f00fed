"""Conversation summaries of new activity: once per interval, a slice at a time."""

from blueprints.console import activity
from blueprints.console.activity import ActivityFeed
from clipai.services.errors import ServiceError


def test_many_summaries_go_out_in_slices_with_other_events_run_between(app, monkeypatch):
    sent, turns = [], []
    monkeypatch.setattr(activity.socketio, "sleep", lambda seconds: turns.append((seconds, len(sent))))
    feed = ActivityFeed(app, 0.5, sent.append)
    feed.flush(set(range(1, 2 * activity.SLICE + 6)))
    assert [len(ids) for ids in sent] == [activity.SLICE, activity.SLICE, 5]
    assert set().union(*sent) == set(range(1, 2 * activity.SLICE + 6))
    assert turns == [(0, 1), (0, 2)]  # a turn for other events before each later slice


def test_a_slice_the_database_did_not_take_is_sent_at_the_next_interval(app):
    def unavailable(ids):
        if 3 in ids:
            raise ServiceError("unavailable", "down")

    feed = ActivityFeed(app, 0.5, unavailable)
    feed.flush(set(range(1, activity.SLICE + 3)))
    assert feed.pending == set(range(1, activity.SLICE + 1))  # the first slice; the second went out
