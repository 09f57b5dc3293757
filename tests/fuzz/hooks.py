"""Schemathesis hooks for the fuzz (loaded by `st run` through SCHEMATHESIS_HOOKS).

The fuzzer sends a real credential so the authenticated paths run, not only their 401s:
a session token of the seeded admin everywhere a user token is taken, the admin's API
key on /oauth/introspect (which takes only an API key), and a second user's token on
the operations that end sessions (logout, logout-all, DELETE /authentication and
/api/v1/auth/sessions/{id}). When one
of those has ended that token, the 401 that follows makes schemathesis log in again
(its auth `retry_on` default).

Schemathesis reuses ids it saw in answers, so it learns the seeded users' ids (from /me
or GET /users) and would delete or rename the accounts it logs in with; `before_call`
points such a request at a user that does not exist instead.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import requests
import schemathesis

BASE_URL = os.environ["AUTHGATE_FUZZ_BASE_URL"]
PASSWORD = os.environ["AUTHGATE_FUZZ_PASSWORD"]
ADMIN, ADMIN_ID = os.environ["AUTHGATE_FUZZ_ADMIN"].split(":")
LOGOUT_USER, LOGOUT_USER_ID = os.environ["AUTHGATE_FUZZ_LOGOUT_USER"].split(":")
API_KEY = os.environ["AUTHGATE_FUZZ_API_KEY"]
CREDENTIALS = ("authorization", "x-api-key")
# Operations that end the caller's session (or all of them): they get their own user,
# or each would kill the token every other operation is using. (Schemathesis reuses the
# session ids GET /sessions lists, the caller's own among them.)
ENDS_SESSIONS = "^/authentication|/logout|/sessions"


def _with_bearer(case: Any, credential: str) -> None:
    # Always the real credential: generated ones (the schemes declare the headers) would
    # make nearly every case a 401; bad credentials are tested in tests/dialects.
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in CREDENTIALS}
    headers["Authorization"] = f"Bearer {credential}"
    case.headers = headers


def _login(username: str) -> str:
    answer = requests.post(
        f"{BASE_URL}/api/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        timeout=30,
    )
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


@schemathesis.auth(refresh_interval=120).skip_for(path_regex=f"^/oauth/|{ENDS_SESSIONS}")
class AdminSession:
    def get(self, case: Any, ctx: Any) -> str:
        return _login(ADMIN)

    def set(self, case: Any, data: str, ctx: Any) -> None:
        _with_bearer(case, data)


@schemathesis.auth(refresh_interval=120).apply_to(path_regex=ENDS_SESSIONS)
class LogoutSession:
    def get(self, case: Any, ctx: Any) -> str:
        return _login(LOGOUT_USER)

    def set(self, case: Any, data: str, ctx: Any) -> None:
        _with_bearer(case, data)


@schemathesis.auth(refresh_interval=None).apply_to(path="/oauth/introspect")
class ApiKey:
    def get(self, case: Any, ctx: Any) -> str:
        return API_KEY

    def set(self, case: Any, data: str, ctx: Any) -> None:
        _with_bearer(case, data)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    parameters = case.path_parameters or {}
    if parameters.get("user_id") in (ADMIN_ID, LOGOUT_USER_ID):
        case.path_parameters = {**parameters, "user_id": str(uuid.uuid4())}
