"""Instants are stored as SQLAlchemy's SQLite DATETIME would store them, and read back unchanged."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from clipai.storage.schema import UTCDateTime

DIALECT = sqlite.dialect()
OFFSETS = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59),
                                            max_value=timedelta(hours=23, minutes=59)))
INSTANTS = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=OFFSETS | st.just(UTC))


def stock(value):
    """What SQLAlchemy stores on its own: this type's UTC conversion, then DATETIME's format."""
    return DateTime().dialect_impl(DIALECT).bind_processor(DIALECT)(UTCDateTime().process_bind_param(value, DIALECT))


@given(INSTANTS)
def test_sqlite_text_is_sqlalchemys_own(value):
    assert UTCDateTime()._cached_bind_processor(DIALECT)(value) == stock(value)


def test_whole_seconds_keep_their_microseconds_and_none_stays_none():
    process = UTCDateTime()._cached_bind_processor(DIALECT)
    assert process(datetime(2030, 1, 1, 12, tzinfo=UTC)) == "2030-01-01 12:00:00.000000"
    assert process(datetime(999, 1, 1, tzinfo=timezone(timedelta(hours=3)))) == "0998-12-31 21:00:00.000000"
    assert process(None) is None


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime()._cached_bind_processor(DIALECT)(datetime(2030, 1, 1))
