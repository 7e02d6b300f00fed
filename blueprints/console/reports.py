"""The operators' reports page and its JSON API (``/console/reports``, ``/api/console/reports``)."""

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from clipai import clock
from clipai.auth import TOKEN_STORAGE_KEY
from clipai.auth.bearer import require_role
from clipai.errors import APIError
from clipai.services import reports
from clipai.services.errors import ServiceError

bp = Blueprint("reports", __name__)  # nested in the console's blueprint: endpoints console.reports.*


def page_strings() -> dict:
    """What reports.js shows, in the page's language."""
    minimum = reports.MIN_GROUP
    return {
        "loading": _("Loading the report…"),
        "failed": _("The report could not be loaded. Please try again."),
        "signInFirst": _("Sign in on the console first, then open the reports again."),
        "tooFew": _("Fewer than %(min)s conversations started in these days, so the report shows nothing.",
                    min=minimum),
        "total": _("All conversations"),
        "otherDays": _("Other days"),
        "otherLanguages": _("Other languages"),
        "notEnough": _("fewer than %(min)s values", min=minimum),
        "notEnoughRatings": _("fewer than %(min)s ratings", min=minimum),
    }


@bp.get("/console/reports")
def reports_page():
    """The page shell; its script reads the report with the console's token (sessionStorage)."""
    data = {"tokenKey": TOKEN_STORAGE_KEY, "api": url_for(".reports_api"), "strings": page_strings()}
    return render_template("console/reports.html", data=data, min_group=reports.MIN_GROUP,
                           chat_widget_hidden=True)


@bp.get("/api/console/reports")
@require_role("operator")
def reports_api():
    """``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (UTC days, inclusive; the last 7 days by default)."""
    try:
        first, last = reports.parse_range(request.args.get("from"), request.args.get("to"), clock.now().date())
    except ServiceError as error:
        raise APIError(400, error.code, error.message) from None
    return jsonify(reports.build_report(first, last))
