"""What a dialect is: a name, the paths it owns, its routes and its error shape."""

from __future__ import annotations

from typing import Protocol

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from authgate.http.routing import RouteError


class Dialect(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def prefixes(self) -> tuple[str, ...]: ...

    def build_router(self) -> APIRouter: ...
    def render_error(self, error: RouteError, request: Request) -> Response: ...
