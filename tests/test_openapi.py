"""/openapi.json tells the truth the fuzz (tests/fuzz) holds every answer to.

These are the document's rules; .ci/fuzz checks the server against it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import v1_login

# A property only the error model of the dialect owning the path prefix has.
ERROR_SHAPES = {
    "/api/v1/": "error",
    "/user/": "message",
    "/authheader/": "message",
    "/auth/": "detail",
    "/authentication": "className",
    "/users": "className",
    "/oauth/": "error_description",
}


@pytest.fixture
async def document(client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


async def test_no_operation_documents_fastapis_validation_shape_nobody_sends(document):
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, method, operation in operations(document):
        if "422" in operation["responses"]:
            assert path.startswith("/auth/"), (method, path)  # only form answers 422


async def test_every_error_is_documented_in_its_dialects_shape(document):
    for path, method, operation in operations(document):
        prop = next((s for p, s in ERROR_SHAPES.items() if path.startswith(p)), None)
        errors = {k: v for k, v in operation["responses"].items() if k[0] in "45"}
        if prop is None:
            continue
        assert errors, (method, path)
        for status, response in errors.items():
            schema = resolve(document, response["content"]["application/json"]["schema"])
            assert prop in schema["properties"], (method, path, status)


async def test_credentials_are_declared_and_their_refusal_documented(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT access token or API key",
    }
    assert schemes["apiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["clientBasic"]["scheme"] == "basic"
    secured = [(p, m, o) for p, m, o in operations(document) if o.get("security")]
    assert {p for p, _, _ in secured} >= {"/api/v1/auth/me", "/users", "/authheader/list"}
    for path, method, operation in secured:
        assert "401" in operation["responses"], (method, path)
        for requirement in operation["security"]:
            assert set(requirement) <= set(schemes), (method, path)


async def test_every_429_documents_retry_after(document):
    throttled = [o for _, _, o in operations(document) if "429" in o["responses"]]
    assert len(throttled) >= 10
    for operation in throttled:
        assert operation["responses"]["429"]["headers"]["Retry-After"]["required"] is True


async def test_bodies_and_answers_have_their_real_media_types(document):
    paths = document["paths"]
    form = "application/x-www-form-urlencoded"
    for path in ("/oauth/token", "/oauth/revoke", "/oauth/introspect"):
        assert list(paths[path]["post"]["requestBody"]["content"]) == [form]
    assert form in paths["/auth/login"]["post"]["requestBody"]["content"]
    assert list(paths["/metrics"]["get"]["responses"]["200"]["content"]) == ["text/plain"]
    assert "content" not in paths["/api/v1/auth/keys/{key_id}"]["delete"]["responses"]["204"]
    created = paths["/authentication"]["post"]["responses"]["201"]["content"]
    assert resolve(document, created["application/json"]["schema"])["required"] == [
        "accessToken",
        "authentication",
        "user",
    ]


async def test_a_documented_error_is_what_the_route_answers(client, document, users):
    # One real answer per dialect against its declared error model.
    made = await users()
    token = (await v1_login(client, made))["token"]
    probes = [
        ("get", "/api/v1/auth/me", {}),
        ("get", "/authheader/list", {}),
        ("get", "/users", {}),
        ("get", "/auth/me", {}),
        ("post", "/oauth/token", {"data": {"grant_type": "nope"}}),
        ("delete", "/api/v1/auth/keys/none", {"headers": {"Authorization": f"Bearer {token}"}}),
    ]
    for method, path, options in probes:
        response = await client.request(method.upper(), path, **options)
        template = path if path in document["paths"] else "/api/v1/auth/keys/{key_id}"
        documented = document["paths"][template][method]["responses"]
        assert str(response.status_code) in documented, (method, path, response.status_code)
        schema = resolve(
            document, documented[str(response.status_code)]["content"]["application/json"]["schema"]
        )
        assert set(schema["required"]) <= set(response.json()), (method, path)
