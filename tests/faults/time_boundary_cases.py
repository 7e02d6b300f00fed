"""Time boundaries (token expiry, effective-from, retention) to the microsecond.

Not collected on its own (the name does not start with ``test_``): test_time_zones.py runs this file,
with the service tests, in a subprocess under host time zones far from UTC.
"""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from clipai.services import accounts, conversations, policy, retention

TICK = timedelta(microseconds=1)
DRAFT = {"en": "# Privacy\n\nNothing is collected."}


def test_host_time_zone_is_the_one_asked_for():
    wanted = os.environ.get("EXPECTED_UTC_OFFSET_MINUTES")
    if wanted is None:
        pytest.skip("run by test_time_zones.py with a host time zone")
    offset = datetime.now().astimezone().utcoffset()
    assert int(offset.total_seconds() // 60) in {int(minutes) for minutes in wanted.split(",")}
    assert time.timezone != 0 or time.daylight


def test_token_works_until_the_microsecond_before_it_expires(app_ctx, make_user, clock):
    user, _ = make_user()
    token, expires_at = accounts.issue_token(user)
    assert expires_at == clock.now + timedelta(hours=app_ctx.config["TOKEN_LIFETIME_HOURS"])
    assert expires_at.utcoffset() == timedelta(0)
    clock.now = expires_at - TICK
    assert accounts.user_for_token(token) == user
    clock.now = expires_at
    assert accounts.user_for_token(token) is None


@pytest.mark.parametrize("spelling", ["2030-01-02T12:00:00", "2030-01-02T12:00:00Z", "2030-01-03T02:00:00+14:00",
                                      "2030-01-02T08:30:00-03:30", "2030-01-02T09:30:00-02:30"])
def test_a_version_takes_effect_at_its_instant_however_it_is_written(app_ctx, clock, spelling):
    first = policy.publish(DRAFT, "First")
    second = policy.publish({"en": "# Privacy\n\nStill nothing."}, "Second", spelling)
    instant = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)
    assert second.effective_from == instant
    assert policy.in_force(instant - TICK).number == first.number
    assert policy.in_force(instant).number == second.number


def test_policy_pages_show_instants_in_utc(app, client, clock):
    with app.app_context():
        policy.publish(DRAFT, "First")
    page = client.get("/privacy").get_data(as_text=True)
    assert 'datetime="2030-01-01T12:00:00.000Z"' in page and "12:00:00" in page and "UTC" in page


def test_conversation_is_purged_at_its_erase_instant_not_a_microsecond_before(app_ctx, clock):
    posted = conversations.post_visitor_message(None, "Hello", "c-1", locale="en", address_key="tz")
    erase_after = posted.conversation.erase_after
    assert erase_after == clock.now + timedelta(days=app_ctx.config["CHAT_RETENTION_DAYS"])
    clock.now = erase_after - TICK
    assert retention.purge_expired() == 0
    clock.now = erase_after
    assert retention.purge_expired() == 1


def test_chat_instants_reach_clients_in_utc(app_ctx, clock):
    posted = conversations.post_visitor_message(None, "Hello", "c-1", locale="en", address_key="tz")
    payload = conversations.for_visitor(posted.message)
    assert payload["created_at"] == "2030-01-01T12:00:00.000Z"
    assert conversations.iso(posted.conversation.erase_after) == "2030-01-31T12:00:00.000Z"
