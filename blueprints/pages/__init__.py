"""Public pages: the home page."""

from flask_babel import lazy_gettext as _l

from clipai.features import add_nav_link


def init_app(app):
    from blueprints.pages.views import bp

    app.register_blueprint(bp)
    add_nav_link(app, "pages.home", _l("Home"), order=10)
