"""Hostile bodies at every login endpoint: JSON nested 10,000 deep, 10 MB (declared or
streamed), wrong content types, and form/JSON confusion. Each is a 4xx in the dialect's
shape, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest

from tests.security.harness import LOGIN_WAYS, Refusal, feathers_refusal

ways = pytest.mark.parametrize("way", LOGIN_WAYS, ids=lambda w: w.name)
FORM = "application/x-www-form-urlencoded"
_OAUTH_NOT_FORM = Refusal(
    400,
    {"error": "invalid_request", "error_description": f"the body must be {FORM}"},
    {"Cache-Control": "no-store"},
)
_FEATHERS_NOT_JSON = feathers_refusal(400, "Content-Type must be application/json")


def _json_login(way, made) -> bytes:
    return json.dumps(
        {
            "strategy": "local",
            "email": made.username,
            "username": made.username,
            "password": made.password,
        }
        if way.name == "feathers"
        else {"username": made.username, "password": made.password}
    ).encode()


DEEP = {
    "arrays": b"[" * 10_000 + b"]" * 10_000,
    "objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
}
DEEP_REFUSALS = {
    "feathers": feathers_refusal(400, "Invalid JSON body"),
    "v1": Refusal(400, {"error": "Invalid request: malformed body"}),
    "legacy": Refusal(400, {"message": "Invalid request: malformed body"}),
    "form": Refusal(
        422, {"detail": [{"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error"}]}
    ),
    "oauth": _OAUTH_NOT_FORM,
}


@ways
@pytest.mark.parametrize("shape", list(DEEP))
async def test_json_nested_ten_thousand_deep_is_a_clean_4xx(shape, way, client, db_unchanged):
    async with db_unchanged():
        response = await client.post(
            way.path, content=DEEP[shape], headers={"Content-Type": "application/json"}
        )
    DEEP_REFUSALS[way.name].check(response)


async def _streamed(size: int):
    chunk = b"x" * 65536
    for _ in range(size // len(chunk)):
        yield chunk


@ways
@pytest.mark.parametrize("declared", [True, False], ids=["content_length", "streamed"])
async def test_ten_megabyte_body_is_413(declared, way, client, db_unchanged):
    size = 10 * 1024 * 1024
    content_type = FORM if way.name in ("form", "oauth") else "application/json"
    content = b"x" * size if declared else _streamed(size)
    async with db_unchanged():
        response = await client.post(
            way.path, content=content, headers={"Content-Type": content_type}
        )
    way.too_large.check(response)


def _confusions(way, made) -> dict[str, tuple[str | None, bytes]]:
    as_json = _json_login(way, made)
    as_form = f"username={made.username}&password={made.password}&grant_type=password".encode()
    return {
        "json_as_text_plain": ("text/plain", as_json),
        "xml": ("application/xml", b"<login><username>a</username></login>"),
        "json_without_content_type": (None, as_json),
        "json_labelled_as_form": (FORM, as_json),
        "form_labelled_as_json": ("application/json", as_form),
        "form_to_a_json_only_endpoint": (FORM, as_form),
        "json_to_a_form_only_endpoint": ("application/json", as_json),
    }


def _v1ish(status: int, message: str, key: str) -> Refusal:
    return Refusal(status, {key: message})


def _expected(way, case: str) -> Refusal | None:
    """The refusal, or None where the case is this dialect's normal input."""
    name = way.name
    if name == "feathers":
        if case == "form_labelled_as_json":
            return feathers_refusal(400, "Invalid JSON body")
        if case == "json_to_a_form_only_endpoint":
            return None
        return _FEATHERS_NOT_JSON
    if name in ("v1", "legacy"):
        key = "error" if name == "v1" else "message"
        if case == "form_labelled_as_json":
            return _v1ish(400, "Invalid request: malformed JSON", key)
        if case == "json_to_a_form_only_endpoint":
            return None
        return _v1ish(400, "Invalid request: the body must be a JSON object", key)
    if name == "form":
        unsupported = Refusal(415, {"detail": "Unsupported media type: send a form or JSON"})
        missing = [
            {"type": "missing", "loc": ["body", field], "msg": "Field required"}
            for field in ("username", "password")
        ]
        return {
            "json_as_text_plain": unsupported,
            "xml": unsupported,
            "json_without_content_type": unsupported,
            "json_labelled_as_form": Refusal(422, {"detail": missing}),
            "form_labelled_as_json": Refusal(
                422,
                {
                    "detail": [
                        {"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error"}
                    ]
                },
            ),
        }.get(case)
    malformed = Refusal(
        400,
        {"error": "invalid_request", "error_description": "malformed form body"},
        {"Cache-Control": "no-store"},
    )
    if case == "json_labelled_as_form":
        return malformed
    if case == "form_to_a_json_only_endpoint":
        return None
    return _OAUTH_NOT_FORM


CONFUSION_CASES = [
    "json_as_text_plain",
    "xml",
    "json_without_content_type",
    "json_labelled_as_form",
    "form_labelled_as_json",
    "form_to_a_json_only_endpoint",
    "json_to_a_form_only_endpoint",
]


@pytest.mark.parametrize(
    ("way", "case"),
    [(w, c) for w in LOGIN_WAYS for c in CONFUSION_CASES if _expected(w, c) is not None],
    ids=lambda v: getattr(v, "name", v),
)
async def test_wrong_content_type_and_form_json_confusion_are_refused(
    way, case, client, users, db_unchanged
):
    made = await users()
    content_type, body = _confusions(way, made)[case]
    headers = {"Content-Type": content_type} if content_type else {}
    async with db_unchanged():
        response = await client.post(way.path, content=body, headers=headers)
    expected = _expected(way, case)
    assert expected is not None
    expected.check(response)
