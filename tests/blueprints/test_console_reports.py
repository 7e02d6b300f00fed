"""Operators' reports: figures from what is stored, and no row about fewer than 5 conversations."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from clipai import storage
from clipai.services import conversations, reports
from clipai.storage.schema import conversation_ratings
from clipai.storage.statistics import ConversationFacts

DAY1 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
API = "/api/console/reports"


@pytest.fixture
def stored(app, clock, operator):
    """Day 1: 5 English, answered after 60-300 s, closed after 600-1000 s. Day 2: 5 German, 3 answered.
    Day 3: 1 French, unanswered. Returns the English conversations' ids (closed, so they can be rated)."""

    def start(at, locale, key):
        clock.now = at
        posted = conversations.post_visitor_message(None, "hello", f"m-{key}", locale=locale, address_key=key)
        return posted.conversation.id

    english = []
    with app.app_context():
        for n in range(5):
            conversation_id = start(DAY1 + timedelta(minutes=20 * n), "en", f"en{n}")
            clock.now = DAY1 + timedelta(minutes=20 * n, seconds=60 * (n + 1))
            conversations.post_operator_message(conversation_id, operator, "hi", f"r-en{n}")
            clock.now = DAY1 + timedelta(minutes=20 * n, seconds=600 + 100 * n)
            conversations.close(conversation_id)
            english.append(conversation_id)
        for n in range(5):
            conversation_id = start(DAY1 + timedelta(days=1, minutes=n), "de", f"de{n}")
            if n < 3:
                clock.now = DAY1 + timedelta(days=1, minutes=n, seconds=30)
                conversations.post_operator_message(conversation_id, operator, "hallo", f"r-de{n}")
        start(DAY1 + timedelta(days=2), "fr", "fr0")
        clock.now = DAY1 + timedelta(days=3)
    return english


@pytest.fixture
def auth(make_token):
    _, token = make_token(roles=("operator",))
    return {"Authorization": f"Bearer {token}"}


def test_report_by_day_and_language_merges_small_groups_into_other(client, stored, auth):
    report = client.get(API, query_string={"from": "2030-01-01", "to": "2030-01-03"}, headers=auth).get_json()
    assert report["total"] == {"label": "total", "started": 11, "answered": 8, "missed": 3,
                               "median_first_response_seconds": 90.0, "median_resolution_seconds": 800.0,
                               "rated": 0, "average_rating": None}
    by_day = {row["label"]: row for row in report["by_day"]}
    assert set(by_day) == {"2030-01-02", "other"}  # day 3 (1) took day 1 (5, the smallest) into "other"
    assert by_day["2030-01-02"] == {"label": "2030-01-02", "started": 5, "answered": 3, "missed": 2,
                                    "median_first_response_seconds": None, "median_resolution_seconds": None,
                                    "rated": 0, "average_rating": None}
    assert by_day["other"]["started"] == 6
    by_locale = {row["label"]: row for row in report["by_locale"]}
    assert set(by_locale) == {"en", "other"}
    assert by_locale["en"] == {"label": "en", "started": 5, "answered": 5, "missed": 0,
                               "median_first_response_seconds": 180.0, "median_resolution_seconds": 800.0,
                               "rated": 0, "average_rating": None}


def _english_and_total(client, auth):
    report = client.get(API, query_string={"from": "2030-01-01", "to": "2030-01-03"}, headers=auth).get_json()
    english = {row["label"]: row for row in report["by_locale"]}["en"]
    return ((english["rated"], english["average_rating"]), (report["total"]["rated"], report["total"]["average_rating"]))


def test_an_average_rating_needs_5_rated_conversations(app, client, stored, auth):
    with app.app_context():
        for conversation_id, stars in zip(stored[:4], [5, 4, 4, 2], strict=True):
            conversations.rate(conversation_id, stars, "thanks, write to me at ana@example.com")
    assert _english_and_total(client, auth) == ((4, None), (4, None))  # 4 ratings: counted, never averaged
    with app.app_context():
        conversations.rate(stored[4], 3)
    assert _english_and_total(client, auth) == ((5, 3.6), (5, 3.6))
    with app.app_context():
        conversations.rate(stored[0], 1)  # a changed rating replaces the earlier one
    assert _english_and_total(client, auth) == ((5, 2.8), (5, 2.8))
    body = client.get(API, query_string={"from": "2030-01-01", "to": "2030-01-03"}, headers=auth).get_data(as_text=True)
    assert "thanks" not in body and "example.com" not in body  # counts only, never a comment


def test_an_erased_conversation_takes_its_rating_out_of_the_report(app, client, stored, auth):
    with app.app_context():
        for conversation_id in stored:
            conversations.rate(conversation_id, 4)
        assert _english_and_total(client, auth) == ((5, 4.0), (5, 4.0))
        conversations.erase(stored[2])
    report = client.get(API, query_string={"from": "2030-01-01", "to": "2030-01-03"}, headers=auth).get_json()
    assert report["total"]["started"] == 10 and (report["total"]["rated"], report["total"]["average_rating"]) == (4, None)


def test_a_range_with_fewer_than_5_conversations_shows_nothing(client, stored, auth):
    report = client.get(API, query_string={"from": "2030-01-03", "to": "2030-01-03"}, headers=auth).get_json()
    assert report["total"] is None and report["by_day"] == [] and report["by_locale"] == []


def test_reports_name_no_visitor_text_or_token(client, stored, auth):
    body = client.get(API, query_string={"from": "2030-01-01", "to": "2030-01-03"}, headers=auth).get_data(as_text=True)
    assert "hello" not in body and "hallo" not in body and "token" not in body


def test_no_row_ever_describes_fewer_than_5_conversations():
    generator = random.Random(18)
    for _ in range(300):
        facts = [ConversationFacts(generator.choice("abcdefg"), DAY1 + timedelta(days=generator.randrange(10)),
                                   False, None, None) for _ in range(generator.randrange(5, 60))]
        for rows in (reports._rows(facts, lambda f: f.locale), reports._rows(facts, lambda f: f.created_at.date())):
            assert all(row["started"] >= reports.MIN_GROUP for row in rows)
            assert sum(row["started"] for row in rows) == len(facts)


def test_operators_only(client, make_token):
    assert client.get(API).status_code == 401
    _, maintainer = make_token(roles=("maintainer",))
    refused = client.get(API, headers={"Authorization": f"Bearer {maintainer}"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("query, message", [
    ({"from": "yesterday"}, "Daten müssen so aussehen: 2030-01-31."),
    ({"from": "2030-01-05", "to": "2030-01-01"}, "Der erste Tag darf nicht nach dem letzten liegen."),
    ({"from": "2030-01-01", "to": "2030-06-01"}, "Ein Bericht umfasst höchstens 92 Tage."),
])
def test_bad_ranges_are_refused_in_the_readers_language(client, auth, query, message):
    response = client.get(API, query_string=query, headers={**auth, "Accept-Language": "de"})
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "invalid", "message": message}


def test_the_page_is_a_shell_without_figures_or_cookies(client):
    response = client.get("/de/console/reports")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert "Gesprächsberichte" in page and 'id="reports-data"' in page


def test_erased_conversations_leave_the_report_with_everything_stored_about_them(app, client, stored, clock, make_token):
    from clipai.services import retention

    with app.app_context():
        for conversation_id in stored:
            conversations.rate(conversation_id, 5)
        clock.now = DAY1 + timedelta(days=40)  # past every erase date
        assert retention.purge_expired() == 11
        with storage.reading() as conn:
            assert conn.execute(select(func.count()).select_from(conversation_ratings)).scalar_one() == 0
    _, token = make_token()
    report = client.get(API, query_string={"from": "2030-01-01", "to": "2030-01-03"},
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    assert report["total"] is None
