"""The verification recipe of docs/policy.md, run as written against the real server."""

import re
import subprocess

import pytest
from sqlalchemy import text

from clipai import storage
from clipai.services import policy
from clipai.storage import migrations
from tests.fixtures.live_server import PROJECT_ROOT, app_on

pytestmark = pytest.mark.server

MARKER = "<!-- verification-recipe:"


def documented_recipe() -> str:
    """The first ``sh`` block after the marker in docs/policy.md."""
    doc = (PROJECT_ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    found = re.search(r"```sh\n(.*?)```", doc[doc.index(MARKER):], re.S)
    return found.group(1)


def run_recipe(site: str, folder) -> subprocess.CompletedProcess:
    script = folder / "recipe.sh"
    script.write_text(documented_recipe(), encoding="utf-8")
    return subprocess.run(["sh", str(script)], cwd=folder, env={"SITE": site, "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def site(start_server, database_url):
    """Three versions (one withdrawn, one in Arabic and German too), served with no page cache."""
    with app_on(database_url):
        migrations.upgrade(storage.engine())
        policy.publish({"en": "# Privacy\n\nWe keep chats for 30 days.\n",
                        "ar": "# الخصوصية\n\nنحتفظ بالمحادثات 30 يومًا.\n", "de": "# Datenschutz\n\n**30 Tage**.\n"},
                       "First version.")
        policy.publish({"en": "# Privacy\n\nWe keep chats for 14 days.\n"}, "Shorter retention.")
        scheduled = policy.publish({"en": "# Privacy\n\nNo chats.\n"}, "No chat.", "2099-01-01T00:00:00Z")
        policy.withdraw(scheduled.number)
    return start_server(settings={"PAGE_CACHE_SECONDS": 0})


def test_the_documented_recipe_confirms_an_intact_chain(site, tmp_path):
    result = run_recipe(site.url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["version 1 ok", "version 2 ok", "version 3 ok"]
    assert (tmp_path / "v1.ar.md").read_text(encoding="utf-8").startswith("# الخصوصية")


def test_the_documented_recipe_detects_a_tampered_text(site, tmp_path, database_url):
    with app_on(database_url), storage.transaction() as conn:
        conn.execute(text("DROP TRIGGER policy_texts_refuse_update"))
        conn.execute(text("UPDATE policy_texts SET markdown = '# Privacy\n\nWe keep chats forever.\n' "
                          "WHERE version_number = 1 AND locale = 'en'"))
    result = run_recipe(site.url, tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["version 1 DOES NOT MATCH", "version 2 ok", "version 3 ok"]
