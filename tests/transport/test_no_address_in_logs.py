"""The real server logs requests without the client's address or user agent."""

import pytest
import requests

ADDRESS_CANARY = "198.51.100.231"
AGENT_CANARY = "CanaryBrowser/7.3 (unique-agent-4f2a)"


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_access_log_and_database_hold_no_address_or_agent(live_server, tmp_path, async_mode):
    server = live_server(async_mode=async_mode, settings={"TRUSTED_PROXIES": 1})
    headers = {"X-Forwarded-For": ADDRESS_CANARY, "User-Agent": AGENT_CANARY}
    for path in ("/", "/ru/", "/no-such-page", "/healthz", "/static/site.css", "/socket.io/?EIO=4&transport=polling"):
        requests.get(server.url + path, headers={**headers, "Origin": server.url}, timeout=5)
    requests.post(server.url + "/api/auth/token", json={"username": "x", "password": "y"}, headers=headers, timeout=5)
    server.stop()
    assert '"GET /ru/ HTTP/1.1" 200' in server.log()  # requests are logged, just not who sent them
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("live.sqlite3*"))
    for canary in (ADDRESS_CANARY, AGENT_CANARY, "127.0.0.1 - -"):
        assert canary not in server.log()
        assert canary.encode() not in stored
