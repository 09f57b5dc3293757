"""The CLI in the exact forms the issue names, against a real database."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from authgate.cli import app as cli_app
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


def cli(args, env, stdin=None):
    """The real CLI in this process: the subprocess start-up is what makes the others slow."""
    result = CliRunner().invoke(cli_app, args, env=env, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_audit_lists_events_newest_first_with_filters(env):
    for name in ("hank", "ivy"):
        created = cli(
            ["user", "create", name, "--email", f"{name}@example.com", "--password-stdin"],
            env,
            stdin=f"{name}-password-1\n",
        )
        assert created.exit_code == 0, created.output
    assert cli(["user", "disable", "hank"], env).exit_code == 0

    by_login = cli(["audit", "--user", "HANK", "--json"], env)
    assert by_login.exit_code == 0, by_login.output
    rows = [json.loads(line) for line in by_login.stdout.splitlines()]
    assert [r["event"] for r in rows] == ["user_disable", "user_create"]
    assert all(r["user_agent"].startswith("authgate-cli/") for r in rows)
    assert all(r["client_ip"] is None for r in rows)
    assert rows[0]["detail"] == {"fields": ["disabled"]}
    assert "hank-password-1" not in by_login.stdout

    by_id = cli(["audit", "--user", rows[0]["user_id"], "--json"], env)
    assert by_id.stdout == by_login.stdout

    newest = cli(["audit", "--event", "user_create", "--limit", "1"], env)
    (line,) = newest.stdout.splitlines()
    columns = line.split("\t")
    assert len(columns) == 8
    assert columns[0].endswith("Z") and columns[1:3] == ["user_create", "success"]
    assert columns[3] != rows[0]["user_id"]  # ivy's, the newer of the two

    assert len(cli(["audit", "--since", "1h"], env).stdout.splitlines()) == 3
    future = cli(["audit", "--since", "2999-01-01T00:00:00Z"], env)
    assert future.exit_code == 0 and future.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "soonish"], "error: --since: 'soonish' is neither ISO 8601"),
        (["--event", "bogus"], "error: --event: unknown event 'bogus'"),
    ],
)
def test_audit_bad_filters_are_clear_errors(env, args, message):
    result = cli(["audit", *args], env)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
