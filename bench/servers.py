"""Start the site and the bare baseline as real server processes on loopback, pinned to one core."""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU = 0
GENERATOR_CPU = 1
UNLIMITED = "1000000 per minute"
BENCH_OPERATOR = "bench-operator"
BENCH_COLLEAGUE = "bench-colleague"
NODE_DIR = PROJECT_ROOT / "bench" / "node"  # the outside anchor: its own package.json and lock


def can_pin() -> bool:
    """Pin the server and the load generators to different cores when there are two of them."""
    try:
        return {SERVER_CPU, GENERATOR_CPU} <= os.sched_getaffinity(0)
    except AttributeError:
        return False


def pinned(command: list[str], cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if can_pin() else command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raise_file_limit(wanted: int) -> int:
    """Allow ``wanted`` open files in this process and its children (root may raise the hard limit)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, wanted)
    for limits in ((target, max(hard, target)), (min(target, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limits)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


@dataclass
class Server:
    """One server process (the site or the baseline) on 127.0.0.1."""

    name: str
    mode: str
    command: list
    env: dict
    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_pid(self) -> int:
        """The process that serves requests (gunicorn's worker, not its master)."""
        if self.mode == "gevent":
            children = _children(self.process.pid)
            if children:
                return children[0]
        return self.process.pid

    def start(self, timeout: float = 60.0) -> "Server":
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(pinned(self.command, SERVER_CPU), cwd=PROJECT_ROOT, env=self.env,
                                        stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} ({self.mode}) exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} ({self.mode}) did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            workers = _children(self.process.pid) if self.mode == "gevent" else []
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            for pid in workers:  # a gunicorn worker outlives a master killed mid-shutdown
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if getattr(self, "log_file", None):
            self.log_file.close()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()


def _environment(settings: dict, port: int) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLIPAI_")}
    for name, value in settings.items():
        env[f"CLIPAI_{name}"] = value if isinstance(value, str) else json.dumps(value)
    env.update(HOST="127.0.0.1", PORT=str(port), PYTHONUNBUFFERED="1", PYTHONPATH=str(PROJECT_ROOT))
    return env


def _command(mode: str, module: str) -> list[str]:
    if mode == "gevent":
        return [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", f"{module}:app"]
    if module == "wsgi":
        return [sys.executable, "wsgi.py"]
    return [sys.executable, "-m", module]


def site_settings(database_url: str, mode: str, port: int) -> dict:
    """The site's production settings, but no limit that would refuse a load generator."""
    return {
        "DATABASE_URL": database_url,
        "ASYNC_MODE": mode,
        "SECRET_KEY": secrets.token_hex(16),
        "ALLOWED_ORIGINS": [f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
        "RATELIMIT_KEY_PREFIX": f"clipai-bench-{secrets.token_hex(4)}",
        "RATELIMIT_DEFAULT": UNLIMITED,
        "CHAT_MESSAGE_LIMITS": UNLIMITED,
        "CHAT_NEW_CONVERSATION_LIMITS": UNLIMITED,
        "CHAT_CONNECT_LIMITS": UNLIMITED,
        "SOCKETIO_HANDSHAKE_LIMITS": UNLIMITED,
        "CHAT_EVENT_LIMITS": UNLIMITED,
        "CONSOLE_EVENT_LIMITS": UNLIMITED,
    }


def site(mode: str, database_url: str, workdir: Path, shared: dict | None = None) -> Server:
    """The site on a free port; ``shared`` settings (a message queue, its prefix) override the defaults."""
    port = free_port()
    env = _environment({**site_settings(database_url, mode, port), **(shared or {})}, port)
    return Server("site", mode, _command(mode, "wsgi"), env, port, workdir / f"site-{mode}-{port}.log")


def baseline(mode: str, workdir: Path, body_bytes: int, shared: dict | None = None) -> Server:
    """The bare baseline on a free port; ``shared`` settings are those the site gets too."""
    port = free_port()
    env = _environment({"ASYNC_MODE": mode, "BENCH_BODY_BYTES": str(body_bytes), **(shared or {})}, port)
    return Server("bare", mode, _command(mode, "bench.baseline_app"), env, port,
                  workdir / f"bare-{mode}-{port}.log")


def node_available() -> bool:
    """Node.js is installed and so are the relay's locked packages (``npm ci --prefix bench/node``)."""
    return shutil.which("node") is not None and (NODE_DIR / "node_modules" / "socket.io" / "package.json").exists()


def node_socketio_version() -> str:
    """The installed socket.io's version: the one the lock pins, unless someone installed by hand."""
    return json.loads((NODE_DIR / "node_modules" / "socket.io" / "package.json").read_text())["version"]


def node_relay(workdir: Path) -> Server:
    """The bare Node.js Socket.IO relay, with the site's Engine.IO settings."""
    from clipai.config import Defaults

    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port),
           "PING_INTERVAL": str(Defaults.SOCKETIO_PING_INTERVAL), "PING_TIMEOUT": str(Defaults.SOCKETIO_PING_TIMEOUT),
           "MAX_HTTP_BUFFER_SIZE": str(Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE)}
    return Server("node", "node", ["node", str(NODE_DIR / "relay.mjs")], env, port, workdir / f"node-{port}.log")


def prepare_database(database_url: str) -> str:
    """Migrate a fresh database, publish the shipped policy, and return an operator's token."""
    from clipai import signals
    from clipai.storage import migrations

    def prepare(app):
        migrations.upgrade(app.extensions["clipai.engine"])
        signals.setup_requested.send(app)
        return _new_operator_token(BENCH_OPERATOR, "Bench")

    return _on_database(database_url, prepare)


def colleague_token(database_url: str) -> str:
    """A second operator's token: when it comes online, every visitor is told (``status``)."""
    return _on_database(database_url, lambda app: _new_operator_token(BENCH_COLLEAGUE, "Colleague"))


def _new_operator_token(username: str, alias: str) -> str:
    from clipai.services import accounts

    user = accounts.create_user(username, secrets.token_urlsafe(16), ("operator",), alias)
    return accounts.issue_token(user)[0]


def _on_database(database_url: str, work):
    from clipai import create_app

    app = create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "bench"})
    try:
        with app.app_context():
            return work(app)
    finally:
        app.extensions["clipai.engine"].dispose()
