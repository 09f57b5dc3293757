"""A real `authgate serve` process, real clients: authlib's OAuth2Session (requests) for the
password and refresh grants, PyJWT's PyJWKClient verifying tokens against the live JWKS
before and after `authgate keys rotate`."""

from __future__ import annotations

import time

import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session

from tests.servers import cli_env, run_cli, running_server

PASSWORD = "Tr0ub4dor&3-horse"
ROTATION_WAIT = 20.0


def verify(jwks: jwt.PyJWKClient, token: str, algorithm: str) -> dict:
    key = jwks.get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=[algorithm], audience="authgate")


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
def test_jwks_verifies_tokens_across_a_key_rotation(tmp_path, database_url, algorithm):
    env = cli_env(
        database_url,
        AUTHGATE_JWT_ALGORITHM=algorithm,
        AUTHGATE_JWT_KEY_RELOAD_INTERVAL="0.5",
        AUTHGATE_JWT_KEY_PUBLISH_AHEAD="3",
    )
    created = run_cli(
        ["user", "create", "alice", "--email", "alice@example.com", "--password-stdin"],
        env,
        tmp_path,
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    with running_server(env, tmp_path) as base:
        oauth = OAuth2Session(client_id="live-cli", token_endpoint_auth_method="none")
        token_url = f"{base}/oauth/token"
        first = oauth.fetch_token(token_url, username="alice", password=PASSWORD)
        jwks = jwt.PyJWKClient(f"{base}/.well-known/jwks.json", cooldown_duration=1)
        old_kid = jwt.get_unverified_header(first["access_token"])["kid"]
        assert verify(jwks, first["access_token"], algorithm)["iss"] == base

        rotated = run_cli(["keys", "rotate"], env, tmp_path)
        assert rotated.returncode == 0, rotated.stderr
        new_kid = rotated.stdout.split()[1]
        assert new_kid != old_kid

        deadline = time.monotonic() + ROTATION_WAIT
        while True:  # the new key signs once every process has had time to load it
            fresh = oauth.refresh_token(token_url)
            if jwt.get_unverified_header(fresh["access_token"])["kid"] == new_kid:
                break
            assert time.monotonic() < deadline, "the rotated key never started signing"
            time.sleep(0.25)

        # PyJWKClient meets an unknown kid, refetches the JWKS and finds it.
        assert verify(jwks, fresh["access_token"], algorithm)["sub"]
        assert verify(jwks, first["access_token"], algorithm)["sub"]  # the old key still verifies
        published = {k.key_id for k in jwks.get_signing_keys(refresh=True)}
        assert published == {old_kid, new_kid}
        # The server itself still accepts the old key's token: its session is live.
        me = oauth.get(
            f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {first['access_token']}"}
        )
        assert me.status_code == 200

    listed = run_cli(["keys", "list"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    statuses = {line.split("\t")[0]: line.split("\t")[2] for line in listed.stdout.splitlines()}
    assert statuses == {old_kid: "retired", new_kid: "active"}
