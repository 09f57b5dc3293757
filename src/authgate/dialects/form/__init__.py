"""D4 "form": the FastAPI/OAuth2-password-form /auth API of seed 003."""

from __future__ import annotations

from typing import TYPE_CHECKING

from authgate.dialects.form import errors, routes

if TYPE_CHECKING:
    from fastapi import APIRouter
    from starlette.requests import Request
    from starlette.responses import Response

    from authgate.http.routing import RouteError


class FormDialect:
    name = "form"
    prefixes = (routes.PREFIX,)

    def build_router(self) -> APIRouter:
        return routes.router

    def render_error(self, error: RouteError, request: Request) -> Response:
        return errors.render_error(error, request)
