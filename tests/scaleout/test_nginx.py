"""deploy/nginx/clipai.conf: nginx accepts it, and a conversation passes through it to two processes.

The real file is used with only its paths and ports pointed into the test's folder.
"""

import shutil
import signal
import subprocess
import threading

import pytest
import requests
import socketio

pytestmark = pytest.mark.server

REAL_CONFIG = "deploy/nginx/clipai.conf"


@pytest.fixture
def nginx(kit) -> str:
    """The nginx binary (Debian puts it in /usr/sbin, which may not be on PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not found:
        kit.missing("nginx (apt-get install nginx-light)")
    return found


def localized(real: str, workdir, https_port: int, http_port: int, upstreams: list[int]) -> str:
    """The real file with its log and certificate paths, listen addresses and upstreams replaced."""
    replacements = {
        "/var/log/nginx/": f"{workdir}/logs/",
        "/etc/nginx/ssl/": f"{workdir}/ssl/",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "server 127.0.0.1:5001 ": f"server 127.0.0.1:{upstreams[0]} ",
        "server 127.0.0.1:5002 ": f"server 127.0.0.1:{upstreams[1]} ",
    }
    for old, new in replacements.items():
        assert old in real, f"{REAL_CONFIG} no longer contains {old!r}"
        real = real.replace(old, new)
    return real


def self_signed_certificate(key, certificate) -> None:
    """A certificate for 127.0.0.1, valid for a day, and its key, for nginx and the clients that trust it."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )


def write_nginx_config(project_root, workdir, https_port, http_port, upstreams):
    """A main nginx.conf in ``workdir`` that includes the localized site file; returns its path."""
    for folder in ("logs", "ssl", "temp"):
        (workdir / folder).mkdir(exist_ok=True)
    self_signed_certificate(workdir / "ssl/clipai.example.key", workdir / "ssl/clipai.example.crt")
    real = (project_root / REAL_CONFIG).read_text()
    (workdir / "clipai.conf").write_text(localized(real, workdir, https_port, http_port, upstreams))
    temp = workdir / "temp"
    main = workdir / "nginx.conf"
    main.write_text(f"""
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {workdir}/logs/default.access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {workdir}/clipai.conf;
}}
""")
    return main


@pytest.fixture
def nginx_config(tmp_path, kit):
    """Write the configuration for the given upstream ports; returns ``(path, https_port, http_port)``."""

    def write(upstreams, https_port=None):
        https_port, http_port = https_port or kit.free_port(), kit.free_port()
        return write_nginx_config(kit.PROJECT_ROOT, tmp_path, https_port, http_port, upstreams), https_port, http_port

    return write


def test_a_tls_peer_that_cannot_connect_closes_what_it_opened(live, kit, tmp_path):
    """Its event loop and HTTP session end with the failed connect: an unclosed one fails the run."""
    certificate = tmp_path / "ca.crt"
    self_signed_certificate(tmp_path / "ca.key", certificate)
    threads_before = threading.active_count()
    with pytest.raises(socketio.exceptions.ConnectionError):
        live.Peer(f"https://127.0.0.1:{kit.free_port()}", "/chat", ca_file=str(certificate))  # nothing listens
    assert threading.active_count() == threads_before


def test_nginx_accepts_the_configuration(nginx, nginx_config, kit):
    path, _, _ = nginx_config([kit.free_port(), kit.free_port()])
    checked = subprocess.run([nginx, "-t", "-c", str(path), "-p", str(path.parent)], capture_output=True, text=True,
                             timeout=kit.WAIT, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


@pytest.fixture
def proxied_site(nginx, nginx_config, live_server, postgres_url, shared_redis, key_prefix, kit, tmp_path, request):
    """Two processes (Redis, PostgreSQL) behind nginx with the real configuration, over TLS."""
    https_port = kit.free_port()
    settings = kit.settings(key_prefix, shared_redis, TRUSTED_PROXIES=1,
                            ALLOWED_ORIGINS=[f"https://127.0.0.1:{https_port}"])
    upstreams = [live_server(settings=settings, database_url=postgres_url) for _ in range(2)]
    path, _, _ = nginx_config([server.port for server in upstreams], https_port)
    process = subprocess.Popen([nginx, "-c", str(path), "-p", str(path.parent)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the certificate below
    session.verify = str(tmp_path / "ssl/clipai.example.crt")
    url = f"https://127.0.0.1:{https_port}"

    def answers():
        try:
            return session.get(url + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        assert kit.eventually(answers), (tmp_path / "logs/error.log").read_text()
        yield url, session, upstreams, tmp_path / "logs"
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop
        try:
            process.wait(kit.WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(kit.WAIT)
        session.close()
        call = getattr(request.node, "report_call", None)
        error_log = tmp_path / "logs/error.log"
        if call is not None and call.failed and error_log.exists():
            print(f"--- nginx, end of its error log ---\n{error_log.read_text(errors='replace')[-4000:]}")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.parametrize("transports", [["websocket"], ["polling"]])
def test_a_conversation_passes_through_nginx(proxied_site, postgres_url, peers, kit, transports):
    url, session, _, logs = proxied_site
    operator = peers(url, "/console", auth={"token": kit.operator_token(postgres_url)}, transports=transports,
                     ca_file=session.verify)
    visitor = peers(url, "/chat", transports=transports, ca_file=session.verify)
    asked = kit.say(visitor, "Hello through the proxy")
    assert operator.next_matching("message", lambda message: message["id"] == asked["message"]["id"])
    answered = kit.reply(operator, asked["conversation"]["id"], "Hello back")
    assert visitor.next_matching("message", lambda message: message["id"] == answered["message"]["id"])

    visitor.close()  # nginx logs a WebSocket request when it ends
    operator.close()
    assert kit.eventually(lambda: '"GET /socket.io/ HTTP/1.1"' in (logs / "clipai.access.log").read_text())
    access_log = (logs / "clipai.access.log").read_text()
    assert "127.0.0.1" not in access_log and "python-requests" not in access_log


@pytest.mark.redis
@pytest.mark.postgres
def test_when_a_process_stops_its_clients_reconnect_through_nginx_to_the_other(proxied_site, postgres_url,
                                                                               peers, kit):
    url, session, upstreams, _ = proxied_site
    visitor = peers(url, "/chat", ca_file=session.verify)
    started = kit.say(visitor, "before the restart")
    # The same client address always reaches the same process: find it with a marked request.
    assert session.get(url + "/?probe=which-process", timeout=kit.WAIT).status_code == 200
    serving = kit.eventually(lambda: next((server for server in upstreams if "probe=which-process" in server.log()),
                                          None))  # a request is logged just after its answer
    serving.process.send_signal(signal.SIGTERM)
    visitor.next_event("__disconnect__")
    assert serving.process.wait(kit.WAIT) == 0

    back = peers(url, "/chat", auth={"token": started["conversation"]["token"],
                                     "last_seen": started["message"]["id"]}, ca_file=session.verify)
    assert kit.say(back, "after the restart")["ok"]
    texts = [message["text"] for message in back.call("history", {"after": 0})["messages"]]
    assert texts == ["before the restart", "after the restart"]
    other = next(server for server in upstreams if server is not serving)
    assert session.get(url + "/?probe=after-the-stop", timeout=kit.WAIT).status_code == 200
    assert kit.eventually(lambda: "probe=after-the-stop" in other.log())
