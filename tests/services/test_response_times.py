"""'Usually replies within …': the median first response of the last 14 days, from 5 conversations."""

import uuid
from datetime import timedelta

import pytest

from clipai.services import availability, conversations
from clipai.services.conversations import response_times
from tests.fixtures.app import START


@pytest.fixture
def answered(app_ctx, clock, operator):
    """A conversation started now whose first reply comes ``after`` later (None: never)."""

    def answer(after: timedelta | None, visitor_messages=1):
        started_at = clock.now
        posted = conversations.post_visitor_message(None, "Hello", uuid.uuid4().hex, locale="en",
                                                    address_key=uuid.uuid4().hex)
        for _ in range(visitor_messages - 1):
            clock.now += timedelta(seconds=30)
            conversations.post_visitor_message(posted.conversation.id, "Anyone?", uuid.uuid4().hex, locale="en",
                                               address_key="x")
        if after is not None:
            clock.now = started_at + after
            conversations.post_operator_message(posted.conversation.id, operator, "Hi!", uuid.uuid4().hex)
            conversations.post_operator_message(posted.conversation.id, operator, "Later", uuid.uuid4().hex)
        clock.now = started_at + timedelta(minutes=1)
        return posted.conversation.id

    return answer


def minutes(*values):
    return [timedelta(minutes=value) for value in values]


def test_four_answered_conversations_are_too_few(answered):
    for delay in minutes(2, 4, 6, 8):
        answered(delay)
    assert response_times.usual_reply_seconds() is None


def test_five_answered_conversations_give_their_median(answered):
    for delay in minutes(2, 4, 6, 8, 60):
        answered(delay)
    assert response_times.usual_reply_seconds() == 6 * 60


def test_the_first_reply_counts_from_the_first_visitor_message(answered):
    for delay in minutes(10, 10, 10, 10, 10):
        answered(delay, visitor_messages=3)  # later visitor messages do not restart the clock
    assert response_times.usual_reply_seconds() == 10 * 60


def test_unanswered_conversations_do_not_count(answered):
    for delay in [*minutes(1, 1, 1, 1), None, None]:
        answered(delay)
    assert response_times.usual_reply_seconds() is None


def test_conversations_older_than_14_days_do_not_count(answered, clock, app_ctx):
    for delay in minutes(1, 1, 1):
        answered(delay)
    clock.now = START + timedelta(days=14, minutes=10)
    for delay in minutes(5, 5, 5, 5):
        answered(delay)
    assert response_times.usual_reply_seconds() is None
    answered(timedelta(minutes=5))
    app_ctx.extensions.pop(response_times.CACHE_KEY)
    assert response_times.usual_reply_seconds() == 5 * 60


def test_the_value_is_cached_briefly(answered):
    for delay in minutes(3, 3, 3, 3):
        answered(delay)
    assert response_times.usual_reply_seconds() is None
    answered(timedelta(minutes=3))
    assert response_times.usual_reply_seconds() is None  # computed again after CACHE_SECONDS


def test_erased_conversations_leave_the_median(answered, app_ctx):
    ids = [answered(delay) for delay in minutes(1, 2, 3, 4, 5)]
    conversations.erase(ids[0])
    app_ctx.extensions.pop(response_times.CACHE_KEY, None)
    assert response_times.usual_reply_seconds() is None


def test_the_status_carries_the_reply_time_and_no_opening_when_always_open(answered):
    for delay in minutes(1, 2, 3, 4, 5):
        answered(delay)
    assert availability.for_visitors(0) == {"operators_online": 0, "opens_at": None, "reply_seconds": 180}


@pytest.mark.parametrize("settings", [{"OFFICE_HOURS": {"timezone": "Europe/Berlin", "weekly": {"mon": ["09:00-17:00"]}}}])
def test_the_status_says_when_support_opens(app_ctx, clock):
    # The test clock starts on Tuesday 1 January 2030, 12:00 UTC: next Monday 09:00 in Berlin.
    assert availability.for_visitors(0)["opens_at"] == "2030-01-07T08:00:00.000Z"
