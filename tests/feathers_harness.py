"""Real processes for the Feathers tests: authgate, a reference Feathers 5 server, the client.

Node packages install from tests/feathers/package-lock.json (`npm ci`) on first use. When
they cannot be installed the tests skip, except under CI or AUTHGATE_TEST_REQUIRE_SERVICES=1,
where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

NODE_DIR = Path(__file__).parent / "feathers"
AUTHGATE = str(Path(sys.executable).with_name("authgate"))
SECRET = "feathers-differential-secret-" + "z" * 40
STARTUP_SECONDS = 30
REQUIRED = bool(os.environ.get("CI") or os.environ.get("AUTHGATE_TEST_REQUIRE_SERVICES") == "1")


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def ensure_node_modules() -> str:
    """The node binary, with tests/feathers/node_modules installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("node and npm are needed for the Feathers tests")
    assert node is not None and npm is not None
    if not (NODE_DIR / "node_modules" / "@feathersjs" / "authentication-client").is_dir():
        try:
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=NODE_DIR,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        except subprocess.TimeoutExpired:
            unavailable("npm ci in tests/feathers timed out")
        if result.returncode != 0:
            unavailable(f"npm ci in tests/feathers failed:\n{result.stderr[-2000:]}")
    return node


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def authgate_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHGATE_")}
    env.update(
        AUTHGATE_DATABASE_URL=database_url,
        AUTHGATE_SECRET_KEY=SECRET,
        AUTHGATE_ARGON2_MEMORY_KIB="8192",
        AUTHGATE_ARGON2_TIME_COST="1",
        AUTHGATE_LOG_LEVEL="warning",
        **extra,
    )
    redis_url = os.environ.get("AUTHGATE_TEST_REDIS_URL")
    if redis_url:
        env.update(AUTHGATE_REDIS_URL=redis_url, AUTHGATE_REDIS_PREFIX=f"feathers-{free_port()}:")
    return env


def create_user(
    env: dict[str, str], cwd: Path, username: str, email: str, password: str, *, admin: bool
) -> None:
    args = [AUTHGATE, "user", "create", username, "--email", email, "--password-stdin"]
    if admin:
        args.append("--admin")
    result = subprocess.run(
        args,
        env=env,
        cwd=cwd,
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@contextmanager
def running(
    args: list[str], env: dict[str, str], cwd: Path, base: str, log_name: str
) -> Iterator[str]:
    log_path = cwd / log_name
    with log_path.open("w") as log:
        process = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_ready(base, process, log_path)
            yield base
        finally:
            _stop(process)


def _wait_ready(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            httpx.get(base + "/__ready_probe", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        return
    raise RuntimeError(f"server not ready in {STARTUP_SECONDS}s:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def authgate_server(env: dict[str, str], cwd: Path) -> Iterator[str]:
    port = free_port()
    args = [AUTHGATE, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with running(args, env, cwd, f"http://127.0.0.1:{port}", f"authgate-{port}.log") as base:
        yield base


@contextmanager
def feathers_server(node: str, cwd: Path, *, audience: str, issuer: str) -> Iterator[str]:
    port = free_port()
    args = [node, str(NODE_DIR / "reference-server.js"), str(port), SECRET, audience, issuer]
    with running(
        args, dict(os.environ), cwd, f"http://127.0.0.1:{port}", f"feathers-{port}.log"
    ) as base:
        yield base


def run_client(node: str, base: str, email: str, password: str) -> dict[str, Any]:
    result = subprocess.run(
        [node, str(NODE_DIR / "client.js"), base, email, password],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip(), result.stderr
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.returncode == 0, report
    return report
