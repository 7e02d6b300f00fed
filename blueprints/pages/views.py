"""The home page (the health check is the core's: clipai/health.py)."""

from flask import Blueprint, make_response, render_template, request

bp = Blueprint("pages", __name__, template_folder="templates")
HOME_MAX_AGE_SECONDS = 300


@bp.get("/")
def home():
    """The same page for everyone in a language: shareable, revalidated by its ETag."""
    response = make_response(render_template("pages/home.html"))
    response.cache_control.public = True
    response.cache_control.max_age = HOME_MAX_AGE_SECONDS
    response.add_etag()
    return response.make_conditional(request)
