"""``GET /metrics``: what an admin's Prometheus reads, who may read it, and that it names no visitor."""

import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

CANARY_TEXT = "my unique problem 5c9e"
OUTSIDER = {"REMOTE_ADDR": "203.0.113.9"}


def scrape(client, **kwargs) -> dict:
    """``{(sample name, labels as a sorted tuple): value}`` from a scrape that must succeed."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain; version=")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for sample in family.samples}


def say(visitor_client, text=CANARY_TEXT):
    ack = visitor_client.emit("message", {"text": text, "client_msg_id": uuid.uuid4().hex}, namespace="/chat", callback=True)
    assert ack["ok"], ack
    return ack


def test_a_scrape_counts_visitors_operators_waiting_conversations_and_messages(client, visitor, socket_client, make_token):
    first, second = visitor(), visitor()
    conversation_id = say(first)["conversation"]["id"]
    say(second)
    _, token = make_token(alias="Olga")
    console = socket_client("/console", auth={"token": token})
    metrics = scrape(client)
    assert metrics[("clipai_socketio_connections", (("namespace", "/chat"),))] == 2
    assert metrics[("clipai_socketio_connections", (("namespace", "/console"),))] == 1
    assert metrics[("clipai_operators_online", ())] == 1
    assert metrics[("clipai_waiting_conversations", ())] == 2
    assert metrics[("clipai_messages_total", (("author", "visitor"),))] == 2
    assert metrics[("clipai_group_commit_batch_size_count", ())] >= 1
    assert metrics[("clipai_database_up", ())] == 1
    reply = {"conversation_id": conversation_id, "text": "On it", "client_msg_id": "r-1"}
    assert console.emit("message", reply, namespace="/console", callback=True)["ok"]
    after = scrape(client)
    assert after[("clipai_waiting_conversations", ())] == 1
    assert after[("clipai_messages_total", (("author", "operator"),))] == 1


def test_no_label_or_value_names_a_visitor(client, visitor):
    ack = say(visitor())
    body = client.get("/metrics").get_data(as_text=True)
    for secret in (CANARY_TEXT, ack["conversation"]["token"], "127.0.0.1"):
        assert secret not in body
    labels = {name for family in text_string_to_metric_families(body) for sample in family.samples
              for name in sample.labels}
    assert labels <= {"namespace", "author", "service", "le"}


def test_refused_from_another_machine_without_a_token(client):
    response = client.get("/metrics", environ_base=OUTSIDER)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert "Set-Cookie" not in response.headers


def test_a_maintainers_token_is_served_from_anywhere_an_operators_is_not(client, make_token):
    _, maintainer = make_token(roles=("maintainer",))
    _, operator = make_token(roles=("operator",))
    scrape(client, environ_base=OUTSIDER, headers={"Authorization": f"Bearer {maintainer}"})
    refused = client.get("/metrics", environ_base=OUTSIDER, headers={"Authorization": f"Bearer {operator}"})
    assert refused.status_code == 403


@pytest.mark.parametrize("settings", [{"METRICS_TOKEN": "scraper-secret-2b7f0c"}])
def test_the_metrics_token_is_served_from_anywhere(client, settings):
    scrape(client, environ_base=OUTSIDER, headers={"Authorization": "Bearer scraper-secret-2b7f0c"})
    wrong = client.get("/metrics", headers={"Authorization": "Bearer scraper-secret-2b7f0d"})
    assert wrong.status_code == 403  # a wrong token is refused even on loopback


def test_a_request_relayed_by_an_undeclared_proxy_is_not_taken_for_loopback(client):
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403


@pytest.mark.parametrize("settings", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_trusted_proxy_the_forwarded_address_is_judged(client, settings):
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    scrape(client, headers={"X-Forwarded-For": "127.0.0.1"})
    scrape(client)  # a scraper on this machine talking to the process directly


@pytest.mark.parametrize("settings", [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "MESSAGE_QUEUE": None}])
def test_redis_health_is_reported_per_service(client, settings):
    metrics = scrape(client)
    assert metrics[("clipai_redis_up", (("service", "rate_limit_storage"),))] == 1


@pytest.mark.parametrize("settings", [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}])
def test_redis_down_is_reported_as_zero(client, settings):
    metrics = scrape(client)
    assert metrics[("clipai_redis_up", (("service", "rate_limit_storage"),))] == 0


@pytest.mark.server
def test_the_real_server_serves_its_own_process_metrics_to_loopback(live_server):
    import requests

    server = live_server(async_mode="gevent")
    response = requests.get(server.url + "/metrics", timeout=5)
    relayed = requests.get(server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5)
    server.stop()
    assert response.status_code == 200 and relayed.status_code == 403
    families = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"clipai_messages", "clipai_group_commit_batch_size", "clipai_database_up",
            "clipai_waiting_conversations", "clipai_operators_online"} <= families
