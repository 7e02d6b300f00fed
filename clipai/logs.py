"""The servers' log lines: plain text or one JSON object per line (``LOG_FORMAT``), each written once.

Every line carries its time, level and logger: the app's own lines, the access lines of both
production servers (gunicorn's through :class:`GunicornLogger`) and the Socket.IO libraries'.
No line names a client: access lines are built without the address or user agent
(``clipai.runtime.serving``, ``deploy/gunicorn.conf.py``).
"""

import json
import logging
import sys
from datetime import UTC, datetime

LOG_FORMATS = ("plain", "json")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# python-socketio and python-engineio log through these; their own default would add a second
# handler of their own (so an origin refusal was written twice) and, at INFO, every packet.
LIBRARY_LOGGERS = ("socketio.server", "engineio.server")


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: ``{time, level, logger, message[, exception]}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``LOG_FORMAT``; anything but the two formats is refused at start-up."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    return JsonLineFormatter() if log_format == "json" else logging.Formatter(PLAIN_FORMAT)


def configure(config) -> None:
    """Send every record to standard error through one handler, in the configured format and level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(config.get("LOG_FORMAT", "plain")))
    logging.basicConfig(level=config.get("LOG_LEVEL", "INFO"), handlers=[handler], force=True)


def library_logger(name: str) -> logging.Logger:
    """A Socket.IO library's logger that writes errors only, through the root handler alone."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.ERROR)
    return logger

