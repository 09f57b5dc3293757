"""D1 "feathers": the FeathersJS 5 `/authentication` and `/users` services of seed 000."""

from __future__ import annotations

from typing import TYPE_CHECKING

from authgate.dialects.feathers import errors, routes
from authgate.dialects.feathers.routes import router

if TYPE_CHECKING:
    from fastapi import APIRouter
    from starlette.requests import Request
    from starlette.responses import Response

    from authgate.http.routing import RouteError


class FeathersDialect:
    name = "feathers"
    prefixes = (routes.AUTH_PATH, routes.USERS_PATH)

    def build_router(self) -> APIRouter:
        return router

    def render_error(self, error: RouteError, request: Request) -> Response:
        return errors.render_error(error, request)
