"""Socket.IO events outside the HTTP request cycle: two thirds of an event's context cost.

Measured in docs/benchmarks.md; :class:`RealtimeFlask` also lets the page cache sit in front of
every middleware.
"""

from functools import cached_property

from flask import Flask, Request, request
from flask.ctx import RequestContext

SOCKET_EVENT_KEY = "clipai.socket_event"  # in the WSGI environ of a Socket.IO connection


class EventRequest(Request):
    """A Socket.IO event's request: its connection's HTTP fields are parsed only if read.

    Handlers read what Flask-SocketIO sets on it (``sid``, ``namespace``, ``event``); werkzeug
    would otherwise parse the handshake's method, path, headers and address again for every event.
    """

    HTTP_FIELDS = frozenset({"method", "scheme", "server", "root_path", "path", "query_string", "headers",
                             "remote_addr"})

    def __init__(self, environ):
        self.environ, self.shallow = environ, False

    def __getattr__(self, name):  # only for attributes not set yet
        if name not in self.HTTP_FIELDS:
            raise AttributeError(name)
        Request.__init__(self, self.environ, populate_request=False)
        return getattr(self, name)


class RealtimeFlask(Flask):
    """Flask, with Socket.IO events kept out of the HTTP request cycle.

    Flask-SocketIO runs every event in a request context made from the connection's WSGI
    environ, so ``request.sid`` and ``current_app`` work in handlers. It never runs the
    ``before_request`` or ``after_request`` hooks for an event, and nothing routes an event by URL;
    yet building that context bound and matched the URL map (failing, with a NotFound kept on the
    request), and popping it ran the ``teardown_request`` hooks (Flask-Limiter's), for every event:
    two thirds of the context's cost. Here neither happens for the environs that
    :class:`~clipai.runtime.socket_server.ClientEventGuardSocketIO` marks as a connection's; their events
    get an :class:`EventRequest` and share one null session instead of opening one each.
    """

    front = None  # the WSGI layer before every middleware (the page cache), set by clipai.runtime

    def __call__(self, environ, start_response):
        if self.front is None:
            return self.wsgi_app(environ, start_response)
        return self.front(environ, start_response)

    def request_context(self, environ):
        if not environ.get(SOCKET_EVENT_KEY):
            return super().request_context(environ)
        return RequestContext(self, environ, request=EventRequest(environ), session=self.event_session)

    @cached_property
    def event_session(self):
        """The one read-only empty session every Socket.IO event shares: the site keeps none."""
        return self.session_interface.make_null_session(self)

    def create_url_adapter(self, request):
        if request is not None and request.environ.get(SOCKET_EVENT_KEY):
            return None
        return super().create_url_adapter(request)

    def do_teardown_request(self, *args, **kwargs):
        if request.environ.get(SOCKET_EVENT_KEY):
            return
        super().do_teardown_request(*args, **kwargs)

