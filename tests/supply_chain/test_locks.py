"""Supply chain: installs come from hashed locks that agree with each other, with pyproject.toml and with
what is installed (README, "Upgrading dependencies")."""

import re
import subprocess
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
SERVE_LOCK = ROOT / "requirements" / "serve.txt"
TEST_LOCK = ROOT / "requirements" / "test.txt"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)$")


def lock_entries(path: Path) -> dict[str, tuple[str, list[str]]]:
    """``{name: (version, hashes)}`` of a lock file written by ``make lock``."""
    text = re.sub(r"\\\n", " ", path.read_text())
    entries = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        pinned = PINNED.match(words[0])
        assert pinned, f"{path.name}: not an exact pin: {line.strip()}"
        hashes = [word for word in words[1:] if word.startswith("--hash=sha256:")]
        entries[canonicalize_name(pinned["name"])] = (pinned["version"], hashes)
    return entries


def declared(requirements: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(Requirement(item).name): Requirement(item) for item in requirements}


SERVE = lock_entries(SERVE_LOCK)
TEST = lock_entries(TEST_LOCK)
SERVING_NEEDS = declared(PYPROJECT["project"]["dependencies"])
TESTING_NEEDS = declared(PYPROJECT["project"]["optional-dependencies"]["test"])


@pytest.mark.parametrize("lock", [SERVE_LOCK, TEST_LOCK], ids=["serve", "test"])
def test_every_locked_requirement_has_a_hash(lock):
    without = sorted(name for name, (_, hashes) in lock_entries(lock).items() if not hashes)
    assert without == [], f"{lock.name} has no hash for {without}: run `make lock`"


def test_test_lock_pins_every_package_of_the_serve_lock_at_the_same_version():
    differing = {name: (pinned, TEST.get(name, (None,))[0]) for name, (pinned, _) in SERVE.items()
                 if TEST.get(name, (None,))[0] != pinned}
    assert differing == {}, "serve.txt vs test.txt versions differ: run `make lock`"


@pytest.mark.parametrize(("lock", "needs"), [(SERVE, SERVING_NEEDS), (TEST, {**SERVING_NEEDS, **TESTING_NEEDS})],
                         ids=["serve", "test"])
def test_locks_satisfy_pyproject(lock, needs):
    unmet = {name: str(requirement.specifier) for name, requirement in needs.items()
             if name not in lock or not requirement.specifier.contains(lock[name][0], prereleases=True)}
    assert unmet == {}, "pyproject.toml asks for what the lock does not hold: run `make lock`"


def test_serve_lock_holds_the_build_backend_so_the_project_installs_without_the_network():
    backend = declared(PYPROJECT["build-system"]["requires"])
    unmet = [str(item) for name, item in backend.items()
             if name not in SERVE or not item.specifier.contains(SERVE[name][0])]
    assert unmet == [], f"requirements/installer.in must lock pyproject.toml's build backend {unmet}"


def test_serve_lock_leaves_out_the_test_tools():
    only_for_tests = set(TESTING_NEEDS) - set(SERVING_NEEDS)
    assert sorted(only_for_tests & set(SERVE)) == [], "make run would install test tools"


def test_installed_versions_match_the_test_lock():
    def installed(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    differing = {name: (pinned, installed(name)) for name, (pinned, _) in TEST.items() if installed(name) != pinned}
    assert differing == {}, "(locked, installed) differ: run `make test`, which reinstalls from the lock"


@pytest.mark.parametrize(("target", "lock", "other"), [("install", "serve.txt", "test.txt"),
                                                      ("install-test", "test.txt", "serve.txt")])
def test_make_installs_from_its_own_lock_only(target, lock, other):
    planned = subprocess.run(["make", "--dry-run", "--always-make", target], cwd=ROOT, check=True,
                             capture_output=True, text=True, timeout=60).stdout
    assert f"--require-hashes -r requirements/{lock}" in planned
    steps = planned.splitlines()
    exact = steps.index(f".venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/{lock}")
    # then the lock's own pip resolves it again: a dependency missing from the lock fails here
    resolved = steps.index(f".venv/bin/python -m pip install --quiet --require-hashes -r requirements/{lock}")
    project = steps.index(".venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .")
    assert exact < resolved < project < steps.index(".venv/bin/python -m pip check")
    assert f"requirements/{other}" not in planned and "[test]" not in planned
