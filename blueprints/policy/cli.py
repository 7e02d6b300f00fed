"""``clipai policy publish|list|show|withdraw|verify``."""

import re
from pathlib import Path

import click
from flask.cli import with_appcontext

from clipai.services import policy
from clipai.services.errors import ServiceError
from clipai.text_table import format_table


def read_texts(pairs) -> dict[str, str]:
    """Turn ``en=FILE`` options into a locale → Markdown mapping."""
    texts = {}
    for pair in pairs:
        locale, sep, path = pair.partition("=")
        if not sep or not locale or not path:
            raise click.BadParameter(f"{pair!r} is not LOCALE=FILE", param_hint="--text")
        if locale in texts:
            raise click.BadParameter(f"{locale} is given twice", param_hint="--text")
        try:
            texts[locale] = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise click.BadParameter(f"cannot read {path}: {error}", param_hint="--text") from error
    return texts


# ``de=TEXT`` or ``pt-BR=TEXT``; anything else (e.g. ``Retention=14 days``) is the controlling summary.
LOCALE_PREFIX = re.compile(r"([a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)=(.*)", re.DOTALL)


def read_summaries(values, controlling_locale) -> tuple[str | None, dict[str, str]]:
    """Split ``--summary`` options into the controlling summary and ``{locale: summary}``."""
    summary, summaries = None, {}
    for value in values:
        match = LOCALE_PREFIX.fullmatch(value)
        locale, text = (match.group(1), match.group(2)) if match else (None, value)
        if locale is not None and locale not in policy.supported_locales():
            raise click.BadParameter(f"{locale} is not a language of the site "
                                     f"({', '.join(policy.supported_locales())})", param_hint="--summary")
        if locale == controlling_locale:
            locale = None
        if locale is None:
            if summary is not None:
                raise click.BadParameter("the controlling summary is given twice", param_hint="--summary")
            summary = text
        elif locale in summaries:
            raise click.BadParameter(f"{locale} is given twice", param_hint="--summary")
        else:
            summaries[locale] = text
    if summary is None:
        raise click.BadParameter("give the controlling summary as a bare --summary TEXT", param_hint="--summary")
    return summary, summaries


def report_refusal(error: ServiceError):
    for field, problem in getattr(error, "fields", {}).items():
        click.echo(f"  {field}: {problem['message']} [{problem['code']}]", err=True)
    raise click.ClickException(f"{error.message} [{error.code}]")


def warn_about_outdated(texts, controlling_locale, yes):
    """Name the translations that would be behind the controlling text, and ask unless ``--yes``."""
    behind = policy.outdated_if_published(texts, controlling_locale)
    if not behind:
        return
    click.echo(f"Warning: the {', '.join(behind)} text(s) are unchanged while the controlling ({controlling_locale}) "
               "text changed; readers of those languages will be told the translation was not updated yet.", err=True)
    if not yes:
        click.confirm("Publish anyway?", abort=True, err=True)


policy_cli = click.Group("policy")  # its help is where it is added (blueprints/policy/__init__.py)


@policy_cli.command("publish")
@click.option("--text", "texts", multiple=True, required=True, metavar="LOCALE=FILE",
              help="Markdown text of one language; repeat for each language.")
@click.option("--summary", "summary_values", multiple=True, required=True, metavar="[LOCALE=]TEXT",
              help="What changed, in one or two sentences; repeat as LOCALE=TEXT for other languages.")
@click.option("--effective-from", help="ISO 8601 instant (UTC when no offset is given); default: now.")
@click.option("--controlling-locale", default=policy.DEFAULT_CONTROLLING_LOCALE, show_default=True)
@click.option("--yes", is_flag=True, help="Publish without asking, even when translations fell behind.")
@with_appcontext
def publish_command(texts, summary_values, effective_from, controlling_locale, yes):
    """Publish a new version (it cannot be changed afterwards)."""
    texts = read_texts(texts)
    summary, summaries = read_summaries(summary_values, controlling_locale)
    warn_about_outdated(texts, controlling_locale, yes)
    try:
        version = policy.publish(texts, summary, effective_from, controlling_locale, summaries)
    except ServiceError as error:
        report_refusal(error)
    click.echo(f"Published version {version.number}: effective from {policy.iso(version.effective_from)}, "
               f"languages {', '.join(sorted(version.texts))}, sha256 {version.sha256}.")


@policy_cli.command("list")
@with_appcontext
def list_command():
    """List every version with its status."""
    state = policy.current_state()
    if not state.versions:
        click.echo("No version has been published yet.")
        return
    rows = [[str(version.number), state.status_of(version), policy.iso(version.effective_from),
             policy.iso(version.published_at), version.sha256[:12], version.summary] for version in state.versions]
    click.echo(format_table(["NUMBER", "STATUS", "EFFECTIVE FROM", "PUBLISHED AT", "SHA256", "SUMMARY"], rows))


@policy_cli.command("show")
@click.argument("number", type=int)
@click.option("--locale", help="Print the Markdown text of this language.")
@with_appcontext
def show_command(number, locale):
    """Show one version (and one of its texts with --locale)."""
    state = policy.current_state()
    version = policy.get_version(number)
    if version is None:
        raise click.ClickException(f"There is no version {number}.")
    if locale:
        if locale not in version.texts:
            raise click.ClickException(f"Version {number} has no {locale} text.")
        click.echo(version.texts[locale], nl=False)
        return
    for label, value in (
        ("Version", version.number), ("Status", state.status_of(version)),
        ("Published at", policy.iso(version.published_at)), ("Effective from", policy.iso(version.effective_from)),
        ("Withdrawn at", policy.iso(version.withdrawn_at) if version.withdrawn else "-"),
        ("Summary", version.summary),
        *((f"Summary ({locale})", text) for locale, text in sorted(version.summaries.items())),
        ("Controlling", version.controlling_locale),
        ("Languages", ", ".join(sorted(version.texts))), ("SHA-256", version.sha256),
        ("Previous SHA-256", version.prev_sha256 or "-"),
    ):
        click.echo(f"{label + ':':<18}{value}")


@policy_cli.command("withdraw")
@click.argument("number", type=int)
@with_appcontext
def withdraw_command(number):
    """Withdraw an upcoming version before it takes effect."""
    try:
        version = policy.withdraw(number)
    except ServiceError as error:
        report_refusal(error)
    click.echo(f"Withdrew version {version.number}; it will not take effect.")


@policy_cli.command("verify")
@with_appcontext
def verify_command():
    """Recompute the hash chain and the withdrawal records; exit with status 1 when any link is broken."""
    checked, breaks = policy.verify_chain()
    for problem in breaks:
        click.echo(f"version {problem.number}: {problem.code}: {problem.message}", err=True)
    if breaks:
        click.echo(f"The chain of {checked} version(s) is broken in {len(breaks)} place(s).", err=True)
        click.get_current_context().exit(1)
    click.echo(f"The chain of {checked} version(s) is intact.")
