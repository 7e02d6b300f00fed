"""Notes, tags and ratings belong to their conversation: rules, and erased with it."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clipai import storage
from clipai.services import conversations, retention
from clipai.services.errors import ServiceError
from clipai.storage.schema import conversation_notes, conversation_ratings, conversation_tags

from tests.services.test_retention import SECRET_TEXT, START, database_bytes


@pytest.fixture
def operator(app_ctx, make_user):
    user, _ = make_user(roles=("operator",), alias="Olga")
    return user


@pytest.fixture
def recorded(app_ctx, operator):
    """A closed conversation with a note, a tag and a rating holding SECRET_TEXT; return its id."""
    conversation_id = conversations.post_visitor_message(None, "hello", "m-1", locale="en",
                                                         address_key="a").conversation.id
    conversations.add_note(conversation_id, operator, f"note {SECRET_TEXT}")
    conversations.add_tag(conversation_id, "billing")
    conversations.close(conversation_id)
    conversations.rate(conversation_id, 4, f"comment {SECRET_TEXT}")
    return conversation_id


def rows(conversation_id) -> dict:
    with storage.reading() as conn:
        return {table.name: conn.execute(select(func.count()).where(table.c.conversation_id == conversation_id))
                .scalar_one() for table in (conversation_notes, conversation_tags, conversation_ratings)}


def test_the_records_are_stored_with_the_conversation(recorded):
    assert rows(recorded) == {"conversation_notes": 1, "conversation_tags": 1, "conversation_ratings": 1}
    summary = conversations.conversation(recorded)
    assert summary.tags == ("billing",) and summary.rating.stars == 4


def test_erasing_a_conversation_erases_its_notes_tags_and_rating(app, recorded):
    conversations.erase(recorded)
    assert rows(recorded) == {"conversation_notes": 0, "conversation_tags": 0, "conversation_ratings": 0}
    assert SECRET_TEXT.encode() not in database_bytes(app)


def test_the_retention_purge_erases_them_too(app, recorded, clock):
    clock.now = START + timedelta(days=31)
    assert retention.purge_expired() == 1
    assert rows(recorded) == {"conversation_notes": 0, "conversation_tags": 0, "conversation_ratings": 0}
    assert SECRET_TEXT.encode() not in database_bytes(app)


def test_notes_tags_and_ratings_do_not_postpone_the_erase_date(app_ctx, operator, clock):
    conversation_id = conversations.post_visitor_message(None, "hello", "m-1", locale="en",
                                                         address_key="a").conversation.id
    clock.now = START + timedelta(days=29)
    conversations.add_note(conversation_id, operator, "later")
    conversations.add_tag(conversation_id, "late")
    conversations.close(conversation_id)
    conversations.rate(conversation_id, 5)
    clock.now = START + timedelta(days=30)
    assert retention.purge_expired() == 1


# --- ratings -------------------------------------------------------------------------------


def test_an_open_conversation_cannot_be_rated(app_ctx):
    conversation_id = conversations.post_visitor_message(None, "hello", "m-1", locale="en",
                                                         address_key="a").conversation.id
    with pytest.raises(ServiceError) as refused:
        conversations.rate(conversation_id, 5)
    assert refused.value.code == "not_closed"


def test_a_rating_can_be_changed_while_the_conversation_stays_closed(recorded):
    conversations.rate(recorded, 2, "")
    rating = conversations.conversation(recorded).rating
    assert (rating.stars, rating.comment) == (2, "")
    assert rows(recorded)["conversation_ratings"] == 1


def test_reopening_keeps_the_rating_but_refuses_a_change(recorded):
    conversations.reopen(recorded)
    assert conversations.conversation(recorded).rating.stars == 4
    with pytest.raises(ServiceError):
        conversations.rate(recorded, 1)


@pytest.mark.parametrize("stars", [0, 6, "5", 4.5, True, None])
def test_stars_are_one_to_five(recorded, stars):
    with pytest.raises(ServiceError) as refused:
        conversations.rate(recorded, stars)
    assert refused.value.code == "invalid"


def test_the_comment_is_redacted(recorded):
    conversations.rate(recorded, 3, "Call me on +44 20 7946 0958")
    rating = conversations.conversation(recorded).rating
    assert "7946" not in rating.comment and rating.redacted == ("phone",)


def test_a_tag_on_an_erased_conversation_is_not_found(recorded):
    conversations.erase(recorded)
    with pytest.raises(ServiceError) as refused:
        conversations.add_tag(recorded, "late")
    assert refused.value.code == "not_found"

