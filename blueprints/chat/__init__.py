"""Feature package (being built)."""


def init_app(app):
    pass
