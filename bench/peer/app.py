"""The peer: fastapi-users as its documentation sets it up (SQLite, JWT bearer strategy,
its default password hasher), answering /users/me and /auth/jwt/login.

Run by the harness in its own virtualenv (bench/.peer-venv):
    python bench/peer/app.py seed DB_FILE N PASSWORD   # N users bench1..benchN, one hash
    uvicorn app:app --app-dir bench/peer                # PEER_DATABASE_FILE=DB_FILE
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, BearerTransport, JWTStrategy
from fastapi_users.db import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from fastapi_users.password import PasswordHelper
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

DATABASE_URL = "sqlite+aiosqlite:///" + os.environ.get("PEER_DATABASE_FILE", "peer.db")
SECRET = "bench-peer-secret-" + "x" * 32


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserUpdate(schemas.BaseUserUpdate):
    pass


engine = create_async_engine(DATABASE_URL)
async_session_maker = async_sessionmaker(engine, expire_on_commit=False)


async def get_async_session() -> AsyncGenerator[AsyncSession, None]:
    async with async_session_maker() as session:
        yield session


async def get_user_db(
    session: AsyncSession = Depends(get_async_session),
) -> AsyncGenerator[SQLAlchemyUserDatabase[User, uuid.UUID], None]:
    yield SQLAlchemyUserDatabase(session, User)


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def get_user_manager(
    user_db: SQLAlchemyUserDatabase[User, uuid.UUID] = Depends(get_user_db),
) -> AsyncGenerator[UserManager, None]:
    yield UserManager(user_db)


bearer_transport = BearerTransport(tokenUrl="auth/jwt/login")


def get_jwt_strategy() -> JWTStrategy[User, uuid.UUID]:
    return JWTStrategy(secret=SECRET, lifetime_seconds=3600)


auth_backend = AuthenticationBackend(
    name="jwt", transport=bearer_transport, get_strategy=get_jwt_strategy
)
fastapi_users = FastAPIUsers[User, uuid.UUID](get_user_manager, [auth_backend])

app = FastAPI()
app.include_router(fastapi_users.get_auth_router(auth_backend), prefix="/auth/jwt")
app.include_router(fastapi_users.get_users_router(UserRead, UserUpdate), prefix="/users")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def seed(count: int, password: str) -> None:
    """count users in bulk with one hash from fastapi-users' own default hasher."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    hashed = PasswordHelper().hash(password)
    chunk = 10_000
    async with engine.begin() as conn:
        for start in range(1, count + 1, chunk):
            rows = [
                {
                    "id": uuid.uuid4(),
                    "email": f"bench{i}@example.com",
                    "hashed_password": hashed,
                    "is_active": True,
                    "is_superuser": False,
                    "is_verified": True,
                }
                for i in range(start, min(start + chunk, count + 1))
            ]
            await conn.execute(insert(User), rows)
    await engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "seed":
        sys.exit("usage: app.py seed DB_FILE COUNT PASSWORD")
    os.environ["PEER_DATABASE_FILE"] = sys.argv[2]
    DATABASE_URL = "sqlite+aiosqlite:///" + sys.argv[2]
    engine = create_async_engine(DATABASE_URL)
    asyncio.run(seed(int(sys.argv[3]), sys.argv[4]))
