"""Parallel logins of one account: a success that clears the throttle counter while
another login waits for its lock must not turn that login into a 500 (PostgreSQL).
"""

from __future__ import annotations

import asyncio

API = "/api/v1/auth"


async def test_parallel_right_passwords_all_log_in(client, users):
    alice = await users()
    for _ in range(3):
        logins = [
            client.post(
                f"{API}/login", json={"username": alice.username, "password": alice.password}
            )
            for _ in range(4)
        ]
        statuses = [r.status_code for r in await asyncio.gather(*logins)]
        assert statuses == [200] * 4
