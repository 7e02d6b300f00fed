"""Effective dates follow version numbers, and diffs pair versions that follow each other in force
(issue 19: a scheduled version must not silently undo a newer one)."""

from datetime import UTC, datetime, timedelta

import pytest

from clipai.services import policy
from clipai.services.policy import publishing

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
DECEMBER_9 = T0 + timedelta(days=8)
V1 = {"en": "# Privacy Policy\n\nWe keep chat messages for 30 days.\n",
      "de": "# Datenschutzerklärung\n\nWir speichern Chatnachrichten 30 Tage lang.\n"}
V2 = {"en": "# Privacy Policy\n\nWe keep chat messages for 20 days.\n"}
V3 = {"en": "# Privacy Policy\n\nWe keep chat messages for 14 days.\n"}


@pytest.fixture
def maintainer(make_token):
    return {"Authorization": f"Bearer {make_token(roles=('maintainer',))[1]}"}


@pytest.fixture
def scheduled(app, clock):
    """Version 1 in force; version 2, written from version 1, scheduled for 'December 9'; an hour later."""
    with app.app_context():
        policy.publish(V1, "First version.")
        clock.now = T0 + timedelta(minutes=30)
        policy.publish(V2, "Twenty days.", DECEMBER_9)
    clock.now = T0 + timedelta(hours=1)


def post_version(client, headers, texts=V3, **extra):
    return client.post("/api/policy/versions", headers=headers, json={"texts": texts, "summary": "Fourteen days.",
                                                                        **extra})


def compare_links(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('href="/privacy/versions/')[1:] if "/diff/" in part.split('"')[0]]


def test_publishing_before_a_scheduled_version_is_409_naming_it(client, scheduled, maintainer):
    response = post_version(client, maintainer)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "scheduled_version_pending"
    assert error["scheduled"] == {"number": 2, "effective_from": "2030-01-09T12:00:00.000000Z"}
    assert "Version 2 is scheduled to take effect on January 9, 2030" in error["message"]
    assert [v["number"] for v in client.get("/api/policy/versions").get_json()] == [1, 2]


def test_the_refusal_is_localized(client, scheduled, maintainer):
    response = post_version(client, {**maintainer, "Accept-Language": "de"})
    assert "Version 2 soll am 9. Januar 2030" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("effective_from", ["2030-01-05T00:00:00Z", "2030-01-09T12:00:00Z"])
def test_taking_effect_before_or_with_the_scheduled_version_is_refused(client, scheduled, maintainer, effective_from):
    response = post_version(client, maintainer, effective_from=effective_from)
    assert response.status_code == 409
    assert response.get_json()["error"]["scheduled"]["number"] == 2


def test_taking_effect_after_the_scheduled_version_is_accepted(client, scheduled, maintainer):
    response = post_version(client, maintainer, effective_from="2030-01-09T12:00:00.001Z")
    assert response.status_code == 201
    assert response.get_json()["number"] == 3


def test_the_latest_of_several_scheduled_versions_is_named(client, scheduled, maintainer, app):
    with app.app_context():
        policy.publish(V1, "Back to thirty days.", DECEMBER_9 + timedelta(days=1))
    error = post_version(client, maintainer).get_json()["error"]
    assert error["scheduled"]["number"] == 3


def test_withdrawing_the_scheduled_version_lets_the_new_one_publish(client, scheduled, maintainer):
    withdrawn = client.post("/api/policy/versions/2/withdraw", headers=maintainer)
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "withdrawn"
    response = post_version(client, maintainer)
    assert response.status_code == 201
    assert client.get("/api/policy/current").get_json()["number"] == 3


def test_withdraw_needs_a_maintainer(client, scheduled, make_token):
    assert client.post("/api/policy/versions/2/withdraw").status_code == 401
    operator = {"Authorization": f"Bearer {make_token(roles=('operator',))[1]}"}
    assert client.post("/api/policy/versions/2/withdraw", headers=operator).status_code == 403
    assert client.get("/api/policy/versions/2").get_json()["status"] == "upcoming"


@pytest.mark.parametrize("number, status, code", [(1, 409, "not_upcoming"), (7, 404, "unknown_version")])
def test_withdrawing_what_cannot_be_withdrawn_is_refused(client, scheduled, maintainer, number, status, code):
    response = client.post(f"/api/policy/versions/{number}/withdraw", headers=maintainer)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_withdrawing_twice_is_409(client, scheduled, maintainer):
    client.post("/api/policy/versions/2/withdraw", headers=maintainer)
    response = client.post("/api/policy/versions/2/withdraw", headers=maintainer)
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "already_withdrawn")


def test_issue_scenario_after_withdrawal_history_compares_version_3_with_version_1(client, scheduled, maintainer):
    client.post("/api/policy/versions/2/withdraw", headers=maintainer)
    post_version(client, maintainer)
    history = client.get("/privacy/versions").get_data(as_text=True)
    assert "Compare with version 2" not in history
    assert compare_links(history) == ["1/diff/3"]  # version 2, withdrawn, follows nothing in force
    version_3 = client.get("/privacy/versions/3").get_data(as_text=True)
    assert compare_links(version_3) == ["1/diff/3"]


@pytest.fixture
def published_before_the_fix(scheduled, app, monkeypatch):
    """The issue's data as older code accepted it: version 3 in force at once while version 2 waits."""
    monkeypatch.setattr(publishing, "check_follows_scheduled", lambda *args: None)
    with app.app_context():
        policy.publish(V3, "Fourteen days.")


def test_issue_scenario_in_old_data_pairs_versions_in_the_order_they_take_force(client, published_before_the_fix):
    history = client.get("/privacy/versions").get_data(as_text=True)
    # In force: 1, then 3 (now), then 2 (December 9).
    assert compare_links(history) == ["1/diff/3", "3/diff/2"]
    banner = client.get("/privacy").get_data(as_text=True)
    assert 'href="/privacy/versions/3/diff/2"' in banner
    assert compare_links(client.get("/privacy/versions/2").get_data(as_text=True)) == ["3/diff/2"]


def test_a_version_that_never_takes_force_is_skipped(app, client, scheduled, monkeypatch):
    monkeypatch.setattr(publishing, "check_follows_scheduled", lambda *args: None)
    with app.app_context():
        policy.publish(V3, "Same instant as version 2.", DECEMBER_9)
        policy.publish(V1, "Thirty days again.", DECEMBER_9 + timedelta(days=1))
    history = client.get("/privacy/versions").get_data(as_text=True)
    # Version 2 shares its instant with version 3, which wins: 2 is never in force.
    assert compare_links(history) == ["3/diff/4", "1/diff/3"]
    assert compare_links(client.get("/privacy/versions/2").get_data(as_text=True)) == []


def test_no_compare_link_for_the_first_version(client, app):
    with app.app_context():
        policy.publish(V1, "First version.")
    assert compare_links(client.get("/privacy/versions/1").get_data(as_text=True)) == []
