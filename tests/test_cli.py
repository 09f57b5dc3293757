"""The CLI in the exact forms the issue names, against a real database."""

from __future__ import annotations

import httpx
import pytest

from tests.servers import cli_env, run_cli, running_server

API = "/api/v1/auth"


@pytest.fixture
def env(database_url):
    return cli_env(database_url)


def test_user_lifecycle_through_the_cli(env, tmp_path):
    assert run_cli(["migrate"], env, tmp_path).returncode == 0
    created = run_cli(
        [
            "user",
            "create",
            "erin",
            "--email",
            "erin@example.com",
            "--password-stdin",
            "--admin",
            "--first-name",
            "Erin",
            "--last-name",
            "Doe",
            "--name",
            "Erin D.",
        ],
        env,
        tmp_path,
        stdin="first-password-1\n",
    )
    assert created.returncode == 0, created.stderr
    assert "first-password-1" not in created.stdout + created.stderr
    listed = run_cli(["user", "list"], env, tmp_path)
    assert "erin\terin@example.com\tadmin" in listed.stdout

    with running_server(env, tmp_path) as base:
        login = httpx.post(
            f"{base}{API}/login", json={"username": "erin", "password": "first-password-1"}
        )
        assert login.status_code == 200
        token = login.json()["token"]

        assert (
            run_cli(
                ["user", "set-password", "erin", "--password", "second-password-2"], env, tmp_path
            ).returncode
            == 0
        )
        # set-password ends sessions: another process's cache learns it from the log.
        _eventually_401(base, token)
        assert (
            httpx.post(
                f"{base}{API}/login", json={"username": "erin", "password": "second-password-2"}
            ).status_code
            == 200
        )

        assert run_cli(["user", "expire-password", "erin"], env, tmp_path).returncode == 0
        expired = httpx.post(
            f"{base}{API}/login", json={"username": "erin", "password": "second-password-2"}
        )
        assert expired.status_code == 403
        assert expired.json() == {"error": "Password expired"}

        assert run_cli(["user", "disable", "ERIN"], env, tmp_path).returncode == 0
        assert "disabled" in run_cli(["user", "list"], env, tmp_path).stdout


def _eventually_401(base, token):
    import time

    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if (
            httpx.get(f"{base}{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code
            == 401
        ):
            return
        time.sleep(0.05)
    raise AssertionError("token still accepted after set-password")


def test_duplicate_user_is_a_clear_error(env, tmp_path):
    args = [
        "user",
        "create",
        "frank",
        "--email",
        "frank@example.com",
        "--password",
        "frank-password-1",
    ]
    assert run_cli(args, env, tmp_path).returncode == 0
    again = run_cli(
        [
            "user",
            "create",
            "FRANK",
            "--email",
            "other@example.com",
            "--password",
            "frank-password-1",
        ],
        env,
        tmp_path,
    )
    assert again.returncode == 1
    assert again.stderr.strip() == "error: Username already taken"
    assert "Traceback" not in again.stderr


def test_unknown_user_is_a_clear_error(env, tmp_path):
    result = run_cli(["user", "disable", "nobody"], env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: User not found"


def test_weak_password_is_refused(env, tmp_path):
    result = run_cli(
        ["user", "create", "gina", "--email", "gina@example.com", "--password", "short"],
        env,
        tmp_path,
    )
    assert result.returncode == 1
    assert "at least 8" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AUTHGATE_ACCESS_TOKEN_TTL", "soon"),
        ("AUTHGATE_DATABASE_URL", "mysql://x"),
        ("AUTHGATE_ALLOW_REGISTRATION", "perhaps"),
        ("AUTHGATE_API_KEY_PREFIX", "has space"),
        ("AUTHGATE_SECRET_KEY", "too-short"),
    ],
)
def test_bad_setting_stops_start_with_one_line_naming_it(env, tmp_path, variable, value):
    result = run_cli(["serve", "--port", "1"], {**env, variable: value}, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"invalid {variable}:")


def test_dotenv_file_is_read(env, tmp_path):
    (tmp_path / ".env").write_text("AUTHGATE_ACCESS_TOKEN_TTL=never\n")
    result = run_cli(["migrate"], env, tmp_path)
    assert result.returncode == 2
    assert "AUTHGATE_ACCESS_TOKEN_TTL" in result.stderr
