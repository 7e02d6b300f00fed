"""Office hours: weekly hours in a time zone, holidays, DST, and the start-up check of the setting."""

from datetime import UTC, datetime

import pytest

from clipai import create_app
from clipai.services.office_hours import OfficeHoursError, parse

BERLIN = {"timezone": "Europe/Berlin", "weekly": {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
          "holidays": ["2026-12-25"]}


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def opens(setting, now):
    return parse(setting).opens_at(now)


def test_inside_the_hours_support_is_open():
    assert opens(BERLIN, utc(2026, 12, 7, 8, 0)) is None  # Monday 09:00 in Berlin (UTC+1)


def test_after_closing_it_opens_the_next_working_morning_in_the_offices_zone():
    assert opens(BERLIN, utc(2026, 12, 7, 16, 0)) == utc(2026, 12, 8, 8, 0)  # Monday 17:00 → Tuesday 09:00


def test_on_friday_evening_it_opens_on_monday():
    assert opens(BERLIN, utc(2026, 12, 11, 18, 0)) == utc(2026, 12, 14, 8, 0)


def test_a_holiday_is_skipped():
    # Thursday 24 December 17:30 → not Friday the 25th (holiday) → Monday the 28th.
    assert opens(BERLIN, utc(2026, 12, 24, 16, 30)) == utc(2026, 12, 28, 8, 0)
    assert opens(BERLIN, utc(2026, 12, 25, 10, 0)) == utc(2026, 12, 28, 8, 0)  # 11:00 on the holiday itself


def test_summer_time_moves_the_opening_instant():
    # Berlin is UTC+2 in summer: Monday 6 July 09:00 local is 07:00 UTC.
    assert opens(BERLIN, utc(2026, 7, 3, 20, 0)) == utc(2026, 7, 6, 7, 0)
    assert opens(BERLIN, utc(2026, 7, 6, 7, 30)) is None


def test_the_opening_after_the_spring_change_is_in_summer_time():
    # Clocks go forward on Sunday 29 March 2026: Friday evening is UTC+1, Monday morning UTC+2.
    assert opens(BERLIN, utc(2026, 3, 27, 17, 0)) == utc(2026, 3, 30, 7, 0)


def test_the_opening_after_the_autumn_change_is_in_winter_time():
    assert opens(BERLIN, utc(2026, 10, 23, 17, 0)) == utc(2026, 10, 26, 8, 0)


def test_a_wall_time_skipped_by_the_spring_change_opens_once_the_clock_passed_it():
    night = {"timezone": "Europe/Berlin", "weekly": {"sun": ["02:30-04:00"]}}
    assert opens(night, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 30)  # 03:30 summer time


def test_split_days_and_a_zone_west_of_utc():
    new_york = {"timezone": "America/New_York", "weekly": {"mon": ["09:00-12:00", "13:00-17:00"]}}
    assert opens(new_york, utc(2026, 12, 7, 17, 30)) == utc(2026, 12, 7, 18, 0)  # lunch → 13:00 EST
    assert opens(new_york, utc(2026, 12, 7, 15, 0)) is None


def test_no_setting_means_always_open():
    assert parse(None) is None


@pytest.mark.parametrize("setting, says", [
    ("9-5", "must be a mapping"),
    ({"timezone": "Mars/Olympus", "weekly": {"mon": ["09:00-17:00"]}}, "not an IANA time zone"),
    ({"timezone": "UTC", "weekly": {"monday": ["09:00-17:00"]}}, "must map days"),
    ({"timezone": "UTC", "weekly": {"mon": "09:00-17:00"}}, "must be a list"),
    ({"timezone": "UTC", "weekly": {"mon": ["17:00-09:00"]}}, "start before the end"),
    ({"timezone": "UTC", "weekly": {"mon": ["9:00-17:00"]}}, "HH:MM-HH:MM"),
    ({"timezone": "UTC", "weekly": {"mon": ["09:00-25:00"]}}, "HH:MM-HH:MM"),
    ({"timezone": "UTC", "weekly": {"mon": ["09:00-13:00", "12:00-17:00"]}}, "overlapping"),
    ({"timezone": "UTC", "weekly": {}}, "opens on no day"),
    ({"timezone": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "holidays": ["25.12.2026"]}, "dates like"),
    ({"timezone": "UTC", "weekly": {"mon": ["09:00-17:00"]}, "holiday": []}, "unknown keys: holiday"),
])
def test_a_wrong_setting_is_refused_with_what_is_wrong(setting, says):
    with pytest.raises(OfficeHoursError, match=says):
        parse(setting)


def test_the_app_refuses_to_start_with_a_wrong_setting(tmp_path):
    with pytest.raises(OfficeHoursError, match="Mars/Olympus"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SECRET_KEY": "x", "ASYNC_MODE": "threading",
                    "OFFICE_HOURS": {"timezone": "Mars/Olympus", "weekly": {"mon": ["09:00-17:00"]}}})
