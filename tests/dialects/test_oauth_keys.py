"""Asymmetric signing keys in process: kid, JWKS, and the header attacks that must fail."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import HMACAlgorithm

from tests.factories import bearer

ALGORITHMS = ["RS256", "ES256", "EdDSA"]


@pytest.fixture(params=ALGORITHMS)
def settings_overrides(request):
    return {"jwt_algorithm": request.param}


async def login(client, users):
    alice = await users()
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "password", "username": alice.username, "password": alice.password},
    )
    assert response.status_code == 200, response.text
    return alice, response.json()["access_token"]


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_token_carries_kid_and_verifies_against_the_jwks(client, users, settings):
    alice, token = await login(client, users)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == settings.jwt_algorithm and header["typ"] == "access"
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert [k["kid"] for k in jwks["keys"]] == [header["kid"]]
    public = jwks["keys"][0]
    assert public["use"] == "sig" and public["alg"] == settings.jwt_algorithm
    assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & public.keys()  # no private part
    key = jwt.PyJWK(public).key
    claims = jwt.decode(token, key, algorithms=[settings.jwt_algorithm], audience="authgate")
    assert claims["sub"] == alice.id
    meta = (await client.get("/.well-known/openid-configuration")).json()
    assert meta["token_signing_alg_values_supported"] == [settings.jwt_algorithm]


async def forged_tokens(client, token, settings):
    """Tokens an attacker can build from a real one and our public key."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    jwk = (await client.get("/.well-known/jwks.json")).json()["keys"][0]
    public = jwt.PyJWK(jwk).key
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = header["kid"]

    # PyJWT refuses to HMAC with a PEM; an attacker's library would not, so sign by hand.
    def hs256_with(secret: bytes) -> str:
        signing_input = f"{b64({'alg': 'HS256', 'typ': 'access', 'kid': kid})}.{b64(claims)}"
        signature = HMACAlgorithm(HMACAlgorithm.SHA256).sign(signing_input.encode(), secret)
        return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()

    unsigned = f"{b64({'alg': 'none', 'typ': 'access', 'kid': kid})}.{b64(claims)}."
    return {
        "alg none": unsigned,
        "hs256 with public pem": hs256_with(pem),
        "hs256 with jwk json": hs256_with(json.dumps(jwk).encode()),
        "hs256 with the server secret": jwt.encode(
            claims, settings.secret_key, algorithm="HS256", headers={"typ": "access"}
        ),
        "unknown kid": token.replace(token.split(".")[0], b64({**header, "kid": "not-ours"}), 1),
        "jku header": token.replace(
            token.split(".")[0], b64({**header, "jku": "http://evil/jwks.json"}), 1
        ),
        "embedded jwk": token.replace(token.split(".")[0], b64({**header, "jwk": jwk}), 1),
        "x5u header": token.replace(token.split(".")[0], b64({**header, "x5u": "http://evil"}), 1),
    }


async def test_forged_headers_and_algorithm_confusion_are_401(client, users, settings):
    _, token = await login(client, users)
    for name, forged in (await forged_tokens(client, token, settings)).items():
        response = await client.get("/api/v1/auth/me", headers=bearer(forged))
        assert response.status_code == 401, name


async def test_token_of_another_server_with_the_same_kid_is_refused(client, users, settings):
    _, token = await login(client, users)
    header = jwt.get_unverified_header(token)
    other = {"RS256": "RS256", "ES256": "ES256", "EdDSA": "EdDSA"}[settings.jwt_algorithm]
    from authgate.core.signing import generate_private_key

    claims = jwt.decode(token, options={"verify_signature": False}) | {"iat": int(time.time())}
    foreign = jwt.encode(
        claims,
        generate_private_key(other),
        algorithm=other,
        headers={"typ": "access", "kid": header["kid"]},
    )
    assert (await client.get("/api/v1/auth/me", headers=bearer(foreign))).status_code == 401


async def test_rotation_keeps_old_tokens_valid_and_publishes_both(client, users, services):
    _, old = await login(client, users)
    signing = services.signing
    new_key = await signing.rotate()
    services.core.ctx.codec.use_keys(await signing.load())
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {jwt.get_unverified_header(old)["kid"], new_key.kid}
    assert (await client.get("/api/v1/auth/me", headers=bearer(old))).status_code == 200


async def test_retired_key_leaves_the_jwks_once_its_tokens_have_expired(
    client, users, services, settings, time_machine
):
    _, old = await login(client, users)
    old_kid = jwt.get_unverified_header(old)["kid"]
    signing = services.signing
    new_key = await signing.rotate()
    start = new_key.activates_at
    assert start > datetime.now(UTC)  # published before it signs
    time_machine.move_to(start + timedelta(seconds=1))
    services.core.ctx.codec.use_keys(await signing.load())
    _, fresh = await login(client, users)
    assert jwt.get_unverified_header(fresh)["kid"] == new_key.kid
    assert (await client.get("/api/v1/auth/me", headers=bearer(old))).status_code == 200
    lifetime = settings.access_token_ttl + settings.clock_skew
    time_machine.move_to(start + timedelta(seconds=lifetime + 5))
    services.core.ctx.codec.use_keys(await signing.load())
    kids = [k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]]
    assert kids == [new_key.kid] and old_kid not in kids
