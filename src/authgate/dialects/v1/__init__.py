"""D2 "v1": the /api/v1/auth REST API of seed 001."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from authgate.dialects.v1 import errors, routes
from authgate.http.routing import RouteError


class V1Dialect:
    name = "v1"
    prefixes = (routes.PREFIX,)

    def build_router(self) -> APIRouter:
        return routes.router

    def render_error(self, error: RouteError, request: Request) -> Response:
        return errors.render_error(error, request)
