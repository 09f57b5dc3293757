"""What /openapi.json says about errors and credentials, shared by every dialect.

Each dialect declares, per route, the statuses it really answers with its own error
model (`error_responses`); the schemathesis fuzz in CI (docs/fuzzing.md) holds every
answer to that declaration.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import FastAPI, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

Responses = dict[int | str, dict[str, Any]]

DESCRIPTIONS: Mapping[int, str] = {
    400: "Invalid request",
    401: "Not authenticated: no credential, or an invalid one",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request body or parameters",
    429: "Too many attempts; see Retry-After",
    503: "Storage unavailable",
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the next attempt is accepted",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}

# The credentials the dialects read (http/bearer.py), declared so clients and the fuzzer
# know to send them. Declared only: every scheme is auto_error=False and its value
# unused, since credential_from reads the headers itself with stricter rules.
_bearer = HTTPBearer(
    scheme_name="bearer", bearerFormat="JWT access token or API key", auto_error=False
)
_api_key = APIKeyHeader(name="X-API-Key", scheme_name="apiKey", auto_error=False)
_bare = APIKeyHeader(
    name="Authorization",
    scheme_name="bareAuthorization",
    description="The access token with no scheme, as seeds 000 and 002 send it",
    auto_error=False,
)
# OAuth clients authenticate with HTTP Basic (RFC 6749 §2.3.1). Declared by name only
# (`client_basic()`): FastAPI's HTTPBasic answers a malformed header itself.
CLIENT_BASIC = "clientBasic"
_CLIENT_BASIC_SCHEME = {
    "type": "http",
    "scheme": "basic",
    "description": "client_id:client_secret (an API key id and secret)",
}

BearerDeclared = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]
ApiKeyDeclared = Annotated[str | None, Security(_api_key)]
BareDeclared = Annotated[str | None, Security(_bare)]


# Async, though they do nothing: FastAPI runs a plain `def` dependency in its thread
# pool, a thread hop on every authenticated request (a third of /me's throughput).
async def _token_or_key(_bearer: BearerDeclared, _key: ApiKeyDeclared) -> None:
    return None


async def _token_key_or_bare(
    _bearer: BearerDeclared, _key: ApiKeyDeclared, _bare: BareDeclared
) -> None:
    return None


def credential_schemes(*, allow_bare: bool = False) -> Callable[..., Awaitable[None]]:
    """A dependency that only declares the credentials a route takes (see above)."""
    return _token_key_or_bare if allow_bare else _token_or_key


def client_basic(*, optional: bool) -> dict[str, Any]:
    """`openapi_extra=` for the OAuth endpoints that take client credentials."""
    return {"security": [{CLIENT_BASIC: []}, *([{}] if optional else [])]}


def error_responses(
    model: type[BaseModel], *codes: int, descriptions: Mapping[int, str] | None = None
) -> Responses:
    """`responses=` for a route: each code with the dialect's error model.

    descriptions overrides the default text of some codes. A 429 also documents its
    Retry-After header, which every dialect sends with it.
    """
    texts = {**DESCRIPTIONS, **(descriptions or {})}
    responses: Responses = {}
    for code in codes:
        entry: dict[str, Any] = {"model": model, "description": texts[code]}
        if code == 429:
            entry["headers"] = _RETRY_AFTER
        responses[code] = entry
    return responses


def install(app: FastAPI) -> None:
    """Make app.openapi() the truthful document: no invented 422, OAuth client Basic.

    FastAPI adds a 422 in its own HTTPValidationError shape to every route with
    parameters unless the route declares one. No dialect answers in that shape: each
    renders validation errors itself (400 in most, 422 in form's shape, declared there),
    so those entries are removed rather than left to mislead clients and the fuzzer.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            app.openapi_schema = _truthful(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"


def _truthful(document: dict[str, Any]) -> dict[str, Any]:
    for operation in _operations(document):
        responses = operation.get("responses", {})
        invented = responses.get("422", {}).get("content", {}).get("application/json", {})
        if invented.get("schema", {}).get("$ref") == _FASTAPI_VALIDATION:
            del responses["422"]
    components = document.setdefault("components", {})
    schemas = components.get("schemas", {})
    if _FASTAPI_VALIDATION not in _refs(document):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    components.setdefault("securitySchemes", {})[CLIENT_BASIC] = _CLIENT_BASIC_SCHEME
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in document.get("paths", {}).values() for op in path.values()]


def _refs(node: object) -> set[str]:
    refs: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                refs.add(ref)
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(node)
    return refs
