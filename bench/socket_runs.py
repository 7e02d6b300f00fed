"""Drive the Socket.IO load generators as processes on the generator core and check the outcome."""

import json
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager

from bench.servers import GENERATOR_CPU, PROJECT_ROOT, Server, pinned, rss_kib

HOLD_PER_PROCESS = 5000
HOLD_SETTLE_SECONDS = 2.0


def _generator(spec: dict, **popen) -> subprocess.Popen:
    command = pinned([sys.executable, "-m", "bench.socket_load", json.dumps(spec)], GENERATOR_CPU)
    return subprocess.Popen(command, cwd=PROJECT_ROOT, text=True, **popen)


def run_generator(spec: dict, timeout: float) -> dict:
    """Run one generator to its end and return its JSON result."""
    process = _generator(spec, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise RuntimeError(f"load generator ran past {timeout:.0f}s:\n{err[-2000:]}") from None
    except BaseException:
        process.kill()
        process.wait(5)
        raise
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"load generator failed ({process.returncode}):\n{err[-3000:]}")
    return json.loads(lines[-1])


def relay_spec(server: Server, *, site: bool, token: str | None, rates, seconds: float,
               saturate_seconds: float, visitors: int, echo: bool = False, colleague: dict | None = None,
               operator_url: str | None = None) -> dict:
    """The relay generator's spec; ``colleague`` (``{"token", "after"}``, the site only) brings a
    second operator online that many seconds into each measured run; ``operator_url`` puts the
    operator (and the colleague) on another server than the visitors."""
    if echo:
        namespaces = {"visitor_ns": "/echo", "operator_ns": None}
    elif site:
        namespaces = {"visitor_ns": "/chat", "operator_ns": "/console", "operator_auth": {"token": token}}
    else:
        namespaces = {"visitor_ns": "/visitor", "operator_ns": "/operator"}
    return {
        "scenario": "relay",
        "url": server.url,
        **namespaces,
        "first_message": site,
        "visitors": visitors,
        "rates": list(rates),
        "seconds": seconds,
        "saturate_seconds": saturate_seconds,
        "window": 2,
        "skip_overload": True,
        **({"colleague_auth": {"token": colleague["token"]}, "join_after": colleague["after"]} if colleague else {}),
        **({"operator_url": operator_url} if operator_url else {}),
        "prefix": f"{server.mode}-{server.name}-{'echo' if echo else 'relay'}-{time.monotonic_ns()}",
    }


def relay(server: Server, spec: dict) -> dict:
    budget = 90 + len(spec["rates"]) * (spec["seconds"] + 25) + spec["saturate_seconds"] * 3 + 25
    return run_generator(spec, timeout=budget)


# The stored check in SQL any of the site's databases runs: the acked ids go into a temporary
# table, and each one's visitor messages are counted (0: not stored, 2 or more: stored twice).
CREATE_ACKED = "CREATE TEMP TABLE acked (id TEXT PRIMARY KEY)"
STORED_COUNTS = ("SELECT a.id, count(m.id) FROM acked a LEFT JOIN messages m "
                 "ON m.client_msg_id = a.id AND m.author = 'visitor' GROUP BY a.id")


def stored_check(database_path: str, results: dict) -> dict:
    """Count the acked messages missing from the database, and the ones stored twice."""
    acked = set()
    for run in [*results["runs"], results.get("saturation")]:
        if run:
            acked.update(run.pop("acked_ids", []))
    with sqlite3.connect(f"file:{database_path}?mode=ro", uri=True) as conn:
        conn.execute(CREATE_ACKED)
        conn.executemany("INSERT INTO acked VALUES (?)", ((i,) for i in acked))
        counts = [count for _, count in conn.execute(STORED_COUNTS).fetchall()]
    return stored_verdict(len(acked), counts)


def stored_verdict(acked: int, counts) -> dict:
    """``{acked, not_stored, stored_twice}`` from each acked id's count of stored messages."""
    counts = list(counts)
    return {"acked": acked, "not_stored": counts.count(0), "stored_twice": sum(1 for n in counts if n > 1)}


def drop_acked_ids(results: dict) -> dict:
    for run in [*results["runs"], results.get("saturation")]:
        if run:
            run.pop("acked_ids", None)
    return results


@contextmanager
def held_visitors(server: Server, namespace: str, count: int, concurrency: int = 100, timeout: float = 600):
    """Hold ``count`` connections (split over generator processes) for the ``with`` block.

    Yields ``{held, failed, seconds, failures}``; the connections close when the block ends.
    """
    processes, reports = [], []
    started = time.monotonic()
    try:
        remaining = count
        while remaining > 0:
            share = min(HOLD_PER_PROCESS, remaining)
            remaining -= share
            spec = {"scenario": "hold", "url": server.url, "namespace": namespace, "count": share,
                    "concurrency": concurrency}
            processes.append(_generator(spec, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL))
        for process in processes:
            line = _read_line(process, deadline=started + timeout)
            reports.append(json.loads(line) if line else {"held": 0, "failed": 0, "failures": {"timeout": 1}})
        failures: dict = {}
        for report in reports:
            for name, n in report.get("failures", {}).items():
                failures[name] = failures.get(name, 0) + n
        yield {
            "held": sum(r["held"] for r in reports),
            "failed": sum(r["failed"] for r in reports),
            "failures": failures,
            "seconds": round(time.monotonic() - started, 1),
        }
    finally:
        for process in processes:
            try:
                process.stdin.write("release\n")
                process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _read_line(process: subprocess.Popen, deadline: float) -> str | None:
    import select

    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            return process.stdout.readline().strip() or None
        if process.poll() is not None:
            return None
    return None


def memory_per_connection(server: Server, namespace: str, count: int, while_held=None) -> dict:
    """Server RSS growth per held connection, after a small warm-up round.

    ``while_held()``, when given, runs while every connection is still open; its result is
    returned under ``"while_held"``.
    """
    with held_visitors(server, namespace, min(100, count)):
        pass
    time.sleep(HOLD_SETTLE_SECONDS)
    before = rss_kib(server.worker_pid)
    with held_visitors(server, namespace, count) as held:
        time.sleep(HOLD_SETTLE_SECONDS)
        after = rss_kib(server.worker_pid)
        result = dict(held)
        if while_held is not None and held["held"]:
            result["while_held"] = while_held()
    per = (after - before) / held["held"] if held["held"] else None
    return {**result, "requested": count, "rss_before_kib": before, "rss_after_kib": after,
            "kib_per_connection": round(per, 1) if per else None}
