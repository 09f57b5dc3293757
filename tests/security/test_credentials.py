"""How credentials are presented: duplicate headers, odd `Bearer` spellings, and a
credential of the wrong kind (refresh token or API key where an access token belongs)."""

from __future__ import annotations

import pytest

from tests.factories import bearer, v1_create_key
from tests.security.harness import (
    FEATHERS_JWT,
    HEADER_DIALECTS,
    LEGACY,
    TOKEN_DIALECTS,
    Refusal,
    Why,
    aim,
    feathers_refusal,
)

header_dialects = pytest.mark.parametrize("dialect", HEADER_DIALECTS, ids=lambda d: d.name)


@header_dialects
async def test_two_authorization_headers_are_refused(dialect, client, users, db_unchanged):
    target = await aim(dialect, client, users)
    value = f"Bearer {target.tokens.access}"
    async with db_unchanged():
        response = await target.present(None, [("Authorization", value), ("Authorization", value)])
    target.refusal(Why.MISSING).check(response)


@header_dialects
async def test_authorization_and_x_api_key_together_are_refused(
    dialect, client, users, db_unchanged
):
    target = await aim(dialect, client, users)
    key = await v1_create_key(client, target.tokens.access)
    assert (await client.get("/api/v1/auth/me", headers={"X-API-Key": key})).status_code == 200
    headers = [("Authorization", f"Bearer {target.tokens.access}"), ("X-API-Key", key)]
    async with db_unchanged():
        response = await target.present(None, headers)
    target.refusal(Why.MISSING).check(response)


# API.md §1: `Bearer` in any case; RFC 6750 §2.1 allows one or more spaces after it.
ACCEPTED_SPELLINGS = {
    "lowercase": "bearer {t}",
    "uppercase": "BEARER {t}",
    "mixed_case": "BeArEr {t}",
    "three_spaces": "Bearer   {t}",
    "surrounding_spaces": "  Bearer {t}  ",
}


@header_dialects
@pytest.mark.parametrize("spelling", list(ACCEPTED_SPELLINGS))
async def test_bearer_in_any_case_and_spacing_is_accepted(spelling, dialect, client, users):
    target = await aim(dialect, client, users)
    value = ACCEPTED_SPELLINGS[spelling].format(t=target.tokens.access)
    response = await target.present(None, [("Authorization", value)])
    assert response.status_code == 200, response.text


REFUSED_SPELLINGS = {
    "scheme_without_token": ("Bearer", Why.MISSING),
    "scheme_and_spaces_only": ("Bearer    ", Why.MISSING),
    "tab_instead_of_space": ("Bearer\t{t}", Why.MISSING),
    "token_then_more_words": ("Bearer {t} extra", Why.MISSING),
    "two_tokens": ("Bearer {t} {t}", Why.MISSING),
    "basic_scheme": ("Basic {t}", Why.MISSING),
    "token_scheme": ("Token {t}", Why.MISSING),
    "colon_after_scheme": ("Bearer: {t}", Why.MISSING),
    "trailing_comma": ("Bearer {t},", Why.INVALID),
    "quoted_token": ('Bearer "{t}"', Why.INVALID),
    "oversized_token": ("Bearer {t}" + "A" * 9000, Why.MISSING),
}


@header_dialects
@pytest.mark.parametrize("spelling", list(REFUSED_SPELLINGS))
async def test_malformed_authorization_is_refused(spelling, dialect, client, users, db_unchanged):
    target = await aim(dialect, client, users)
    template, why = REFUSED_SPELLINGS[spelling]
    async with db_unchanged():
        response = await target.present(
            None, [("Authorization", template.format(t=target.tokens.access))]
        )
    target.refusal(why).check(response)


@header_dialects
async def test_access_token_in_x_api_key_is_refused(dialect, client, users, db_unchanged):
    """The reverse of an API key as an access token: X-API-Key takes API keys only."""
    target = await aim(dialect, client, users)
    async with db_unchanged():
        response = await target.present(None, [("X-API-Key", target.tokens.access)])
    target.refusal(Why.MISSING).check(response)


@header_dialects
@pytest.mark.parametrize("name", ["access_token", "token"])
async def test_token_in_the_query_string_is_ignored(name, dialect, client, users, db_unchanged):
    # RFC 6750 §2.3 would allow it; query strings end up in proxy and browser logs.
    target = await aim(dialect, client, users)
    path = {"feathers": "/users", "v1": "/api/v1/auth/me", "legacy": "/authheader/list"}
    async with db_unchanged():
        response = await client.get(
            path.get(dialect.name, "/auth/me"), params={name: target.tokens.access}
        )
    target.refusal(Why.MISSING).check(response)


@pytest.mark.parametrize(
    "dialect", [d for d in TOKEN_DIALECTS if d.name != "oauth"], ids=lambda d: d.name
)
async def test_refresh_token_as_access_token_is_refused(dialect, client, users, db_unchanged):
    target = await aim(dialect, client, users)
    refresh = (await client.post("/auth/login", data=_form(target))).json()["refresh_token"]
    async with db_unchanged():
        response = await target.present(refresh)
    target.refusal(Why.MALFORMED).check(response)


def _form(target) -> dict[str, str]:
    return {"username": target.user.username, "password": target.user.password}


async def test_api_key_in_feathers_jwt_strategy_is_refused(client, users, db_unchanged):
    target = await aim(FEATHERS_JWT, client, users)
    key = await v1_create_key(client, target.tokens.access)
    async with db_unchanged():
        response = await target.present(key)
    target.refusal(Why.MALFORMED).check(response)


# An API key (or a client_credentials token, which acts through one) authenticates
# requests, but cannot manage keys, sessions or passwords (API.md §1).
NEEDS_PASSWORD_SESSION = "This action needs a password login, not an API key"
PASSWORD_ONLY = {
    "v1_create_key": (
        "POST",
        "/api/v1/auth/keys",
        {"name": "escalated"},
        Refusal(403, {"error": NEEDS_PASSWORD_SESSION}),
    ),
    "v1_list_keys": (
        "GET",
        "/api/v1/auth/keys",
        None,
        Refusal(403, {"error": NEEDS_PASSWORD_SESSION}),
    ),
    "v1_logout_all": (
        "POST",
        "/api/v1/auth/logout-all",
        None,
        Refusal(403, {"error": NEEDS_PASSWORD_SESSION}),
    ),
    "v1_sessions": (
        "GET",
        "/api/v1/auth/sessions",
        None,
        Refusal(403, {"error": NEEDS_PASSWORD_SESSION}),
    ),
    "legacy_add_header": (
        "POST",
        "/authheader/add",
        {"name": "escalated"},
        Refusal(403, {"message": NEEDS_PASSWORD_SESSION}),
    ),
    "legacy_list_headers": (
        "GET",
        "/authheader/list",
        None,
        Refusal(403, {"message": NEEDS_PASSWORD_SESSION}),
    ),
    "form_logout": ("POST", "/auth/logout", None, Refusal(403, {"detail": NEEDS_PASSWORD_SESSION})),
    "feathers_logout": (
        "DELETE",
        "/authentication",
        None,
        feathers_refusal(401, "jwt malformed"),
    ),
}


async def _client_credentials_token(client, key_id: str, secret: str) -> str:
    response = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(key_id, secret)
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.mark.parametrize("endpoint", list(PASSWORD_ONLY))
@pytest.mark.parametrize("credential", ["api_key", "client_credentials_token"])
async def test_api_key_cannot_do_what_needs_a_password_login(
    credential, endpoint, client, users, db_unchanged
):
    target = await aim(LEGACY, client, users)
    created = await client.post(
        "/api/v1/auth/keys", json={"name": "k"}, headers=bearer(target.tokens.access)
    )
    key_id, secret = created.json()["keyId"], created.json()["apiKey"]
    value = secret
    if credential == "client_credentials_token":
        value = await _client_credentials_token(client, key_id, secret)
    method, path, body, refusal = PASSWORD_ONLY[endpoint]
    if endpoint == "feathers_logout" and credential == "client_credentials_token":
        # A JWT that acts through a key: DELETE /authentication checks it, then refuses.
        refusal = feathers_refusal(403, NEEDS_PASSWORD_SESSION)
    assert (await client.get("/api/v1/auth/me", headers=bearer(value))).status_code == 200
    async with db_unchanged():
        response = await client.request(method, path, json=body, headers=bearer(value))
    refusal.check(response)
