"""HS256 "signed" with our own public key (RFC 8725 §2.1, §3.1), with asymmetric keys on.

The public key is public (it is in the JWKS); a verifier that let the token pick HS256
would use it as the HMAC secret and accept the forgery.
"""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.security.harness import TOKEN_DIALECTS, Why, aim, sign_hs256, split


@pytest.fixture(params=["RS256", "EdDSA"])
def settings_overrides(request):
    return {"jwt_algorithm": request.param}


def _public_secrets(jwk: dict[str, str]) -> dict[str, bytes]:
    public = jwt.PyJWK(jwk).key
    return {
        "pem": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "jwk_json": json.dumps(jwk).encode(),
    }


@pytest.mark.parametrize("dialect", TOKEN_DIALECTS, ids=lambda d: d.name)
@pytest.mark.parametrize(
    ("form", "keep_kid"),
    [("pem", True), ("jwk_json", False)],
    ids=["pem_with_our_kid", "jwk_json_without_kid"],
)
async def test_hs256_signed_with_the_public_key_is_refused(
    form, keep_kid, dialect, client, users, db_unchanged
):
    target = await aim(dialect, client, users)
    jwk = (await client.get("/.well-known/jwks.json")).json()["keys"][0]
    header, claims = split(target.tokens.access)
    header = {**header, "alg": "HS256"}
    if not keep_kid:
        header.pop("kid")
    forged = sign_hs256(header, claims, _public_secrets(jwk)[form])
    async with db_unchanged():
        response = await target.present(forged)
    target.refusal(Why.INVALID).check(response)
