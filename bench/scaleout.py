"""The scale-out rows: two processes of the site on one Redis queue, against one process.

Both processes share one core (the server core), so throughput cannot show what a second process
costs; server CPU time per 1,000 delivered messages at the same fixed offered rate can. The one
process runs with the same Redis message queue and limiter storage as the two, so the process
count is the only difference: the ratio is the price of the second process (each event crossing
the channel is decoded and routed again there), not of Redis itself, which both sides pay.
Visitors connect to process A and the operator to process B, so every message crosses processes.
"""

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench import servers, socket_runs

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# msg/s: under one process's maximum on PostgreSQL and Redis (about 1.1-1.5 ms of CPU a message
# there, so a half to three quarters of the core), so both setups keep up when the core is their own
OFFERED_RATE = 500
MIN_ROUNDS = 2
GENERATOR_BUDGET_SECONDS = 150  # connecting, first messages, warm-up and draining, besides the run
CORE, WALL = "server core", "wall"
CONTENDED = 0.20  # share of the server core other processes took, past which a run is measured again
CONTENDED_RETRIES = 2


def unavailable() -> str | None:
    """Why the scale-out rows cannot run here (Redis or PostgreSQL unreachable), or None."""
    import psycopg
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as error:
        return f"Redis at {REDIS_URL} is unreachable ({error})"
    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except Exception as error:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable ({error})"
    return None


@contextmanager
def fresh_database():
    """A new PostgreSQL database for one mode's run (its URL for the site), always dropped after."""
    import psycopg

    name = f"clipai_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        server_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{server_url}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stored_check(database_url: str, acked_ids) -> dict:
    """The SQLite stored check (``socket_runs``) on PostgreSQL: acked ids missing or stored twice."""
    import psycopg

    acked = sorted(set(acked_ids))
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        conn.execute(socket_runs.CREATE_ACKED)
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO acked VALUES (%s)", [(i,) for i in acked])
        counts = [count for _, count in conn.execute(socket_runs.STORED_COUNTS).fetchall()]
    return socket_runs.stored_verdict(len(acked), counts)


def queue_settings(prefix: str) -> dict:
    """What the processes of one site share: the Redis queue, its channel (from the prefix), limits."""
    return {"MESSAGE_QUEUE": REDIS_URL, "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": f"clipai-bench-{prefix}-{secrets.token_hex(4)}",
            "SECRET_KEY": secrets.token_hex(16)}


def redis_pid() -> int | None:
    """Redis's process id when it runs on this machine and its CPU time is readable, else None."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        pid = int(client.info("server")["process_id"])
    finally:
        client.close()
    try:
        servers.cpu_seconds(pid)
    except OSError:
        return None
    return pid


# --- one measured run ----------------------------------------------------------------------


def cpu_sample(groups: dict) -> dict:
    """CPU seconds of each group of pids, of the whole server core, and the wall clock, at one moment."""
    return {**{name: sum(map(cpu_seconds_if_alive, pids)) for name, pids in groups.items()},
            CORE: core_busy_seconds(servers.SERVER_CPU), WALL: time.monotonic()}


def cpu_seconds_if_alive(pid: int) -> float:
    try:
        return servers.cpu_seconds(pid)
    except OSError:  # a database backend that ended during the run: its time is not counted
        return 0.0


def core_busy_seconds(cpu: int) -> float:
    """Time core ``cpu`` spent running anything (``/proc/stat``: user, nice, system, irq, softirq)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            user, nice, system, _idle, _iowait, irq, softirq = (int(n) for n in line.split()[1:8])
            return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    return 0.0


def run_marked(spec: dict, groups_at, timeout: float) -> tuple[dict, dict, dict]:
    """Run one relay generator and read CPU times when its measured run starts and ends
    (``mark_phases``). ``groups_at()`` names the pids to read, asked once as the run starts.

    Returns the generator's result, each group's CPU seconds in between (and the server core's
    and the wall clock's, under ``CORE`` and ``WALL``), and the groups that were read.
    """
    samples, groups = {}, {}
    command = servers.pinned([sys.executable, "-m", "bench.socket_load", json.dumps({**spec, "mark_phases": True})],
                             servers.GENERATOR_CPU)
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, cwd=servers.PROJECT_ROOT, text=True, stdout=subprocess.PIPE,
                                   stderr=errors)
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            result = None
            for message in _messages(process):
                if message.get("phase") == "measuring":
                    groups = groups_at()
                if "phase" in message:
                    samples[message["phase"]] = cpu_sample(groups)
                else:
                    result = message
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
            process.wait(5)
        if process.returncode != 0 or result is None or len(samples) != 2:
            errors.seek(0)
            raise RuntimeError(f"scale-out generator failed ({process.returncode}):\n{errors.read()[-3000:]}")
    before, after = samples["measuring"], samples["measured"]
    return result, {name: after[name] - before[name] for name in before}, groups


def _messages(process):
    for line in process.stdout:
        if line.startswith("{"):
            yield json.loads(line)


def relay_across(visitor_site, operator_site, token: str, database_url: str, args) -> dict:
    """Visitors on one process, the operator on ``operator_site``: CPU per 1,000 delivered."""
    spec = socket_runs.relay_spec(visitor_site, site=True, token=token, rates=[OFFERED_RATE], seconds=args.seconds,
                                  saturate_seconds=0, visitors=args.relay_visitors,
                                  operator_url=operator_site.url if operator_site is not visitor_site else None)
    sites = {"visitors": [visitor_site.worker_pid], "operator": [operator_site.worker_pid]}
    if operator_site is visitor_site:
        sites = {"site": [visitor_site.worker_pid]}
    redis = redis_pid()

    def groups_at():
        return {**sites, "redis": [redis] if redis else [], "postgres": database_backends(database_url)}

    result, cpu, groups = run_marked(spec, groups_at, GENERATOR_BUDGET_SECONDS + args.seconds)
    run = result["runs"][0]
    servers_cpu = {name: cpu[name] for name in sites}
    delivered, wall = run["delivered"], cpu[WALL]
    return {**run, "server_cpu_seconds": {name: round(seconds, 3) for name, seconds in servers_cpu.items()},
            "server_cpu_ms_per_1000": per_thousand(sum(servers_cpu.values()), delivered),
            "redis_cpu_ms_per_1000": per_thousand(cpu["redis"], delivered) if redis else None,
            "postgres_cpu_ms_per_1000": per_thousand(cpu["postgres"], delivered),
            "postgres_backends": {"at_start": len(groups["postgres"]),
                                  "gone_by_end": len(set(groups["postgres"]) - set(database_backends(database_url)))},
            "others_on_server_core": round(max(0.0, cpu[CORE] - sum(servers_cpu.values())) / wall, 2)}


def database_backends(database_url: str) -> list[int]:
    """The PostgreSQL server processes serving this database's connections now."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)).fetchall()
    return [pid for (pid,) in rows]


def per_thousand(cpu_seconds: float | None, delivered: int) -> float | None:
    """CPU milliseconds per 1,000 delivered messages."""
    if cpu_seconds is None or not delivered:
        return None
    return round(cpu_seconds * 1000 / (delivered / 1000), 1)


# --- both setups, alternating --------------------------------------------------------------


def measure(mode: str, workdir: Path, args, say) -> dict:
    """One process and two on Redis, alternating, on a fresh PostgreSQL database."""
    rounds = max(MIN_ROUNDS, args.pairs)
    runs, tried = {"one": [], "two": []}, {"one": [], "two": []}
    with fresh_database() as database_url:
        token = servers.prepare_database(database_url)
        one_shared, two_shared = queue_settings("one"), queue_settings("two")
        alone = servers.site(mode, database_url, workdir, one_shared)
        first, second = (servers.site(mode, database_url, workdir, two_shared) for _ in range(2))
        with ExitStack() as running:
            for server in (alone, first, second):
                running.enter_context(server)
            for round_number in range(rounds):
                for name, (visitor_site, operator_site) in (("one", (alone, alone)), ("two", (first, second))):
                    runs[name].append(quiet_run(tried[name], visitor_site, operator_site, token, database_url,
                                                args, say))
                say(f"scale-out round {round_number + 1}/{rounds}: CPU ms per 1,000 delivered "
                    f"one {runs['one'][-1]['server_cpu_ms_per_1000']}, two {runs['two'][-1]['server_cpu_ms_per_1000']}")
        integrity = {name: integrity_of(database_url, setup_runs) for name, setup_runs in tried.items()}
    return {"scaleout": {"rate": OFFERED_RATE, "seconds": args.seconds, "visitors": args.relay_visitors,
                         "one": summary(runs["one"]), "two": summary(runs["two"]), "integrity": integrity}}


def quiet_run(tried: list, visitor_site, operator_site, token: str, database_url: str, args, say) -> dict:
    """One measured run, run again (at most ``CONTENDED_RETRIES`` times) while other work took more
    than ``CONTENDED`` of the server core: the site then batches its writes differently, so its
    CPU per message changes, not only its latency. Every run tried goes into ``tried``."""
    for attempt in range(1, CONTENDED_RETRIES + 2):
        run = relay_across(visitor_site, operator_site, token, database_url, args)
        run["attempts"] = attempt
        tried.append(run)
        if run["others_on_server_core"] < CONTENDED:
            break
        say(f"scale-out: other work took {run['others_on_server_core']:.0%} of the server core, "
            f"{'measuring again' if attempt <= CONTENDED_RETRIES else 'keeping this run'}")
    return run


def integrity_of(database_url: str, runs: list[dict]) -> dict:
    """Lost and duplicated deliveries (the generator's tally), and the stored check on PostgreSQL."""
    acked = [i for run in runs for i in run.pop("acked_ids", [])]
    return {**stored_check(database_url, acked),
            "lost": sum(run["lost"] for run in runs), "duplicated": sum(run["duplicated"] for run in runs),
            "refused": sum(run["unanswered"] + sum(run["failed"].values()) for run in runs),
            "operator_disconnects": sum(len(run.get("operator_disconnects", [])) for run in runs)}


def summary(runs: list[dict]) -> dict:
    """Medians over the alternating runs, and each run's own numbers."""
    def median_of(key):
        values = [run[key] for run in runs if run.get(key) is not None]
        return statistics.median(values) if values else None

    return {"server_cpu_ms_per_1000": median_of("server_cpu_ms_per_1000"),
            "redis_cpu_ms_per_1000": median_of("redis_cpu_ms_per_1000"),
            "postgres_cpu_ms_per_1000": median_of("postgres_cpu_ms_per_1000"),
            "delivery_p99_ms": median_of("delivery_p99_ms"),
            "generator_cpu": max((run.get("generator_cpu", 0) for run in runs), default=None),
            "others_on_server_core": max((run["others_on_server_core"] for run in runs), default=None),
            "runs": [{key: value for key, value in run.items() if key != "slow_deliveries"} for run in runs]}
