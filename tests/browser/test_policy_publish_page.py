"""The maintainer publishing page in Chromium against the real server."""

import pytest
from playwright.sync_api import expect

from clipai import create_app, storage
from clipai.services import accounts, policy

pytestmark = [pytest.mark.browser, pytest.mark.server]

TOKEN_KEY = "clipai.console.token"
VERSION_ONE = "# Privacy Policy\n\nWe keep support chats for 30 days.\n"
VERSION_TWO = "# Privacy Policy\n\nWe keep support chats for 14 days.\n\nWe never set cookies.\n"


@pytest.fixture
def policy_server(live_server, tmp_path):
    """The real server (eventlet) with a migrated SQLite database holding version 1."""
    return live_server(database_url=f"sqlite:///{tmp_path / 'policy-live.sqlite3'}")


@pytest.fixture
def site_app(policy_server):
    """An app on the live server's database, for setting up accounts and checking results."""
    app = create_app({"DATABASE_URL": policy_server.env["CLIPAI_DATABASE_URL"], "ASYNC_MODE": "threading",
                      "SECRET_KEY": "x"})
    with app.app_context():
        policy.publish({"en": VERSION_ONE}, "First version.")
    yield app
    storage.dispose(app)


@pytest.fixture
def account(site_app):
    """Create an account in the live server's database: ``account("name", roles)`` → password."""

    def make(username, roles):
        password = f"{username}-password-0"
        with site_app.app_context():
            accounts.create_user(username, password, roles)
        return password

    return make


def open_publish_page(new_context, server):
    page = new_context().new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(server.url + "/console/policy")
    return page


def sign_in(page, username, password):
    expect(page.locator("#signin-form")).to_be_visible()
    page.fill("#signin-username", username)
    page.fill("#signin-password", password)
    page.click("#signin-form button[type=submit]")


def test_maintainer_writes_previews_confirms_and_publishes(policy_server, account, new_context, site_app):
    password = account("mara", ("maintainer",))
    page = open_publish_page(new_context, policy_server)
    sign_in(page, "mara", password)

    expect(page.locator("#editor-form")).to_be_visible()
    assert page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')")
    expect(page.locator("#text-en")).to_have_value(VERSION_ONE)  # starts from the version in force
    page.fill("#text-en", VERSION_TWO + "\n<script>window.hacked = 1</script>\n")
    preview = page.locator("#preview-en")
    expect(preview).to_contain_text("We never set cookies.")
    expect(preview.locator("h1")).to_have_text("Privacy Policy")
    expect(preview).to_contain_text("<script>")  # shown as text, never run
    assert page.evaluate("() => window.hacked") is None

    page.fill("#text-en", VERSION_TWO)
    page.fill("#policy-summary", "Chats are kept for 14 days.")
    page.click("#review-button")
    review = page.locator("#review")
    expect(review).to_be_visible()
    expect(review.locator("del")).to_contain_text(["30"])
    expect(review.locator("ins").first).to_have_text("14")
    expect(page.locator("#review-base")).to_contain_text("1")

    page.click("#confirm-publish")
    expect(page.locator("#published-message")).to_contain_text("2")
    page.goto(policy_server.url + "/privacy")
    expect(page.locator("article.policy-text")).to_contain_text("We never set cookies.")
    assert page.context.cookies() == []
    assert page.errors == []


def test_scheduled_version_is_sent_in_utc_and_announced(policy_server, account, new_context, site_app):
    password = account("sched", ("maintainer",))
    page = open_publish_page(new_context, policy_server)
    sign_in(page, "sched", password)
    expect(page.locator("#text-en")).to_have_value(VERSION_ONE)
    page.fill("#text-en", VERSION_TWO)
    page.fill("#policy-summary", "Scheduled change.")
    page.fill("#policy-effective-from", "2099-06-01T10:30")
    page.click("#review-button")
    page.click("#confirm-publish")
    expect(page.locator("#published-message")).to_contain_text("2")

    expected = page.evaluate("() => new Date('2099-06-01T10:30').toISOString()")
    with site_app.app_context():
        assert policy.iso(policy.get_version(2).effective_from).startswith(expected[:19])
    page.goto(policy_server.url + "/privacy")
    expect(page.locator(".policy-banner")).to_contain_text("Version 2 takes effect on")
    expect(page.locator("article.policy-text")).to_contain_text("30 days")


def test_an_operator_without_the_maintainer_role_is_told_so(policy_server, account, new_context):
    password = account("opal", ("operator",))
    page = open_publish_page(new_context, policy_server)
    sign_in(page, "opal", password)
    expect(page.locator("#publish-forbidden")).to_be_visible()
    expect(page.locator("#editor-form")).to_be_hidden()


def test_a_token_left_by_the_console_is_reused(policy_server, account, new_context, site_app):
    password = account("reuse", ("maintainer",))
    with site_app.app_context():
        token, _ = accounts.issue_token(accounts.authenticate("reuse", password))
    page = new_context().new_page()
    page.goto(policy_server.url + "/privacy")
    page.evaluate(f"(token) => sessionStorage.setItem('{TOKEN_KEY}', token)", token)
    page.goto(policy_server.url + "/console/policy")
    expect(page.locator("#editor-form")).to_be_visible()
    expect(page.locator("#signin-form")).to_be_hidden()


@pytest.mark.parametrize("prefix, scheduled_text, withdrawn_text", [
    ("", "Version 2 is scheduled to take effect on June 1, 2099", "Version 2 is withdrawn"),
    ("/ar", "من المقرر أن يسري الإصدار 2", "سُحب الإصدار 2"),
])
def test_a_scheduled_version_in_the_way_is_offered_for_withdrawal(
        policy_server, account, new_context, site_app, prefix, scheduled_text, withdrawn_text):
    with site_app.app_context():
        policy.publish({"en": VERSION_ONE.replace("30", "20")}, "Scheduled.", "2099-06-01T00:00:00Z")
    password = account("wren", ("maintainer",))
    page = new_context().new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(policy_server.url + prefix + "/console/policy")
    sign_in(page, "wren", password)
    page.fill("#text-en", VERSION_TWO)
    page.fill("#policy-summary", "Now.")
    page.click("#review-button")
    page.click("#confirm-publish")

    conflict = page.locator("#scheduled-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(scheduled_text)
    expect(page.locator("#withdraw-scheduled")).to_be_focused()
    page.screenshot(path=f"/tmp/shots/policy-order/conflict{prefix.replace('/', '-') or '-en'}.png", full_page=True)
    page.keyboard.press("Enter")  # keyboard only: the offer has the focus
    expect(conflict).to_be_hidden()
    expect(page.locator("#publish-status")).to_contain_text(withdrawn_text)
    expect(page.locator("#confirm-publish")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#published-message")).to_contain_text("3")
    with site_app.app_context():
        state = policy.current_state()
        assert [state.status_of(v) for v in state.versions] == ["past", "withdrawn", "in_force"]
    assert page.errors == []


def test_a_summary_per_language_and_the_outdated_warning(policy_server, account, new_context, site_app):
    with site_app.app_context():
        policy.publish({"en": VERSION_ONE, "de": "# Datenschutz\n\nWir speichern Chats 30 Tage lang.\n"}, "German too.")
    password = account("ines", ("maintainer",))
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(policy_server.url + "/de/console/policy")
    sign_in(page, "ines", password)
    expect(page.locator("#text-de")).to_have_value("# Datenschutz\n\nWir speichern Chats 30 Tage lang.\n")
    page.fill("#text-en", VERSION_TWO)
    page.fill("#policy-summary", "Chats are kept for 14 days.")
    page.click("#tab-fr")
    page.fill("#summary-fr", "x" * 10)
    page.click("#tab-de")
    page.fill("#summary-de", "Chats werden 14 Tage lang aufbewahrt.")
    page.click("#review-button")
    warning = page.locator("#review-outdated")
    expect(warning).to_contain_text("Eine Übersetzung ist unverändert")
    expect(warning).to_contain_text("Deutsch")
    page.screenshot(path="/tmp/shots/policy-order/review-outdated-de-phone.png", full_page=True)
    page.click("#confirm-publish")
    expect(page.locator("#published-message")).to_contain_text("3")
    with site_app.app_context():
        assert policy.get_version(3).summaries == {"de": "Chats werden 14 Tage lang aufbewahrt.", "fr": "x" * 10}
    page.goto(policy_server.url + "/de/privacy/versions")
    expect(page.locator(".policy-history")).to_contain_text("Chats werden 14 Tage lang aufbewahrt.")
