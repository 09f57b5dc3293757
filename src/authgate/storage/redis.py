"""Throttle counters in Redis, shared by every process that points at the same server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from redis.exceptions import RedisError, WatchError

from authgate.core.errors import BackendUnavailable
from authgate.core.throttle import Change, ThrottleState

if TYPE_CHECKING:
    from redis.asyncio import Redis

_MAX_RETRIES = 50


class RedisThrottleStore:
    def __init__(self, client: Redis, *, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    async def update(self, key: str, change: Change, ttl: int) -> float:
        name = f"{self._prefix}throttle:{key}"
        try:
            return await self._update(name, change, ttl)
        except RedisError as e:
            raise BackendUnavailable("throttle store unavailable") from e

    async def read(self, key: str) -> ThrottleState | None:
        try:
            raw = await self._client.get(f"{self._prefix}throttle:{key}")
        except RedisError as e:
            raise BackendUnavailable("throttle store unavailable") from e
        return ThrottleState(**orjson.loads(raw)) if raw else None

    async def _update(self, name: str, change: Change, ttl: int) -> float:
        # WATCH/MULTI is Redis' compare-and-set: the EXEC fails if another client
        # changed the key after we read it, and we read again.
        async with self._client.pipeline(transaction=True) as pipe:
            for _ in range(_MAX_RETRIES):
                try:
                    await pipe.watch(name)
                    raw = await pipe.get(name)
                    state = ThrottleState(**orjson.loads(raw)) if raw else None
                    new_state, wait = change(state)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    if new_state is None:
                        pipe.delete(name)
                    else:
                        pipe.set(name, orjson.dumps(_as_dict(new_state)), ex=ttl)
                    await pipe.execute()
                except WatchError:
                    continue
                else:
                    return wait
        raise BackendUnavailable("throttle store too contended")

    async def close(self) -> None:
        await self._client.aclose()


def _as_dict(state: ThrottleState) -> dict[str, float]:
    return {
        "count": state.count,
        "strikes": state.strikes,
        "blocked_until": state.blocked_until,
        "last_at": state.last_at,
    }
