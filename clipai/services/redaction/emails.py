"""E-mail addresses: pragmatic RFC 5322-ish, Unicode letters allowed.

Also found inside ``<...>`` and after ``mailto:``. Obfuscations such as "name at example dot
com" are deliberately *not* handled. Every quantifier is bounded, so the work per start
position is constant and the scan stays linear on input such as 2,000 "a" followed by "@".
"""

from __future__ import annotations

import re
from typing import Iterator

# Local part: word characters (Unicode), "%", "+", "-", with dots inside (never leading or
# trailing). At most 64 characters (RFC 5321), which also bounds the backtracking.
_LOCAL = r"[\w%+-](?:[\w.%+-]{0,62}[\w%+-])?"
# Domain label: letters/digits (Unicode), hyphens inside, at most 63 characters.
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
# TLD: punycode, or 2+ ASCII letters, or 2+ non-ASCII letters (IDN TLDs such as .рф). Mixing
# scripts is not allowed, so "a@b.comпривет" only swallows "a@b.com".
_TLD = r"(?:xn--[A-Za-z0-9-]{1,59}|[A-Za-z]{2,63}|[^\W\d_\x00-\x7f]{2,63})"
_EMAIL_RE = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+{_TLD}")

# "logo@2x.png" is a retina asset name, not an address: these extensions are not delegated TLDs.
_FILE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "avif"}
)


def find_emails(text: str) -> Iterator[tuple[int, int]]:
    """Spans of e-mail addresses in ``text``."""
    if "@" not in text:
        return
    for match in _EMAIL_RE.finditer(text):
        tld = match.group().rsplit(".", 1)[-1].lower()
        if tld not in _FILE_EXTENSIONS:
            yield match.start(), match.end()
