"""/privacy reads the policy versions at most once a second, yet never shows a stale rule."""

from datetime import UTC, datetime, timedelta

import pytest

from clipai.services import policy
from clipai.services.policy import state as policy_state

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
FIRST = {"en": "# Privacy Policy\n\nWe keep chat messages for 30 days.\n"}
SECOND = {"en": "# Privacy Policy\n\nWe keep chat messages for 14 days.\n"}

pytestmark = pytest.mark.parametrize("settings", [{"TESTING": False}])


@pytest.fixture
def version_reads(monkeypatch):
    """Count how often the versions are read from the database."""
    reads = []
    real = policy_state.read_versions

    def counted(*args, **kwargs):
        reads.append(None)
        return real(*args, **kwargs)

    monkeypatch.setattr(policy_state, "read_versions", counted)
    return reads


def publish(app, texts, effective_from=None):
    with app.app_context():
        return policy.publish(texts, "A version.", effective_from)


def text_of(client) -> str:
    return client.get("/privacy").get_data(as_text=True)


def test_repeated_requests_read_the_versions_once(app, client, version_reads):
    publish(app, FIRST)
    for _ in range(3):
        assert "30 days" in text_of(client)
    assert len(version_reads) == 1


def test_a_switch_over_shows_at_once_without_reading_again(app, client, clock, version_reads):
    publish(app, FIRST)
    publish(app, SECOND, T0 + timedelta(seconds=100))
    assert "30 days" in text_of(client)
    clock.now = T0 + timedelta(seconds=101)
    assert "14 days" in text_of(client)
    assert len(version_reads) == 1


def test_a_version_published_through_the_api_shows_at_once(app, client, make_token):
    publish(app, FIRST)
    assert "30 days" in text_of(client)
    token = make_token(roles=("maintainer",))[1]
    answer = client.post("/api/policy/versions", json={"texts": SECOND, "summary": "Shorter."},
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201
    assert "14 days" in text_of(client)
