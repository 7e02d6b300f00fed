"""The server hooks that keep client addresses out of the logs still exist where clipai/runtime/serving.py and
deploy/gunicorn.conf.py use them; a failure names the library and what moved."""

import inspect
import warnings


def eventlet_wsgi():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet warns on import that it is in bug-fix-only mode
        import eventlet.wsgi
    return eventlet.wsgi


def test_eventlet_wsgi_server_still_takes_a_protocol_class():
    assert "protocol" in inspect.signature(eventlet_wsgi().server).parameters, (
        "eventlet.wsgi.server() no longer takes protocol=: clipai.runtime.serving's NoAddressProtocol is not used")


def test_eventlet_names_the_client_through_get_client_address_and_log_message():
    source = inspect.getsource(eventlet_wsgi().HttpProtocol)
    assert "def get_client_address" in source and "self.get_client_address()" in source, (
        "eventlet.wsgi.HttpProtocol no longer logs the client through get_client_address()")
    assert "def log_message" not in source, (
        "eventlet.wsgi.HttpProtocol defines its own log_message: check that NoAddressProtocol still replaces it")


def test_gunicorn_workers_still_log_parse_errors_through_handle_error():
    from gunicorn.workers.base import Worker
    from gunicorn.workers.base_async import AsyncWorker

    parameters = list(inspect.signature(Worker.handle_error).parameters)
    assert parameters == ["self", "req", "client", "addr", "exc"], (
        f"gunicorn's Worker.handle_error takes {parameters} now: deploy/gunicorn.conf.py passes a neutral addr")
    assert "self.handle_error(req, client, addr, e)" in inspect.getsource(AsyncWorker.handle), (
        "gunicorn's AsyncWorker.handle no longer reports parse errors through handle_error")
