"""Notes, tags, transfers and ratings cross processes like every console event (Redis, PostgreSQL)."""

import pytest

pytestmark = [pytest.mark.server, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture(params=["eventlet", "gevent"])
def site(request, live_server, postgres_url, shared_redis, key_prefix, kit):
    """Processes A and B on two loopback ports, one database, one Redis prefix and channel."""
    settings = kit.settings(key_prefix, shared_redis)
    first = live_server(async_mode=request.param, settings=settings, database_url=postgres_url)
    second = live_server(async_mode=request.param, settings=settings, database_url=postgres_url)
    return first, second


def test_records_made_on_one_process_reach_operators_on_the_other_and_never_the_visitor(site, postgres_url, peers,
                                                                                        kit):
    first, second = site
    visitor = peers(first.url, "/chat")
    ivan = peers(first.url, "/console", auth={"token": kit.operator_token(postgres_url, "ivan", "Ivan")})
    olga = peers(second.url, "/console", auth={"token": kit.operator_token(postgres_url)})
    ivan_id = ivan.next_event("operator")[0]["id"]
    conversation_id = kit.say(visitor, "Where is my invoice?")["conversation"]["id"]

    noted = olga.call("note", {"conversation_id": conversation_id, "text": "Reseller, check first"})
    assert ivan.next_matching("note", lambda note: note["id"] == noted["note"]["id"])["text"] == "Reseller, check first"

    assert olga.call("tag", {"conversation_id": conversation_id, "tag": "billing"})["ok"]
    ivan.next_matching("conversation", lambda summary: summary.get("tags") == ["billing"])

    moved = olga.call("transfer", {"conversation_id": conversation_id, "to": ivan_id, "note": "Yours"})
    heard = ivan.next_matching("note", lambda note: note["id"] == moved["note"]["id"])
    assert heard["transfer_to"] == {"id": ivan_id, "alias": "Ivan"} and heard["alias"] == "Olga"

    assert olga.call("close", {"conversation_id": conversation_id})["ok"]
    assert visitor.next_event("closed")[0] == {"reason": "closed"}
    assert visitor.call("rate", {"stars": 5, "comment": "Thanks"})["ok"]
    rated = olga.next_matching("conversation", lambda summary: summary.get("rating") is not None)
    assert rated["rating"]["stars"] == 5

    heard_by_visitor = str(visitor.drain())
    assert "Reseller" not in heard_by_visitor and "Yours" not in heard_by_visitor and "billing" not in heard_by_visitor
