"""When an alert channel may speak: quiet hours, the minimum interval, and configuration mistakes."""

from datetime import UTC, datetime

import pytest

from clipai import create_app
from clipai.alerts.channels import QuietHours, parse_channels

HOOK = {"type": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "s"}


def settings(*channels, **extra):
    return {"ALERT_CHANNELS": list(channels), "ALERT_QUIET_HOURS": None, "ALERT_TIMEZONE": "UTC",
            "ALERT_MIN_INTERVAL_SECONDS": 300, **extra}


def at(hour, minute=0):
    return datetime(2030, 1, 1, hour, minute, tzinfo=UTC)


def test_quiet_hours_across_midnight():
    quiet = QuietHours.parse("22:00-07:00", "UTC")
    assert [quiet.contains(at(h, m)) for h, m in [(21, 59), (22, 0), (3, 0), (6, 59), (7, 0), (12, 0)]] == \
        [False, True, True, True, False, False]


def test_quiet_hours_are_local_to_the_configured_zone():
    quiet = QuietHours.parse("09:00-17:00", "Europe/Berlin")
    assert quiet.contains(at(8, 30))  # 09:30 in Berlin in January
    assert not quiet.contains(at(16, 30))  # 17:30 in Berlin


def test_a_channel_stays_silent_in_its_quiet_hours_and_another_speaks():
    quiet, loud = parse_channels(settings({**HOOK, "quiet_hours": "11:00-13:00"}, HOOK))
    assert not quiet.admit(at(12))
    assert loud.admit(at(12))


def test_a_channel_speaks_at_most_once_per_interval():
    [channel] = parse_channels(settings(HOOK))
    assert channel.admit(at(12))
    assert not channel.admit(at(12))
    channel.last_sent -= 301  # as if the interval had passed
    assert channel.admit(at(12))


@pytest.mark.parametrize("channel, message", [
    ({"type": "pager"}, r"ALERT_CHANNELS\[0\]: needs \"type\""),
    ({"type": "webhook", "url": "http://x"}, r"ALERT_CHANNELS\[0\] \(webhook\): missing secret"),
    ({"type": "email", "host": "smtp"}, r"missing to, from"),
    ({**HOOK, "quiet_hours": "late"}, r"quiet_hours must look like 22:00-07:00"),
])
def test_configuration_mistakes_stop_the_app_with_the_channel_named(channel, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        create_app({"TESTING": True, "SECRET_KEY": "k", "ASYNC_MODE": "threading", "ALERT_CHANNELS": [channel],
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


@pytest.mark.parametrize("settings", [{"ALERT_CHANNELS": [HOOK], "ALERT_QUIET_HOURS": "11:00-13:00"}])
def test_the_dispatcher_queues_nothing_in_quiet_hours(app, settings):
    assert app.extensions["clipai.alerts"].notify_waiting(7) == 0  # the test clock reads 12:00 UTC


@pytest.mark.parametrize("settings", [{"ALERT_CHANNELS": [HOOK], "ALERT_LOCALE": "de", "SITE_URL": "https://s.example/"}])
def test_alert_texts_use_the_configured_language(app, settings):
    alert = app.extensions["clipai.alerts"].alert(7, at(12))
    assert alert.subject == "Gespräch Nr. 7 wartet"
    assert alert.summary == "Ein Besucher wartet in Gespräch Nr. 7, und kein Mitarbeiter ist online."
    assert alert.console_url == "https://s.example/console"


def test_two_channels_with_one_name_are_refused():
    with pytest.raises(ValueError, match="each channel needs its own name"):
        parse_channels(settings({**HOOK, "name": "ops"}, {**HOOK, "name": "ops"}))
