"""Time boundaries hold whatever the host's time zone: the boundary cases and the service tests run
again in a subprocess under UTC+14 (Pacific/Kiritimati) and UTC-3:30/-2:30 (America/St_Johns)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITES = ["tests/faults/time_boundary_cases.py", "tests/services/test_accounts.py",
          "tests/services/test_policy.py", "tests/services/test_retention.py"]
ZONES = {"Pacific/Kiritimati": "840", "America/St_Johns": "-210,-150"}


@pytest.mark.parametrize("zone", ZONES)
def test_time_boundaries_hold_in_a_far_away_host_time_zone(zone):
    if not Path("/usr/share/zoneinfo", zone).exists():
        pytest.fail(f"the time zone database has no {zone}")
    env = {**os.environ, "TZ": zone, "EXPECTED_UTC_OFFSET_MINUTES": ZONES[zone]}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                             *SUITES], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in summary and "skipped" not in summary, summary
