"""Supply chain: no known vulnerability in the installed packages, and the Socket.IO stack at versions
with the fixes this site relies on."""

import json
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
MINIMUM_VERSIONS = {"python-socketio": "5.16.3", "python-engineio": "4.13.3"}
JUST_BELOW = {"python-socketio": "5.16.2", "python-engineio": "4.13.2"}


def vulnerability_service_answers() -> str | None:
    """None when PyPI's per-release JSON (what pip-audit asks) answers, else why not."""
    url = f"https://pypi.org/pypi/pip/{version('pip')}/json"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"{url} did not answer ({error})"
    return None


@pytest.mark.parametrize("package", MINIMUM_VERSIONS)
def test_socketio_stack_is_at_least_the_fixed_versions(package):
    assert Version(version(package)) >= Version(MINIMUM_VERSIONS[package])


def test_project_requires_the_fixed_socketio_versions():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    required = {Requirement(item).name: Requirement(item).specifier for item in declared}
    for package, minimum in MINIMUM_VERSIONS.items():
        assert required[package].contains(minimum) and not required[package].contains(JUST_BELOW[package]), package


def test_pip_audit_finds_no_known_vulnerability_in_the_installed_packages():
    unreachable = vulnerability_service_answers()
    if unreachable:
        # This workplace's package mirror serves packages but not PyPI's per-release JSON, and
        # no other vulnerability database is reachable: the audit cannot run here at all.
        pytest.skip(f"pip-audit cannot query PyPI's vulnerability data: {unreachable}")
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off", "--format", "json"],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    report = json.loads(result.stdout)
    vulnerable = {item["name"]: [vuln["id"] for vuln in item["vulns"]]
                  for item in report["dependencies"] if item.get("vulns")}
    not_audited = {item["name"]: item["skip_reason"] for item in report["dependencies"] if item.get("skip_reason")}
    assert vulnerable == {}
    assert not_audited == {}
