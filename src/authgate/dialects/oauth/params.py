"""Reading the standard endpoints' requests: form parameters and client authentication."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote_plus

from authgate.core.errors import InvalidRequest
from authgate.core.oauth import InvalidClient

if TYPE_CHECKING:
    from starlette.requests import Request

FORM = "application/x-www-form-urlencoded"


# Documents the form body for OpenAPI; the handlers parse it themselves (duplicates refused).
def form_body(*required: str, optional: tuple[str, ...] = ()) -> dict[str, object]:
    properties = {name: {"type": "string"} for name in (*required, *optional)}
    schema = {"type": "object", "properties": properties, "required": list(required)}
    return {"requestBody": {"required": True, "content": {FORM: {"schema": schema}}}}


async def read_form(request: Request) -> dict[str, str]:
    """The form parameters. RFC 6749 §3.2: form-encoded, each parameter at most once.

    Raises:
        InvalidRequest: another content type, bad encoding, or a repeated parameter.
    """
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type != FORM:
        raise InvalidRequest(f"the body must be {FORM}")
    try:
        text = (await request.body()).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidRequest("malformed form body") from e
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise InvalidRequest(f"parameter {name} is repeated")
        params[name] = value
    return params


def require(params: dict[str, str], name: str) -> str:
    """Raises: InvalidRequest: the parameter is missing or empty."""
    value = params.get(name)
    if not value:
        raise InvalidRequest(f"parameter {name} is required")
    return value


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str | None  # None: a public client that only names itself


def client_credentials(request: Request, params: dict[str, str]) -> ClientCredentials | None:
    """The client's id and secret, from HTTP Basic or the form (RFC 6749 §2.3.1).

    Raises:
        InvalidRequest: both methods used at once.
        InvalidClient: an Authorization header that is not well-formed Basic.
    """
    header = request.headers.get("authorization")
    form_secret = params.get("client_secret")
    if header is not None:
        if form_secret is not None:
            raise InvalidRequest("use one client authentication method, not two")
        return _basic(header)
    client_id = params.get("client_id")
    if not client_id:
        return None
    return ClientCredentials(client_id, form_secret or None)


def _basic(header: str) -> ClientCredentials:
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise InvalidClient("client authentication must use HTTP Basic")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as e:
        raise InvalidClient("malformed Basic credentials") from e
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        raise InvalidClient("malformed Basic credentials")
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    return ClientCredentials(unquote_plus(client_id), unquote_plus(secret) or None)
