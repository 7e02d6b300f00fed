"""Withdrawing an upcoming version over the API (the publishing page offers it when a scheduled
version stands in the way of a new one)."""

from flask import jsonify

from blueprints.policy.views import _refused, _version_summary_json, bp
from clipai.auth import require_role
from clipai.services import policy
from clipai.services.errors import ServiceError

REFUSAL_STATUS = {"unknown_version": 404, "already_withdrawn": 409, "not_upcoming": 409}


@bp.post("/api/policy/versions/<int:number>/withdraw")
@require_role("maintainer")
def api_withdraw(number):
    """Withdraw upcoming version ``number``: ``200`` with the version, now ``withdrawn``."""
    try:
        version = policy.withdraw(number)
    except ServiceError as error:
        raise _refused(error, REFUSAL_STATUS.get(error.code, 400)) from error
    return jsonify(_version_summary_json(version, policy.current_state()))
