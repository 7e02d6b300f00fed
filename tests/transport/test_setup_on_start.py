"""``SETUP_ON_START`` (what ``make run`` sets): the real server prepares an empty database itself
before it answers, and tells the first admin's password once."""

import pytest
import requests

from tests.fixtures import live
from tests.fixtures.live_server import _live_server, free_port

pytestmark = pytest.mark.server


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_the_server_sets_up_an_empty_database_before_it_answers(tmp_path, async_mode):
    database_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"  # no file yet: nothing migrated
    logs = []
    for _ in range(2):
        server = _live_server(async_mode, {"SETUP_ON_START": True}, database_url, free_port(), tmp_path)
        try:
            server.start()
            assert requests.get(server.url + "/privacy", timeout=live.WAIT).status_code == 200  # the shipped policy is in force
        finally:
            server.stop()
        logs.append(server.log())
        server.log_path.unlink()
    first, second = logs
    assert first.count("Password (shown once):") == 1
    assert "Published privacy policy version 1" in first
    assert "Password" not in second and "Published" not in second
    assert [row[0] for row in live.query(database_url, "SELECT username FROM users")] == ["admin"]
    assert "Traceback" not in first + second
