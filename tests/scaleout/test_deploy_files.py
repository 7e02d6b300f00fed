"""The deployment files agree with each other and with the promises about logs and cookies."""

import re

from clipai.config import Defaults
from clipai.services.attachments import MULTIPART_OVERHEAD


def read(kit, path: str) -> str:
    return (kit.PROJECT_ROOT / "deploy" / path).read_text()


def test_the_target_starts_one_process_per_nginx_upstream(kit):
    wanted = set(re.findall(r"clipai@(\d+)\.service", read(kit, "systemd/clipai.target")))
    upstreams = set(re.findall(r"server 127\.0\.0\.1:(\d+)", read(kit, "nginx/clipai.conf")))
    assert wanted and wanted == upstreams


def test_each_unit_serves_on_the_port_in_its_instance_name(kit):
    unit = read(kit, "systemd/clipai@.service")
    assert "PORT=%i" in unit and "HOST=127.0.0.1" in unit
    assert "ExecStart=/srv/clipai/.venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app" in unit
    assert "KillSignal=SIGTERM" in unit


def test_nginx_logs_neither_address_nor_agent_and_passes_no_cookie(kit):
    config = read(kit, "nginx/clipai.conf")
    formats = re.findall(r"log_format\s+\w+\s+([^;]+);", config)
    assert formats
    for variable in ("$remote_addr", "$http_x_forwarded_for", "$http_user_agent", "$http_referer", "$request "):
        assert all(variable not in log_format for log_format in formats)
    assert all(line.split()[1] == "clipai_private" for line in re.findall(r"access_log ([^;]+);", config))
    assert config.count('proxy_set_header Cookie "";') == config.count("proxy_pass ")


NGINX_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024 * 1024}


def nginx_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([km]?)", size).groups()
    return int(number) * NGINX_SIZE_UNITS[unit]


def test_nginx_accepts_no_larger_body_than_the_app_in_each_location(kit):
    config = read(kit, "nginx/clipai.conf")
    limits = dict(re.findall(r"location (\S+) \{\s*client_max_body_size (\d+[km]?);", config))
    in_bytes = {location: nginx_bytes(size) for location, size in limits.items()}
    assert in_bytes == {"/": Defaults.MAX_CONTENT_LENGTH, "/socket.io/": Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE,
                        "/api/chat/attachments": Defaults.CHAT_ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD}
    assert config.count("client_max_body_size") == 3  # no wider limit at the server level
