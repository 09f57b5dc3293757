"""Property tests: any change to a signed token makes it invalid."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from authgate.core.errors import InvalidToken, TokenExpired
from authgate.core.tokens import AccessTokenCodec

SECRET = "k" * 64
ISSUER = "http://testserver"


def codec():
    return AccessTokenCodec(secret=SECRET, audience="authgate", ttl=3600, leeway=5)


@settings(max_examples=200)
@given(st.data())
def test_flipping_any_character_is_refused(data):
    token = codec().issue(user_id="u1", session_id="s1", issuer=ISSUER).token
    fresh = codec()  # no cached verification
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from("ABCabc012-_."))
    tampered = token[:position] + replacement + token[position + 1 :]
    if tampered == token:
        return
    try:
        claims = fresh.decode(tampered, issuer=ISSUER)
    except InvalidToken:
        return
    # base64url has slack bits in the last character: a change there can decode to the same bytes.
    assert claims == fresh.decode(token, issuer=ISSUER)


def _forge(payload, header, key=SECRET, algorithm="HS256"):
    return jwt.encode(payload, key, algorithm=algorithm, headers=header)


def _claims(**over):
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": "authgate",
        "sub": "u",
        "sid": "s",
        "jti": "j",
        "iat": now,
        "exp": now + 60,
        **over,
    }


@pytest.mark.parametrize(
    "token",
    [
        _forge(_claims(), {"typ": "JWT"}),
        _forge(_claims(aud="someone-else"), {"typ": "access"}),
        _forge(_claims(iss="http://evil"), {"typ": "access"}),
        _forge(_claims(), {"typ": "access"}, key="another-secret-" + "z" * 40),
        _forge({k: v for k, v in _claims().items() if k != "sid"}, {"typ": "access"}),
        _forge(_claims(sub=5), {"typ": "access"}),
        _forge(_claims(nbf=int(time.time()) + 600), {"typ": "access"}),
        _forge(_claims(iat=int(time.time()) + 600), {"typ": "access"}),
        "not-a-token",
        "",
    ],
)
def test_forged_tokens_are_refused(token):
    with pytest.raises(InvalidToken):
        codec().decode(token, issuer=ISSUER)


def test_alg_none_is_refused():
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"access"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidToken):
        codec().decode(f"{header}.{body}.", issuer=ISSUER)


def test_expired_token_even_when_cached():
    tokens = codec()
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to(1_800_000_000)
        issued = tokens.issue(user_id="u", session_id="s", issuer=ISSUER).token
        tokens.decode(issued, issuer=ISSUER)
        traveller.shift(3600 + 6)
        with pytest.raises(TokenExpired):
            tokens.decode(issued, issuer=ISSUER)
        with pytest.raises(TokenExpired):
            codec().decode(issued, issuer=ISSUER)


def test_leeway_accepts_a_token_just_past_expiry():
    tokens = codec()
    with time_machine.travel(1_800_000_000, tick=False) as traveller:
        issued = tokens.issue(user_id="u", session_id="s", issuer=ISSUER).token
        traveller.shift(3600 + 3)
        assert codec().decode(issued, issuer=ISSUER).sub == "u"


def test_token_for_another_issuer_is_refused_even_when_cached():
    tokens = codec()
    issued = tokens.issue(user_id="u", session_id="s", issuer=ISSUER).token
    with pytest.raises(InvalidToken):
        tokens.decode(issued, issuer="http://other")
