"""D3 "legacy": /user/login and the /authheader API-key endpoints of seed 002."""

from __future__ import annotations

from typing import TYPE_CHECKING

from authgate.dialects.legacy import errors, routes

if TYPE_CHECKING:
    from fastapi import APIRouter
    from starlette.requests import Request
    from starlette.responses import Response

    from authgate.http.routing import RouteError


class LegacyDialect:
    name = "legacy"
    prefixes = routes.PREFIXES

    def build_router(self) -> APIRouter:
        return routes.router

    def render_error(self, error: RouteError, request: Request) -> Response:
        return errors.render_error(error, request)
