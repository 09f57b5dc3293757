"""DialectRoute: every error a route raises is rendered in its dialect's shape.

Overriding only get_route_handler keeps one app and one OpenAPI document while each
dialect answers in its own error format, including for validation errors, which
FastAPI raises inside the route handler (FastAPI docs, "Custom Request and APIRoute").
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from authgate.core.errors import AuthError
from authgate.http.errors import BodyTooLarge, MalformedBody

RouteError = AuthError | RequestValidationError | HTTPException | BodyTooLarge | MalformedBody


class ErrorRenderer(Protocol):
    def __call__(self, error: RouteError, request: Request) -> Response: ...


def dialect_route(render: ErrorRenderer) -> type[APIRoute]:
    class DialectRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def handle(request: Request) -> Response:
                try:
                    return await handler(request)
                except (AuthError, RequestValidationError, BodyTooLarge, MalformedBody) as error:
                    return render(error, request)
                except HTTPException as error:
                    # FastAPI wraps a failure to read the body in a 400; find out why.
                    cause = error.__cause__
                    if isinstance(cause, BodyTooLarge):
                        return render(cause, request)
                    if cause is not None:
                        return render(MalformedBody(str(cause)), request)
                    return render(error, request)

            return handle

    return DialectRoute
