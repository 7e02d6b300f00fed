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


def test_a_busy_queue_is_spread_over_half_the_interval_at_most(app, monkeypatch):
    sent, pauses = [], []
    monkeypatch.setattr(activity.socketio, "sleep", pauses.append)
    feed = ActivityFeed(app, 0.5, sent.append)
    feed.flush(set(range(1, 1_001)))
    assert len(sent) == 1_000 // activity.SLICE
    assert len(pauses) == len(sent) - 1
    assert sum(pauses) <= 0.5 * activity.SPREAD
    assert sum(pauses) >= 0.5 * activity.SPREAD * 0.99  # spread out, not sent in one burst


def test_an_unreachable_database_stops_the_flush_and_the_rest_waits_for_the_next(app, monkeypatch):
    monkeypatch.setattr(activity.socketio, "sleep", lambda seconds: None)
    tried = []

    def unavailable(ids):
        tried.append(ids)
        if activity.SLICE + 1 in ids:
            raise ServiceError("unavailable", "down")

    feed = ActivityFeed(app, 0.5, unavailable)
    feed.flush(set(range(1, 3 * activity.SLICE + 1)))
    assert len(tried) == 2  # the first slice went out; the second failed, the third was not tried
    assert feed.pending == set(range(activity.SLICE + 1, 3 * activity.SLICE + 1))


class FakeTime:
    """A clock that only moves when the feed sleeps."""

    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds


def test_flushes_keep_their_schedule_and_a_summary_goes_out_within_one_and_a_half_intervals(app, monkeypatch):
    fake, tasks, sent = FakeTime(), [], []
    monkeypatch.setattr(activity.socketio, "sleep", fake.sleep)
    monkeypatch.setattr(activity.socketio, "start_background_task", tasks.append)

    def touch_during_the_first_flush(ids):
        if not sent:
            feed.touch(1_000)  # activity while the first flush is still going out
        sent.append((round(fake.now, 4), sorted(ids)))

    feed = ActivityFeed(app, 0.5, touch_during_the_first_flush)
    feed.clock = lambda: fake.now
    for conversation_id in range(1, 101):
        feed.touch(conversation_id)
    assert len(tasks) == 1  # one flushing task, however many touches
    tasks[0]()
    first = [at for at, ids in sent if ids != [1_000]]
    assert first[0] == 0.5 and first[-1] <= 0.5 + 0.5 * activity.SPREAD  # spread over half the interval
    # the pauses do not push the next flush back: it comes one interval after the first
    assert [at for at, ids in sent if ids == [1_000]] == [1.0]
    assert fake.now == 1.5  # an interval without activity ends the task
    assert not feed.flushing
