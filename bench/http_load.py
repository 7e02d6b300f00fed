"""HTTP load with ``wrk`` (Debian package) on the generator core."""

import re
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass

from bench.servers import GENERATOR_CPU, pinned

CONNECTIONS = 32
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class HttpResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors and answers other than 2xx/3xx

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def fetch(url: str, headers: dict | None = None) -> tuple:
    """One request outside the load, to read the size and ETag of an answer."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def parse_wrk(output: str) -> HttpResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    # wrk pads a value in seconds with a space ("2.37s "), and only that one
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.MULTILINE))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return HttpResult(
        requests_per_second=float(rate.group(1)) if rate else 0.0,
        p50_ms=_milliseconds(percentiles.get("50", "nan")),
        p99_ms=_milliseconds(percentiles.get("99", "nan")),
        requests=int(total.group(1)) if total else 0,
        errors=errors + (int(bad.group(1)) if bad else 0),
    )


def run_wrk(url: str, seconds: float, headers: dict | None = None, connections: int = CONNECTIONS) -> HttpResult:
    """Keep ``connections`` keep-alive connections busy on ``url`` for ``seconds``."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(pinned([*command, url], GENERATOR_CPU), capture_output=True, text=True,
                          timeout=seconds + 30)
    return parse_wrk(done.stdout)
