"""Alert channels as an admin configures them (``ALERT_CHANNELS``), and when each may speak.

A channel is a dict: ``{"type": "webhook"|"slack", "url": …, "secret": …}`` or
``{"type": "email", "to": [...], "from": …, "host": …, "port": 587, "username"?, "password"?,
"starttls": true}``; any channel may add ``"name"``, ``"min_interval_seconds"`` and
``"quiet_hours": "22:00-07:00"`` (else the ``ALERT_*`` defaults). Mistakes stop the app at start.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

TYPES = ("webhook", "slack", "email")
REQUIRED = {"webhook": ("url", "secret"), "slack": ("url",), "email": ("to", "from", "host")}


@dataclass(frozen=True)
class QuietHours:
    """A daily span of local time (may cross midnight) in which a channel stays silent."""

    start: clock_time
    end: clock_time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> "QuietHours":
        start, _, end = text.partition("-")
        return cls(clock_time.fromisoformat(start.strip()), clock_time.fromisoformat(end.strip()), ZoneInfo(zone))

    def contains(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass
class Channel:
    name: str
    type: str
    options: dict
    min_interval: float
    quiet_hours: QuietHours | None
    last_sent: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def admit(self, now: datetime) -> bool:
        """True when an alert may go out now: outside quiet hours and past the minimum interval."""
        if self.quiet_hours and self.quiet_hours.contains(now):
            return False
        with self.lock:
            moment = time.monotonic()
            if self.last_sent is not None and moment - self.last_sent < self.min_interval:
                return False
            self.last_sent = moment
            return True


def parse_channels(config) -> list[Channel]:
    """The configured channels; a ValueError names the channel and field that is wrong."""
    channels = []
    for index, raw in enumerate(config["ALERT_CHANNELS"] or ()):
        label = f"ALERT_CHANNELS[{index}]"
        if not isinstance(raw, dict) or raw.get("type") not in TYPES:
            raise ValueError(f"{label}: needs \"type\": one of {', '.join(TYPES)}")
        missing = [name for name in REQUIRED[raw["type"]] if not raw.get(name)]
        if missing:
            raise ValueError(f"{label} ({raw['type']}): missing {', '.join(missing)}")
        quiet = raw.get("quiet_hours", config["ALERT_QUIET_HOURS"])
        try:
            quiet_hours = QuietHours.parse(quiet, config["ALERT_TIMEZONE"]) if quiet else None
        except ValueError as error:
            raise ValueError(f"{label}: quiet_hours must look like 22:00-07:00 ({error})") from None
        channels.append(Channel(
            name=str(raw.get("name") or f"{raw['type']}-{index}"), type=raw["type"], options=raw,
            min_interval=float(raw.get("min_interval_seconds", config["ALERT_MIN_INTERVAL_SECONDS"])),
            quiet_hours=quiet_hours))
    names = [channel.name for channel in channels]
    if len(set(names)) != len(names):
        raise ValueError(f"ALERT_CHANNELS: each channel needs its own name, not {names}")
    return channels
