"""The collision notice across two processes: operators on A and B see each other in a conversation."""

import pytest

pytestmark = [pytest.mark.server, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture(params=["eventlet", "gevent"])
def site(request, live_server, postgres_url, shared_redis, key_prefix, kit):
    settings = kit.settings(key_prefix, shared_redis)
    first = live_server(async_mode=request.param, settings=settings, database_url=postgres_url)
    second = live_server(async_mode=request.param, settings=settings, database_url=postgres_url)
    return first, second


def colleague_in(peer, conversation_id, viewing):
    return peer.next_matching("colleague", lambda event: event["conversation_id"] == conversation_id
                              and event["viewing"] is viewing)


def test_operators_on_two_processes_see_each_other_view_type_and_leave(site, postgres_url, peers, kit):
    first, second = site
    visitor = peers(first.url, "/chat")
    conversation_id = kit.say(visitor, "Two of you?")["conversation"]["id"]
    anna = peers(first.url, "/console", auth={"token": kit.operator_token(postgres_url, "anna", "Anna")})
    ben = peers(second.url, "/console", auth={"token": kit.operator_token(postgres_url, "ben", "Ben")})

    assert anna.call("viewing", {"conversation_id": conversation_id})["ok"]
    assert ben.call("viewing", {"conversation_id": conversation_id})["ok"]
    asked = colleague_in(anna, conversation_id, True)
    assert (asked["operator"]["alias"], asked["ask"]) == ("Ben", True)
    # Anna's console answers the ask; Ben, on the other process, learns she was there first.
    assert anna.call("viewing", {"conversation_id": conversation_id, "again": True})["ok"]
    answer = ben.next_matching("colleague", lambda event: event["operator"]["alias"] == "Anna" and not event["ask"])
    assert answer["viewing"] is True and answer["conversation_id"] == conversation_id

    assert ben.call("typing", {"conversation_id": conversation_id, "active": True})["ok"]
    assert anna.next_matching("colleague", lambda event: event["typing"])["operator"]["alias"] == "Ben"
    ben.close()
    gone = colleague_in(anna, conversation_id, False)
    assert gone["operator"]["alias"] == "Ben"
