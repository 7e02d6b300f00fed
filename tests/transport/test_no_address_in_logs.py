"""The real server logs requests without the client's address or user agent."""

import time

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


CANARY_SOURCE = "127.23.45.67"  # loopback is all of 127.0.0.0/8: the client connects from this address
MALFORMED_REQUESTS = {
    "long URL": b"GET /?utm=" + b"x" * 5000 + b" HTTP/1.1\r\n",
    "bad Content-Length": b"POST /api/auth/token HTTP/1.1\r\nContent-Length: abc\r\n",
    "header name with a space": b"GET / HTTP/1.1\r\nBad Header: x\r\n",
    "header line without a colon": b"GET / HTTP/1.1\r\nNoColonHere\r\n",
    "bad protocol version": b"GET / FOO/1.1\r\n",
}
# What each server answers: gunicorn refuses all of them; eventlet's server accepts URLs up to 8 KB
# and lenient header lines, and answers a bad version like HTTP/0.9 (a 400 page, no status line).
ANSWERS = {
    "gevent": {"long URL": 414, "bad Content-Length": 400, "header name with a space": 400,
               "header line without a colon": 400, "bad protocol version": 400},
    "eventlet": {"long URL": 200, "bad Content-Length": 400, "header name with a space": 200,
                 "header line without a colon": 200, "bad protocol version": None},
}


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_malformed_requests_are_refused_without_the_address_in_any_log_line(live_server, wire, async_mode):
    server = live_server(async_mode=async_mode, settings={"LOG_LEVEL": "DEBUG"})
    statuses = {}
    for name, request in MALFORMED_REQUESTS.items():
        line, rest = request.split(b"\r\n", 1)  # the well-formed headers first: some parsers stop at a bad one
        agent = AGENT_CANARY.encode()
        request = b"%s\r\nHost: h\r\nUser-Agent: %s\r\nConnection: close\r\n%s\r\n" % (line, agent, rest)
        with wire.send_raw(server.port, request, source=CANARY_SOURCE) as conn:
            statuses[name], closed = wire.read_answer(conn, time.monotonic() + wire.WAIT)
        assert closed, name
    server.stop()
    assert statuses == ANSWERS[async_mode]
    assert " 400" in server.log()  # the server logged the refusals, naming no one
    assert [line for line in server.log().splitlines() if CANARY_SOURCE in line or AGENT_CANARY in line] == []
