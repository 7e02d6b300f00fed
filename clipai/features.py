"""Load the feature packages named in ``ENABLED_FEATURES`` and collect what they add to pages."""

from importlib import import_module

from flask import current_app

NAV_KEY = "clipai.nav"
FRAGMENTS_KEY = "clipai.page_fragments"


def load_features(app):
    """Import each configured feature package and call its ``init_app(app)``."""
    app.extensions.setdefault(NAV_KEY, [])
    app.extensions.setdefault(FRAGMENTS_KEY, [])
    for name in app.config["ENABLED_FEATURES"]:
        import_module(name).init_app(app)


def init_commands(app):
    """Add the ``clipai`` commands of each configured feature, for the command app (which serves
    nothing). A feature with commands defines ``init_commands(app)``, and its ``init_app`` calls it."""
    for name in app.config["ENABLED_FEATURES"]:
        init = getattr(import_module(name), "init_commands", None)
        if init is not None:
            init(app)


def add_nav_link(app, endpoint: str, label, order: int = 50):
    """Show a link in the site header (``label`` is a lazy string)."""
    app.extensions[NAV_KEY].append((order, endpoint, label))
    app.extensions[NAV_KEY].sort(key=lambda item: item[0])


def add_page_fragment(app, template: str):
    """Include ``template`` at the end of every HTML page."""
    app.extensions[FRAGMENTS_KEY].append(template)


class Relays:
    """A feature's signal receivers: ``@relays.on(signal)`` above each, ``relays.connect(app, state)``.

    Signals are process-wide while apps are many (every test builds one): blinker connects each
    receiver once however many apps connect it, so each receiver first checks that the app it is
    called for has the feature (``relays.state(app)``).
    """

    def __init__(self, extension_key: str):
        self.extension_key = extension_key
        self.receivers = []

    def on(self, signal):
        def register(receiver):
            self.receivers.append((signal, receiver))
            return receiver

        return register

    def connect(self, app, state) -> None:
        """Keep the feature's ``state`` in the app and connect the receivers (once per process)."""
        app.extensions[self.extension_key] = state
        for signal, receiver in self.receivers:
            signal.connect(receiver)

    def state(self, app):
        """The feature's state in ``app``, or None when that app does not have the feature."""
        return app.extensions.get(self.extension_key)


def template_globals():
    return {
        "nav_links": [(endpoint, label) for _, endpoint, label in current_app.extensions[NAV_KEY]],
        "page_fragments": current_app.extensions[FRAGMENTS_KEY],
    }


def init_app(app):
    app.context_processor(template_globals)
    load_features(app)
