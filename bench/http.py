"""The few set-up calls the harness makes itself (logins, an API key), over loopback."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def call(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    data = None
    sent = dict(headers or {})
    if json_body is not None:
        data, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    for _ in range(30):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            # A shed login (503 + Retry-After) is retried as a polite client would.
            if error.code != 503 or "retry-after" not in error.headers:
                raise
            time.sleep(min(float(error.headers["retry-after"]), 2.0))
    raise RuntimeError(f"{method} {url}: still 503 after 30 attempts")


def v1_login(base: str, username: str, password: str) -> dict[str, Any]:
    body: dict[str, Any] = call(
        "POST", f"{base}/api/v1/auth/login", json_body={"username": username, "password": password}
    )
    return body


def refresh_tokens(base: str, count: int, password: str, users: int) -> list[str]:
    """count fresh sessions (a login each, spread over the seeded users): their refresh tokens."""
    names = [f"bench{1 + i % users}" for i in range(count)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(lambda name: v1_login(base, name, password), names))
    return [b["refreshToken"] for b in bodies]
