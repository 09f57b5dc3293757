"""ASGI middleware: body size limit, security headers, one JSON log line per request,
and the audit scope (client address and user agent) every audit row of a request carries."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from authgate.core.audit import enter_scope, exit_scope
from authgate.http.errors import BodyTooLarge
from authgate.http.metrics import observe_request

request_log = logging.getLogger("authgate.request")

_API_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "pragma": "no-cache",
    # JSON loads nothing. An HTML page sets its own policy (http/docs.py), which is kept.
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


class BodyLimitMiddleware:
    """Refuse bodies over the limit while they stream in, never buffering more."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        too_large = declared is not None and declared.isdigit() and int(declared) > self.max_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        await self.app(scope, limited_receive, send)


class SecurityHeadersMiddleware:
    """Headers every response carries unless the route set its own (caching, CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _API_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestLogMiddleware:
    """One line per request: never the query string, a header or a body, which carry secrets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = uuid.uuid4().hex

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            observe_request(scope["method"], route, status, elapsed)
            request_log.info(
                "request",
                extra={
                    "event": "request",
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "ip": (scope.get("client") or (None,))[0],
                    "user_id": _state(scope).get("user_id"),
                },
            )


def _route_template(scope: Scope) -> str:
    # The template (/api/v1/auth/keys/{key_id}), not the path: a path segment may be a secret.
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "<unmatched>"


def _state(scope: Scope) -> dict[str, Any]:
    state = scope.get("state")
    return state if isinstance(state, dict) else {}


class AuditScopeMiddleware:
    """Sets the request's audit scope, which core events read their client from.

    A ContextVar rather than a parameter: every core call below this request (logout,
    key and admin actions included) is audited with the right client without carrying
    it. A pure ASGI middleware (not BaseHTTPMiddleware) so the route runs in this context.
    Before the request runs, a full audit buffer is written out (backpressure).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        http = getattr(scope["app"].state, "http", None) if "app" in scope else None
        if scope["type"] != "http" or http is None:
            await self.app(scope, receive, send)
            return
        await http.core.ctx.trail.make_room()
        token = enter_scope(http.client_for(Request(scope)))
        try:
            await self.app(scope, receive, send)
        finally:
            exit_scope(token)
