"""/docs: Swagger UI with a Content-Security-Policy that allows exactly what it loads.

FastAPI's page loads two files from jsDelivr and runs one inline bootstrap script. The
policy names those two URLs and the bootstrap's SHA-256 (computed from the page we
serve, so it cannot drift), so no other script runs: no 'unsafe-inline' for scripts.
Styles do need 'unsafe-inline': Swagger UI 5 injects inline styles at run time
(swagger-api/swagger-ui#10655), and a style cannot run code. ReDoc (/redoc) is not
served: it needs web workers from blob: URLs and Google Fonts, for a second copy of the
same reference.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.responses import HTMLResponse

DOCS_PATH = "/docs"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
_SWAGGER_JS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
_SWAGGER_CSS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"
_FAVICON = "https://fastapi.tiangolo.com/img/favicon.png"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(html: str, *, scripts: tuple[str, ...] = ()) -> str:
    """A policy for html: its inline scripts by hash, and the given script URLs."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    return "; ".join(
        (
            "default-src 'none'",
            "script-src " + " ".join((*hashes, *scripts)),
            f"style-src {_SWAGGER_CSS} 'unsafe-inline'",
            f"img-src {_FAVICON} data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def _page(body: bytes | memoryview, *, scripts: tuple[str, ...] = ()) -> tuple[str, str]:
    html = bytes(body).decode()
    return html, content_security_policy(html, scripts=scripts)


def docs_router(*, openapi_url: str, title: str) -> APIRouter:
    """The two pages and their policies, made once: they depend only on the app's URLs."""
    swagger = _page(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=_SWAGGER_JS,
            swagger_css_url=_SWAGGER_CSS,
            swagger_favicon_url=_FAVICON,
            oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
        ).body,
        scripts=(_SWAGGER_JS,),
    )
    redirect = _page(get_swagger_ui_oauth2_redirect_html().body)
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger[0], headers={"Content-Security-Policy": swagger[1]})

    @router.get(OAUTH2_REDIRECT_PATH)
    async def oauth2_redirect() -> HTMLResponse:
        return HTMLResponse(redirect[0], headers={"Content-Security-Policy": redirect[1]})

    return router
