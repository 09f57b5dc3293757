"""The CI fuzz: schemathesis over /openapi.json against a real `authgate serve`.

    .venv/bin/python -m tests.fuzz [st run options]   (what .ci/fuzz runs; docs/fuzzing.md)

Seeds an admin, starts the server on a fresh database (a temporary SQLite file, or
AUTHGATE_TEST_DATABASE_URL emptied first) and runs `st run` on every operation with
the checks below. Exits with schemathesis' status: non-zero on any 5xx, undocumented
status, wrong content type, or body or header that breaks the documented schema.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from sqlalchemy import text

from authgate.storage.sql import migrate
from authgate.storage.sql.engine import create_engine
from authgate.storage.sql.tables import metadata
from tests.servers import cli_env, run_cli, running_server

ST = str(Path(sys.executable).with_name("st"))
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
# Bounded for a 2-core CI machine: about a minute for every operation together.
MAX_EXAMPLES = os.environ.get("AUTHGATE_FUZZ_MAX_EXAMPLES", "25")
MAX_SECONDS = os.environ.get("AUTHGATE_FUZZ_MAX_SECONDS", "90")
PHASES = "examples,coverage,fuzzing"
ADMIN = "fuzz-admin"
LOGOUT_USER = "fuzz-logout"


def _server_env(database_url: str) -> dict[str, str]:
    extra = {
        # Limits far above what the fuzz sends, so its requests reach the handlers; the
        # 429 is documented on every throttled operation and tested in tests/dialects.
        "AUTHGATE_THROTTLE_ACCOUNT_FAILURES": "1000000",
        "AUTHGATE_THROTTLE_ADDRESS_FAILURES": "1000000",
        "AUTHGATE_ALLOW_REGISTRATION": "true",
        "AUTHGATE_LOG_LEVEL": "warning",
    }
    redis_url = os.environ.get("AUTHGATE_TEST_REDIS_URL")
    if redis_url:
        extra["AUTHGATE_REDIS_URL"] = redis_url
        extra["AUTHGATE_REDIS_PREFIX"] = f"authgate-fuzz:{secrets.token_hex(4)}:"
    return cli_env(database_url, **extra)


async def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as conn:
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


def _login(base: str, username: str, password: str) -> tuple[str, str]:
    """The user's id and an access token."""
    login = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": password}
    )
    login.raise_for_status()
    return login.json()["user"]["id"], login.json()["token"]


def _api_key(base: str, token: str) -> str:
    created = httpx.post(
        f"{base}/api/v1/auth/keys",
        json={"name": "fuzz introspection"},
        headers={"Authorization": f"Bearer {token}"},
    )
    created.raise_for_status()
    key: str = created.json()["apiKey"]
    return key


def _create_users(env: dict[str, str], workdir: Path, password: str) -> bool:
    for username, admin in ((ADMIN, ["--admin"]), (LOGOUT_USER, [])):
        email = f"{username}@example.com"
        args = ["user", "create", username, "--email", email, "--password-stdin", *admin]
        made = run_cli(args, env, workdir, stdin=password)
        if made.returncode != 0:
            sys.stderr.write(made.stdout + made.stderr)
            return False
    return True


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="authgate-fuzz-"))
    database_url = os.environ.get("AUTHGATE_TEST_DATABASE_URL")
    if database_url:
        asyncio.run(_empty_postgres(database_url))
    else:
        database_url = f"sqlite:///{workdir / 'fuzz.db'}"
    env = _server_env(database_url)
    password = secrets.token_urlsafe(24)
    if not _create_users(env, workdir, password):
        return 1
    with running_server(env, workdir) as base:
        admin_id, token = _login(base, ADMIN, password)
        logout_user_id, _ = _login(base, LOGOUT_USER, password)
        fuzz_env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
            "AUTHGATE_FUZZ_BASE_URL": base,
            "AUTHGATE_FUZZ_PASSWORD": password,
            "AUTHGATE_FUZZ_ADMIN": f"{ADMIN}:{admin_id}",
            "AUTHGATE_FUZZ_LOGOUT_USER": f"{LOGOUT_USER}:{logout_user_id}",
            "AUTHGATE_FUZZ_API_KEY": _api_key(base, token),
        }
        command = [
            ST,
            "run",
            f"{base}/openapi.json",
            "--checks",
            ",".join(CHECKS),
            "--phases",
            PHASES,
            "--max-examples",
            MAX_EXAMPLES,
            "--max-time",
            MAX_SECONDS,
            # One worker: with two, CPython 3.11's ast.parse (which Hypothesis calls to
            # describe filters) fails now and then across threads ("AST constructor
            # recursion depth mismatch"), a runtime error in the fuzzer, not the server.
            "--workers",
            "1",
            "--request-timeout",
            "30",
            *(
                ["--seed", os.environ["AUTHGATE_FUZZ_SEED"]]
                if "AUTHGATE_FUZZ_SEED" in os.environ
                else []
            ),
        ]
        finished = subprocess.run(command, env=fuzz_env, check=False)
    return finished.returncode


if __name__ == "__main__":
    sys.exit(main())
