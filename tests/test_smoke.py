from tests.factories import bearer, v1_login


async def test_login_then_me(client, users):
    alice = await users()
    tokens = await v1_login(client, alice)
    response = await client.get("/api/v1/auth/me", headers=bearer(tokens["token"]))
    assert response.status_code == 200
    assert response.json()["id"] == alice.id
