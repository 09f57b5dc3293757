"""Property tests: usernames and emails that look alike to people compare equal."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from authgate.core.errors import InvalidRequest
from authgate.core.identity import clean_email, clean_username, login_key

names = st.text(alphabet=st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=40)


@given(names)
def test_key_ignores_case(value):
    assert login_key(value.upper()) == login_key(value.lower()) or login_key(
        value.upper()
    ) == login_key(value.upper().lower())


@given(names)
def test_key_ignores_unicode_normal_form(value):
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        assert login_key(unicodedata.normalize(form, value)) == login_key(value)


@given(names)
def test_key_is_idempotent(value):
    assert login_key(login_key(value)) == login_key(value)


@given(names, st.sampled_from([" ", "  ", "\t"]))
def test_key_ignores_surrounding_space(value, space):
    assert login_key(value + space) == login_key(value.strip()) or value != value.strip()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Alice", "ALICE"),
        ("ﬁona", "fiona"),
        ("Ｂｏｂ", "bob"),  # noqa: RUF001 - fullwidth on purpose
        ("straße", "STRASSE"),
        ("bob ", "bob"),
    ],
)
def test_lookalikes_share_a_key(a, b):
    assert login_key(a) == login_key(b)


@pytest.mark.parametrize("bad", ["", " bob", "bob ", "a@b", "x" * 151, "bad\u200bname", "nul\x00"])
def test_bad_usernames_are_refused(bad):
    with pytest.raises(InvalidRequest):
        clean_username(bad)


@pytest.mark.parametrize(
    "bad", ["", "plain", "a@b", "@example.com", "a b@example.com", "x@" + "y" * 260 + ".com"]
)
def test_bad_emails_are_refused(bad):
    with pytest.raises(InvalidRequest):
        clean_email(bad)


@given(st.emails())
def test_valid_emails_are_kept_as_typed(email):
    assert clean_email(email) == email
