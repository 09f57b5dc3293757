"""Forged, tampered and out-of-date access tokens, in every dialect that takes one.

Most forgeries are signed with the real HS256 secret, so that each header or claim
check is shown to hold on its own, not hidden behind a bad signature (RFC 8725 §3).
"""

from __future__ import annotations

import time

import pytest

from authgate.core.revocation import RevocationCache
from tests.security.harness import (
    SECRET,
    TOKEN_DIALECTS,
    Why,
    aim,
    b64,
    b64json,
    resign,
    sign_hs256,
    split,
    with_header,
)


def _now() -> int:
    return int(time.time())


def _alg_none(token: str, alg: str = "none") -> str:
    header, claims = split(token)
    return f"{b64json({**header, 'alg': alg})}.{b64json(claims)}."


def _tamper_sub(token: str) -> str:
    head, _, signature = token.split(".")
    _, claims = split(token)
    return f"{head}.{b64json({**claims, 'sub': 'someone-else'})}.{signature}"


def _flip_signature(token: str) -> str:
    head, payload, signature = token.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{head}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def _embedded_jwk(token: str) -> str:
    attacker_key = b"attacker-chosen-key-" + b"k" * 20
    jwk = {"kty": "oct", "k": b64(attacker_key)}
    header, claims = split(token)
    return sign_hs256({**header, "jwk": jwk}, claims, attacker_key)


def _foreign_key_header(name: str, value: object):
    def forge(token: str) -> str:
        return with_header(token, **{name: value})

    return forge


# name -> (forge the victim's token, why each dialect must refuse it)
ATTACKS = {
    "alg_none": (_alg_none, Why.INVALID),
    "alg_None_mixed_case": (lambda t: _alg_none(t, "None"), Why.INVALID),
    "alg_none_without_kid": (lambda t: _alg_none(with_header(t, kid=None)), Why.INVALID),
    "alg_hs512_with_the_real_secret": (
        lambda t: sign_hs256(
            {**split(t)[0], "alg": "HS512"}, split(t)[1], SECRET.encode(), "sha512"
        ),
        Why.INVALID,
    ),
    "kid_path_traversal_dev_null": (
        lambda t: with_header(t, key=b"", kid="../../../../../../../dev/null"),
        Why.INVALID,
    ),
    "kid_sql_injection": (
        lambda t: with_header(t, key=b"x", kid="' UNION SELECT 'x' AS value --"),
        Why.INVALID,
    ),
    "kid_unknown": (lambda t: with_header(t, kid="not-one-of-ours"), Why.INVALID),
    "kid_not_a_string": (lambda t: with_header(t, kid=123), Why.INVALID),
    "jku_header": (_foreign_key_header("jku", "https://evil.example/jwks.json"), Why.INVALID),
    "x5u_header": (_foreign_key_header("x5u", "https://evil.example/cert.pem"), Why.INVALID),
    "x5c_header": (_foreign_key_header("x5c", ["MIIBIjANBgkq"]), Why.INVALID),
    "embedded_jwk": (_embedded_jwk, Why.INVALID),
    "crit_header": (_foreign_key_header("crit", ["exp"]), Why.INVALID),
    "typ_not_access": (_foreign_key_header("typ", "JWT"), Why.INVALID),
    "tampered_payload": (_tamper_sub, Why.SIGNATURE),
    "tampered_signature": (_flip_signature, Why.SIGNATURE),
    "signed_with_another_secret": (
        lambda t: resign(t, key=b"another-secret-" + b"z" * 40),
        Why.SIGNATURE,
    ),
    "expired": (lambda t: resign(t, iat=_now() - 7200, exp=_now() - 3600), Why.EXPIRED),
    "expired_beyond_leeway": (lambda t: resign(t, exp=_now() - 10), Why.EXPIRED),
    "nbf_in_the_future": (lambda t: resign(t, nbf=_now() + 600), Why.INVALID),
    "iat_far_in_the_future": (
        lambda t: resign(t, iat=_now() + 86400, exp=_now() + 90000),
        Why.INVALID,
    ),
    "wrong_audience": (lambda t: resign(t, aud="another-service"), Why.AUDIENCE),
    "audience_list_with_ours": (lambda t: resign(t, aud=["authgate", "evil"]), Why.INVALID),
    "wrong_issuer": (lambda t: resign(t, iss="https://evil.example"), Why.ISSUER),
    "without_exp": (lambda t: resign(t, exp=None), Why.INVALID),
    "without_sid": (lambda t: resign(t, sid=None), Why.INVALID),
    "exp_as_string": (lambda t: resign(t, exp=str(_now() + 600)), Why.INVALID),
    "unknown_session": (
        lambda t: resign(t, sid="7b0b5c3e-0000-4000-8000-000000000000"),
        Why.REVOKED,
    ),
    "not_a_jwt": (lambda t: "not-a-jwt", Why.MALFORMED),
}


@pytest.mark.parametrize("dialect", TOKEN_DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_forged_token_is_refused(attack, dialect, client, users, db_unchanged):
    target = await aim(dialect, client, users)
    forge, why = ATTACKS[attack]
    forged = forge(target.tokens.access)
    async with db_unchanged():
        response = await target.present(forged)
    target.refusal(why).check(response)


@pytest.mark.parametrize("dialect", TOKEN_DIALECTS, ids=lambda d: d.name)
async def test_token_of_another_subject_in_the_victims_session_is_refused(
    dialect, client, users, db_unchanged
):
    """A token that names another user in the victim's session: the session is the victim's."""
    target = await aim(dialect, client, users)
    other = await users()
    forged = resign(target.tokens.access, sub=other.id)
    async with db_unchanged():
        response = await target.present(forged)
    target.refusal(Why.REVOKED).check(response)


@pytest.mark.parametrize("dialect", TOKEN_DIALECTS, ids=lambda d: d.name)
async def test_no_token_at_all_is_refused(dialect, client, users, db_unchanged):
    target = await aim(dialect, client, users)
    async with db_unchanged():
        response = await target.present(None)
    if dialect.name == "oauth":
        # RFC 7662 §2.1: `token` is required.
        assert response.status_code == 400
        assert response.json() == {
            "error": "invalid_request",
            "error_description": "parameter token is required",
        }
        return
    target.refusal(Why.MISSING).check(response)


@pytest.mark.parametrize("dialect", TOKEN_DIALECTS, ids=lambda d: d.name)
async def test_another_subject_on_a_node_that_never_saw_the_session_harms_nothing(
    dialect, client, users, services, db_unchanged
):
    """Refused without marking the real owner's session revoked in this node's cache."""
    target = await aim(dialect, client, users)
    other = await users()
    # A node that has not looked the session up yet: its cache starts empty.
    services.core.ctx.cache = RevocationCache(revoked_ttl=3600)
    async with db_unchanged():
        response = await target.present(resign(target.tokens.access, sub=other.id))
    target.refusal(Why.REVOKED).check(response)
    still = await target.present(target.tokens.access)
    assert still.status_code in (200, 201), still.text
