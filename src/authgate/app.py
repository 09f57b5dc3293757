"""create_app(settings) -> FastAPI: the lifespan builds the services, enabled dialects mount."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response

import authgate
from authgate.config import Settings
from authgate.container import build_services
from authgate.dialects import REGISTRY
from authgate.http import openapi, ops
from authgate.http.docs import docs_router
from authgate.http.middleware import (
    AuditScopeMiddleware,
    BodyLimitMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from authgate.dialects.base import Dialect

log = logging.getLogger("authgate")


def _dialect_for(path: str, dialects: list[Dialect]) -> Dialect | None:
    for dialect in dialects:
        if any(path == p or path.startswith(p.rstrip("/") + "/") for p in dialect.prefixes):
            return dialect
    return None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    enabled = [REGISTRY[name] for name in settings.dialects if name in REGISTRY]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings)
        app.state.services = services
        app.state.http = services.http
        services.start_background()
        try:
            yield
        finally:
            await services.aclose()

    app = FastAPI(
        title="authgate",
        version=authgate.__version__,
        summary="One authentication core, four API dialects",
        lifespan=lifespan,
        # Served by http/docs.py with a CSP of their own; ReDoc not at all.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.include_router(ops.router)
    app.include_router(docs_router(openapi_url=app.openapi_url or "/openapi.json", title=app.title))
    for dialect in enabled:
        app.include_router(dialect.build_router())

    async def http_error(request: Request, error: Exception) -> Response:
        # 404/405 outside any route: answer in the dialect that owns the path.
        dialect = _dialect_for(request.url.path, enabled)
        if dialect is not None and isinstance(
            error, StarletteHTTPException | RequestValidationError
        ):
            return dialect.render_error(error, request)
        status = getattr(error, "status_code", 400)
        return JSONResponse({"detail": getattr(error, "detail", "Bad request")}, status_code=status)

    async def server_error(request: Request, error: Exception) -> Response:
        log.error("unhandled error", exc_info=error, extra={"path": request.url.path})
        dialect = _dialect_for(request.url.path, enabled)
        if dialect is not None:
            return dialect.render_error(
                StarletteHTTPException(500, "Internal server error"), request
            )
        return JSONResponse({"detail": "Internal server error"}, status_code=500)

    openapi.install(app)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
    if settings.cors_origins:
        # Innermost, so that preflight answers get the security headers and a log line.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
            expose_headers=["Retry-After", "WWW-Authenticate", "X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(AuditScopeMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    return app
