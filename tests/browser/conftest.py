"""Playwright in Debian's Chromium against the real server (see tests/fixtures/live_server.py)."""

import pytest

from clipai.services import accounts
from tests.fixtures import unavailable
from tests.fixtures.live_server import PROJECT_ROOT, app_on

@pytest.fixture
def chat_server(live_server):
    """The real server (eventlet, as in production) with a fresh SQLite database."""
    return live_server()


@pytest.fixture
def make_operator(chat_server):
    """Create an account in the live server's database and return ``(username, password)``."""

    def make(username, alias, roles=("operator",)):
        password = f"{username}-password-0"
        with app_on(chat_server.env["CLIPAI_DATABASE_URL"]):
            accounts.create_user(username, password, roles, alias)
        return username, password

    return make


def page_errors(page) -> list:
    """Collect uncaught script errors of ``page`` into the returned list."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# --- the standard checkers: axe-core in the page, the Nu HTML Checker over saved documents ----

import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

NODE_MODULES = PROJECT_ROOT / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Experimental rules are off by default; this one is the WCAG 2.5.3 check (label in name) reviewers run.
AXE_OPTIONS = {"rules": {"label-content-name-mismatch": {"enabled": True}}, "resultTypes": ["violations"]}
AXE_FINDINGS = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations
    .filter((rule) => rule.impact === "serious" || rule.impact === "critical")
    .flatMap((rule) => rule.nodes.map((node) => `${rule.id} (${rule.impact}) at ${node.target.join(" ")}: ${node.failureSummary}`));
}"""


class HtmlCheckers:
    """axe-core (evaluated in the page, so the site's CSP does not apply) and vnu.jar (one JVM per call)."""

    def __init__(self):
        self.axe_source = AXE_SCRIPT.read_text()

    def axe(self, page, state: str) -> list:
        """Serious and critical axe violations of the page as it is now, each prefixed with ``state``."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe_source)
        return [f"{state}: {finding}" for finding in page.evaluate(AXE_FINDINGS, AXE_OPTIONS)]

    def nu(self, documents: dict, folder: Path) -> list:
        """Nu HTML Checker errors in ``documents`` (state name → HTML), checked in one run."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for state, html in documents.items():
            path = folder / (state.replace("/", "_") + ".html")
            path.write_text(html, encoding="utf-8")
            paths.append(str(path))
        run = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout", *paths],
                             capture_output=True, text=True, timeout=180)
        if not run.stdout.strip():
            raise RuntimeError(f"vnu.jar gave no report (exit {run.returncode}): {run.stderr[-2000:]}")
        messages = json.loads(run.stdout)["messages"]
        return [f"{Path(item.get('url', '?')).stem}:{item.get('lastLine', '?')}: {item['message']}"
                f" [{item.get('extract', '').strip()}]" for item in messages]


@pytest.fixture(scope="session")
def html_checkers():
    """The checkers from node_modules (``make install``) and a Java runtime.

    Skips when one is missing, but fails instead under CI.
    """
    missing = [str(path) for path in (AXE_SCRIPT, VNU_JAR) if not path.exists()]
    missing += [] if shutil.which("java") else ["java (apt-get install default-jre-headless)"]
    if missing:
        unavailable(f"the HTML checkers need {', '.join(missing)}")
    return HtmlCheckers()
