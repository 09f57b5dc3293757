"""Error rendering shared by the dialects: a table per dialect, looked up along the MRO."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from authgate.core.errors import AuthError, Overloaded, Throttled


class BodyTooLarge(Exception):
    """The request body passed the configured limit (raised while it is read)."""


class MalformedBody(Exception):
    """The body could not be parsed at all (bad JSON, wrong encoding)."""


ErrorTable = Mapping[type[AuthError], tuple[int, str | None]]


def lookup(table: ErrorTable, error: AuthError) -> tuple[int, str]:
    """Status and message for error: the nearest class in the table wins, as starlette does."""
    for cls in type(error).__mro__:
        if cls in table:
            status, message = table[cls]
            return status, message if message is not None else error.detail
    return 500, "Internal server error"


def retry_headers(error: Exception) -> dict[str, str]:
    if isinstance(error, Throttled | Overloaded):
        return {"Retry-After": str(error.retry_after)}
    return {}


def http_status_of(error: HTTPException) -> tuple[int, str]:
    return error.status_code, str(error.detail)


def describe_validation(error: RequestValidationError) -> tuple[str, dict[str, str]]:
    """One readable sentence and a field -> problem map from pydantic's error list."""
    fields: dict[str, str] = {}
    for problem in error.errors():
        location = [str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path")]
        if problem.get("type") in ("json_invalid", "model_attributes_type", "dict_type"):
            location = []
        name = ".".join(location) or "body"
        fields.setdefault(name, _problem_text(problem))
    if not fields:
        return "Invalid request", fields
    first, text = next(iter(fields.items()))
    if first == "body":
        return f"Invalid request: {text}", fields
    return f"Invalid request: {first}: {text}", fields


def _problem_text(problem: Mapping[str, Any]) -> str:
    kind = problem.get("type", "")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "json_invalid":
        return "malformed JSON"
    if kind in ("model_attributes_type", "dict_type"):
        return "the body must be a JSON object"
    return str(problem.get("msg", "invalid value"))


def flat_error(table: ErrorTable, error: Exception) -> tuple[int, str, dict[str, str]]:
    """Status, one message and headers, for dialects whose errors are a single string.

    Validation problems are 400 there (the seeds document no 422).
    """
    headers = retry_headers(error)
    if isinstance(error, AuthError):
        status, message = lookup(table, error)
    elif isinstance(error, RequestValidationError):
        status, message = 400, describe_validation(error)[0]
    elif isinstance(error, BodyTooLarge):
        status, message = 413, "Request body too large"
    elif isinstance(error, MalformedBody):
        status, message = 400, "Invalid request: malformed body"
    elif isinstance(error, HTTPException):
        status, message = error.status_code, str(error.detail)
    else:
        status, message = 500, "Internal server error"
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return status, message, headers
