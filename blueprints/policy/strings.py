"""Every string the maintainer publishing page shows, sent to the page as a JSON data block."""

from flask_babel import lazy_gettext as _l

# Keys are what the page's modules (policy/main.js and its imports) look up.
PUBLISH_PAGE_STRINGS = {
    "signingIn": _l("Signing in…"),
    "signInFailed": _l("Signing in did not work. Please try again."),
    "notMaintainer": _l("Your account does not have the maintainer role, so it cannot publish policy versions."),
    "sessionEnded": _l("Your session has ended. Please sign in again."),
    "networkError": _l("The server could not be reached. Please try again."),
    "previewEmpty": _l("The preview appears here as you type."),
    "previewFailed": _l("The preview could not be rendered."),
    "loadingCurrent": _l("Loading the version in force…"),
    "noCurrent": _l("No version is in force yet; start from an empty text."),
    "startedFrom": _l("The texts start from version %(number)s, in force now."),
    "reviewing": _l("Comparing with the version in force…"),
    "comparedWith": _l("Compared with version %(number)s, the version in force."),
    "comparedWithNothing": _l("No version is in force yet, so every text is new."),
    "effectiveNow": _l("Immediately when published"),
    "publishing": _l("Publishing…"),
    "published": _l("Version %(number)s is published."),
    "fixFields": _l("The version was not published. Please correct the marked fields."),
    "invalidDate": _l("Choose a valid date and time, or leave the field empty."),
    "notUpdated": _l("Translation not updated"),
    "outdatedOne": _l("This translation is unchanged although the controlling text changed. Readers will see a notice that it was not updated yet."),
    "outdatedSummaryOne": _l("One translation is unchanged although the controlling text changed: %(languages)s. Readers will see a notice that it was not updated yet."),
    "outdatedSummary": _l("These translations are unchanged although the controlling text changed: %(languages)s. Readers will see a notice that they were not updated yet."),
    "withdrawScheduled": _l("Withdraw version %(number)s"),
    "withdrawing": _l("Withdrawing version %(number)s…"),
    "withdrawn": _l("Version %(number)s is withdrawn and will not take effect. You can publish your version now."),
    }


def publish_page_strings() -> dict[str, str]:
    """Return the publishing page's strings in the current locale."""
    return {key: str(value) for key, value in PUBLISH_PAGE_STRINGS.items()}
