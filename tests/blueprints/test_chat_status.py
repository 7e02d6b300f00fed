"""The `status` event tells visitors when support is back and how quickly it usually replies."""

import pytest

CHAT = "/chat"
MONDAYS = {"OFFICE_HOURS": {"timezone": "Europe/Berlin", "weekly": {"mon": ["09:00-17:00"]}, "holidays": ["2030-01-07"]}}


def status_on_connect(socket_client):
    client = socket_client(CHAT)
    [status] = [item["args"][0] for item in client.get_received(CHAT) if item["name"] == "status"]
    return status


def test_always_open_by_default(socket_client):
    assert status_on_connect(socket_client) == {"operators_online": 0, "opens_at": None, "reply_seconds": None}


@pytest.mark.parametrize("settings", [MONDAYS])
def test_outside_the_hours_the_status_carries_the_next_opening(socket_client):
    # The test clock is Tuesday 1 January 2030 12:00 UTC; Monday the 7th is a holiday: the 14th, 09:00 CET.
    assert status_on_connect(socket_client)["opens_at"] == "2030-01-14T08:00:00.000Z"


@pytest.mark.parametrize("settings", [MONDAYS])
def test_inside_the_hours_there_is_no_opening_to_announce(socket_client, clock):
    from datetime import UTC, datetime
    clock.now = datetime(2030, 1, 14, 8, 30, tzinfo=UTC)
    assert status_on_connect(socket_client)["opens_at"] is None
