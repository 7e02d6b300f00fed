"""The servers' log: every line timed, optionally JSON, none written twice, none naming a client."""

import json
import logging
import re
import sys

import pytest
import requests

from clipai.logs import JsonLineFormatter, formatter

AGENT_CANARY = "CanaryBrowser/7.3 (log-lines-5e1b)"
PLAIN_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
FOREIGN_ORIGIN = "https://elsewhere.example"


def visit(server):
    """A page, and a Socket.IO handshake from an origin the site does not allow."""
    requests.get(server.url + "/", headers={"User-Agent": AGENT_CANARY}, timeout=5)
    refused = requests.get(server.url + "/socket.io/?EIO=4&transport=polling",
                           headers={"Origin": FOREIGN_ORIGIN, "User-Agent": AGENT_CANARY}, timeout=5)
    assert refused.status_code == 400


def log_lines(server) -> list[str]:
    return [line for line in server.log().splitlines() if line.strip()]


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_json_log_has_one_timed_object_per_line_and_the_origin_refusal_once(live_server, async_mode):
    server = live_server(async_mode=async_mode, settings={"LOG_FORMAT": "json"})
    visit(server)
    server.stop()
    entries = [json.loads(line) for line in log_lines(server)]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    access = [entry for entry in entries if '"GET / HTTP/1.1" 200' in entry["message"]]
    assert len(access) == 1 and access[0]["time"].startswith("20")
    refusals = [entry for entry in entries if f"{FOREIGN_ORIGIN} is not an accepted origin" in entry["message"]]
    assert len(refusals) == 1
    assert AGENT_CANARY not in server.log() and "127.0.0.1 - -" not in server.log()


@pytest.mark.server
@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_plain_log_times_access_lines_and_writes_the_origin_refusal_once(live_server, async_mode):
    server = live_server(async_mode=async_mode)
    visit(server)
    server.stop()
    lines = log_lines(server)
    access = [line for line in lines if '"GET / HTTP/1.1" 200' in line]
    assert len(access) == 1 and PLAIN_TIME.match(access[0]), access
    assert len([line for line in lines if f"{FOREIGN_ORIGIN} is not an accepted origin" in line]) == 1
    assert all(PLAIN_TIME.match(line) for line in lines), lines


def test_json_lines_carry_the_exception_of_a_failure():
    try:
        raise RuntimeError("disk full")
    except RuntimeError:
        record = logging.LogRecord("clipai.test", logging.ERROR, __file__, 1, "write failed: %s", ("x",),
                                   exc_info=sys.exc_info())
    entry = json.loads(JsonLineFormatter().format(record))
    assert entry["message"] == "write failed: x" and entry["level"] == "ERROR"
    assert "RuntimeError: disk full" in entry["exception"]


def test_an_unknown_log_format_is_refused_by_name():
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of plain, json"):
        formatter("xml")
