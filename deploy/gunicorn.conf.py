"""gunicorn settings for the gevent async mode: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Access lines carry the request, status, size and duration — never the client address or agent.
"""

import os

raw_env = ["CLIPAI_ASYNC_MODE=gevent"]
worker_class = "gevent"
workers = 1  # Socket.IO needs sticky clients; scale out with more processes behind the proxy
worker_connections = int(os.environ.get("CLIPAI_MAX_CONNECTIONS", "50000"))
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
accesslog = "-"
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
graceful_timeout = 10
timeout = 60
keepalive = 5
