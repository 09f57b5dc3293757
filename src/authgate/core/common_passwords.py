"""The common-password rule: refuse the passwords attackers try first.

The list is zxcvbn's "passwords" frequency list (30,000 entries, ranked from leaked
password dumps), which the zxcvbn package ships as data. NIST SP 800-63B §5.1.1.2
asks verifiers to refuse values "commonly-used, expected, or compromised".
"""

from __future__ import annotations

import functools

from authgate.core.errors import PasswordPolicyViolation

MIN_LIST_SIZE = 10_000


@functools.cache
def common_passwords() -> frozenset[str]:
    """The list, case-folded; loaded on first use (about 30,000 strings)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # 30,000 strings: load on first use

    words = frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])
    if len(words) < MIN_LIST_SIZE:  # pragma: no cover - guards a broken zxcvbn install
        raise RuntimeError(f"the common-password list has only {len(words)} entries")
    return words


def is_common_password(password: str) -> bool:
    # Case-folded: "PASSWORD1" is guessed as early as "password1".
    return password.casefold() in common_passwords()


def check_not_common(password: str) -> None:
    """Raises: PasswordPolicyViolation: the password is on the common-password list."""
    if is_common_password(password):
        raise PasswordPolicyViolation(
            "password is too common: it is on a list of frequently used passwords",
            field="password",
        )
