"""Reading a body sent as a form (as seed 003's curl -d does) or as JSON, into one model.

FastAPI binds a parameter to one media type, so the handler reads the body itself and
raises the RequestValidationError FastAPI would have raised, `loc` starting at "body".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

M = TypeVar("M", bound=BaseModel)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_FIELDS = 50


def form_or_json(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """A dependency that validates the form or JSON body against model."""

    async def parse(request: Request) -> M:
        fields = await _read_fields(request)
        try:
            return model.model_validate(fields)
        except ValidationError as error:
            problems = [
                {**problem, "loc": ("body", *problem["loc"])}
                for problem in error.errors(include_url=False)
            ]
            raise RequestValidationError(problems) from error

    return parse


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """The requestBody for OpenAPI: both media types, one schema."""
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "content": {media: {"schema": schema} for media in (FORM_TYPES[0], "application/json")},
        }
    }


async def _read_fields(request: Request) -> object:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        raw = await request.body()
        try:
            return json.loads(raw)
        # JSONDecodeError and UnicodeDecodeError; RecursionError for deeply nested input,
        # which the json module refuses that way rather than with a ValueError.
        except (ValueError, RecursionError) as error:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error"}]
            ) from error
    if media in FORM_TYPES:
        # No files: nothing here takes one, and refusing them keeps uploads off disk.
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
        return dict(form.multi_items())
    if not await request.body():
        return {}
    raise HTTPException(415, "Unsupported media type: send a form or JSON")
