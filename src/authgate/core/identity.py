"""How usernames and emails are compared: NFKC, then case-folded, then trimmed.

What the user typed is kept for display; only the key is unique.
"""

from __future__ import annotations

import re
import unicodedata

from authgate.core.errors import InvalidRequest

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
MAX_USERNAME = 150
MAX_EMAIL = 254


def login_key(value: str) -> str:
    """The comparison key for a username or an email."""
    return unicodedata.normalize("NFKC", value).casefold().strip()


def _check_printable(value: str, field: str) -> None:
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in value):
        raise InvalidRequest(f"{field} contains control or invisible characters", field=field)


def clean_username(value: str) -> str:
    """The username as it will be displayed.

    Raises:
        InvalidRequest: empty, too long, with spaces around or control characters.
    """
    if value != value.strip():
        raise InvalidRequest("username must not start or end with spaces", field="username")
    if not 1 <= len(value) <= MAX_USERNAME:
        raise InvalidRequest(f"username must be 1 to {MAX_USERNAME} characters", field="username")
    if "@" in value:
        raise InvalidRequest("username must not contain @", field="username")
    _check_printable(value, "username")
    return value


def clean_email(value: str) -> str:
    """The email as it will be displayed.

    Raises:
        InvalidRequest: not an address, too long, or with control characters.
    """
    value = value.strip()
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise InvalidRequest("email is not a valid address", field="email")
    _check_printable(value, "email")
    return value


TEXT_FIELDS = ("name", "first_name", "last_name", "avatar")


def clean_text(value: str | None, field: str) -> str | None:
    """Free text as it will be stored (names, avatar URL, API key names).

    Emoji joiners and direction marks stay (real names use them); control characters
    do not, and NUL could not even be stored in PostgreSQL.

    Raises:
        InvalidRequest: the value holds a control character.
    """
    if value is not None and any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidRequest(f"{field} must not contain control characters", field=field)
    return value
