"""Support's office hours (``OFFICE_HOURS``): weekly hours in a time zone, minus holidays.

``None`` (the default) means always open. The setting is read once, at start-up, and a mistake
in it stops the start with a message that says what is wrong.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXTENSION_KEY = "clipai.office_hours"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
LOOK_AHEAD_DAYS = 400  # an opening further away than this is treated as none (the setting refuses it)


class OfficeHoursError(ValueError):
    """``OFFICE_HOURS`` is not a valid schedule; the message says which part."""


@dataclass(frozen=True)
class OfficeHours:
    zone: ZoneInfo
    weekly: tuple  # per weekday (Monday first): ((start minute, end minute), …) of local wall time
    holidays: frozenset

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self._ranges(local.date()))

    def opens_at(self, now: datetime) -> datetime | None:
        """The next instant support opens (UTC), or None while it is open."""
        if self.is_open(now):
            return None
        today = now.astimezone(self.zone).date()
        for offset in range(LOOK_AHEAD_DAYS):
            day = today + timedelta(days=offset)
            for start, _end in self._ranges(day):
                instant = self._instant(day, start)
                if instant > now:
                    return instant
        return None

    def _ranges(self, day: date) -> tuple:
        return () if day in self.holidays else self.weekly[day.weekday()]

    def _instant(self, day: date, minute: int) -> datetime:
        # fold=0: a wall time that happens twice (autumn) is its first occurrence; one skipped by
        # the spring change is read with the winter offset, i.e. as late as the skipped time.
        wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return wall.astimezone(UTC)


def parse(setting) -> OfficeHours | None:
    """Check ``OFFICE_HOURS`` and return the schedule, or None for "always open"."""
    if setting is None:
        return None
    if not isinstance(setting, dict):
        raise OfficeHoursError("OFFICE_HOURS must be a mapping with timezone, weekly and holidays, or None")
    unknown = set(setting) - {"timezone", "weekly", "holidays"}
    if unknown:
        raise OfficeHoursError(f"OFFICE_HOURS has unknown keys: {', '.join(sorted(map(str, unknown)))}")
    hours = OfficeHours(_zone(setting.get("timezone")), _weekly(setting.get("weekly")),
                        _holidays(setting.get("holidays", [])))
    if not any(hours.weekly):
        raise OfficeHoursError("OFFICE_HOURS['weekly'] opens on no day; use OFFICE_HOURS = None for always open")
    return hours


def _zone(name) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise OfficeHoursError(
            f"OFFICE_HOURS['timezone'] {name!r} is not an IANA time zone like 'Europe/Berlin'") from None


def _weekly(weekly) -> tuple:
    if not isinstance(weekly, dict) or set(weekly) - set(DAYS):
        raise OfficeHoursError(
            f"OFFICE_HOURS['weekly'] must map days ({', '.join(DAYS)}) to lists like ['09:00-17:00']")
    return tuple(_day_ranges(day, weekly.get(day, [])) for day in DAYS)


def _day_ranges(day: str, ranges) -> tuple:
    if not isinstance(ranges, list):
        raise OfficeHoursError(f"OFFICE_HOURS['weekly']['{day}'] must be a list like ['09:00-12:00', '13:00-17:00']")
    parsed = sorted(_range(day, text) for text in ranges)
    for (_, end), (start, _) in zip(parsed, parsed[1:]):
        if start < end:
            raise OfficeHoursError(f"OFFICE_HOURS['weekly']['{day}'] has overlapping ranges")
    return tuple(parsed)


def _range(day: str, text) -> tuple[int, int]:
    match = _RANGE.match(text) if isinstance(text, str) else None
    if match:
        start_h, start_m, end_h, end_m = map(int, match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if start_h < 24 and end_h <= 24 and start_m < 60 and end_m < 60 and start < end <= 24 * 60:
            return start, end
    raise OfficeHoursError(f"OFFICE_HOURS['weekly']['{day}'] has {text!r}: write 'HH:MM-HH:MM' with the start "
                           "before the end on the same day (split overnight hours over two days; 24:00 ends a day)")


def _holidays(holidays) -> frozenset:
    if not isinstance(holidays, list):
        raise OfficeHoursError("OFFICE_HOURS['holidays'] must be a list of dates like '2026-12-25'")
    try:
        return frozenset(date.fromisoformat(day) for day in holidays)
    except (TypeError, ValueError):
        raise OfficeHoursError("OFFICE_HOURS['holidays'] must be a list of dates like '2026-12-25'") from None


def init_app(app):
    """Read ``OFFICE_HOURS`` once; a mistake stops the start."""
    app.extensions[EXTENSION_KEY] = parse(app.config.get("OFFICE_HOURS"))


def opens_at(app, now: datetime) -> datetime | None:
    """When support opens next (UTC), or None while it is open or when no hours are set."""
    hours = app.extensions.get(EXTENSION_KEY)
    return hours.opens_at(now) if hours else None
