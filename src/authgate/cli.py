"""The `authgate` command: serve, migrate, user administration and the audit log."""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, TypeVar

import orjson
import typer
from pydantic import ValidationError

import authgate
from authgate.config import Settings, describe_validation_error
from authgate.container import Services, build_services
from authgate.core.accounts import NewUser
from authgate.core.audit import AuditCursor, AuditEvent, AuditEventName, AuditQuery, enter_scope
from authgate.core.clock import utcnow
from authgate.core.errors import AuthError
from authgate.core.models import ClientInfo, User, UserChanges
from authgate.logs import configure_logging
from authgate.storage.sql import migrate as migrations
from authgate.storage.sql.engine import create_engine

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from authgate.core.signing import SigningKeyManager

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, add_completion=False, help="authgate authentication server")
user_app = typer.Typer(no_args_is_help=True, help="Manage users")
app.add_typer(user_app, name="user")
keys_app = typer.Typer(no_args_is_help=True, help="Manage JWT signing keys")
app.add_typer(keys_app, name="keys")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        typer.echo(describe_validation_error(e), err=True)
        raise typer.Exit(2) from e


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _with_services(action: Callable[[Services], Awaitable[T]]) -> T:
    settings = _settings()

    async def run() -> T:
        # Audit rows of CLI actions name the CLI as their client.
        enter_scope(ClientInfo(user_agent=f"authgate-cli/{authgate.__version__}"))
        services = await build_services(settings)
        try:
            return await action(services)
        finally:
            await services.aclose()

    try:
        return asyncio.run(run())
    except AuthError as e:
        raise _fail(e.detail) from e


def _read_password(password: str | None, from_stdin: bool) -> str:
    if password is not None and from_stdin:
        raise _fail("give --password or --password-stdin, not both")
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if password is not None:
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _describe(user: User) -> str:
    flags = [f for f, on in (("admin", user.is_admin), ("disabled", user.disabled)) if on]
    expires = user.password_expires_at.isoformat() if user.password_expires_at else "-"
    return f"{user.id}\t{user.username}\t{user.email}\t{','.join(flags) or '-'}\t{expires}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Migrate the schema, then serve HTTP with uvicorn."""
    import uvicorn

    settings = _settings()
    configure_logging(settings.log_level)
    asyncio.run(_migrate(settings))
    uvicorn.run(
        "authgate.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=None,
        proxy_headers=False,
        server_header=False,
    )


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    asyncio.run(_migrate(_settings()))
    typer.echo("schema is up to date")


@user_app.command("create")
def user_create(
    username: str,
    email: Annotated[str, typer.Option(help="Email address")],
    password: Annotated[str | None, typer.Option(help="Password (prefer --password-stdin)")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
    admin: Annotated[bool, typer.Option("--admin", help="Make an administrator")] = False,
    first_name: Annotated[str | None, typer.Option(help="First name")] = None,
    last_name: Annotated[str | None, typer.Option(help="Last name")] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a user."""
    secret = _read_password(password, password_stdin)
    new = NewUser(
        username=username,
        email=email,
        password=secret,
        name=name,
        first_name=first_name,
        last_name=last_name,
        is_admin=admin,
    )
    user = _with_services(lambda s: s.core.accounts.create_user(new))
    typer.echo(f"created {user.username} ({user.id})")


@user_app.command("list")
def user_list() -> None:
    """List users: id, username, email, flags, password expiry."""

    async def collect(services: Services) -> list[User]:
        users: list[User] = []
        while batch := await services.core.accounts.list_users(offset=len(users), limit=500):
            users.extend(batch)
        return users

    for user in _with_services(collect):
        typer.echo(_describe(user))


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user and end all their sessions."""

    async def disable(services: Services) -> User:
        user = await services.core.accounts.get_user_by_login(username)
        return await services.core.accounts.update_user(user.id, UserChanges(disabled=True))

    user = _with_services(disable)
    typer.echo(f"disabled {user.username}")


@user_app.command("set-password")
def user_set_password(
    username: str,
    password: Annotated[str | None, typer.Option(help="Password (prefer --password-stdin)")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
) -> None:
    """Set a user's password and end all their sessions."""
    secret = _read_password(password, password_stdin)

    async def set_password(services: Services) -> User:
        user = await services.core.accounts.get_user_by_login(username)
        return await services.core.accounts.set_password(user.id, secret)

    user = _with_services(set_password)
    typer.echo(f"password set for {user.username}")


@user_app.command("expire-password")
def user_expire_password(username: str) -> None:
    """Expire a user's password now: password logins answer 403 until it is changed."""

    async def expire(services: Services) -> User:
        user = await services.core.accounts.get_user_by_login(username)
        return await services.core.accounts.expire_password(user.id)

    user = _with_services(expire)
    typer.echo(f"password expired for {user.username}")


def _signing(services: Services) -> SigningKeyManager:
    if services.signing is None:
        raise _fail(
            "HS256 signs with AUTHGATE_SECRET_KEY (or the generated secret): change that to "
            "rotate, or set AUTHGATE_JWT_ALGORITHM to RS256, ES256 or EdDSA"
        )
    return services.signing


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Add a new signing key; the current one keeps verifying until its tokens expire."""
    key = _with_services(lambda s: _signing(s).rotate())
    typer.echo(f"added {key.kid} ({key.algorithm}), signing from {key.activates_at.isoformat()}")


@keys_app.command("list")
def keys_list() -> None:
    """List signing keys: kid, algorithm, status (next/active/retired/expired), dates."""

    async def collect(services: Services) -> list[str]:
        signing = _signing(services)
        now = utcnow()
        return [
            f"{k.kid}\t{k.algorithm}\t{signing.status(k, now)}\t{k.created_at.isoformat()}"
            f"\t{k.retired_at.isoformat() if k.retired_at else '-'}"
            for k in await signing.list()
        ]

    for line in _with_services(collect):
        typer.echo(line)


_AGE = re.compile(r"(\d{1,6})([smhdw])")
_AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _parse_since(text: str) -> datetime:
    """An ISO 8601 time (UTC without an offset) or an age like 30m, 1h, 7d, 2w."""
    age = _AGE.fullmatch(text.strip())
    if age is not None:
        return utcnow() - timedelta(**{_AGE_UNITS[age[2]]: int(age[1])})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"--since: {text!r} is neither ISO 8601 nor an age like 1h or 7d") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _audit_line(event: AuditEvent) -> str:
    detail = orjson.dumps(dict(event.detail)).decode() if event.detail else "-"
    columns = (
        event.occurred_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        event.event,
        event.outcome,
        event.user_id,
        event.session_id,
        event.client_ip,
        event.user_agent,
        detail,
    )
    return "\t".join(c or "-" for c in columns)


def _audit_json(event: AuditEvent) -> str:
    return orjson.dumps(
        {
            "id": event.id,
            "occurred_at": event.occurred_at,
            "event": event.event,
            "outcome": event.outcome,
            "user_id": event.user_id,
            "session_id": event.session_id,
            "client_ip": event.client_ip,
            "user_agent": event.user_agent,
            "detail": dict(event.detail),
        }
    ).decode()


@app.command()
def audit(
    user: Annotated[str | None, typer.Option(help="User id, username or email")] = None,
    since: Annotated[
        str | None, typer.Option(help="ISO 8601 time, or an age: 30m, 1h, 7d, 2w")
    ] = None,
    event: Annotated[
        str | None, typer.Option(help="Event name, e.g. login (docs/audit.md)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="At most this many rows")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Print audit events, newest first: time, event, outcome, user, session, address,
    user agent, detail."""
    if event is not None and event not in set(AuditEventName):
        raise _fail(f"--event: unknown event {event!r}; one of {', '.join(AuditEventName)}")
    after = _parse_since(since) if since is not None else None

    async def collect(services: Services) -> list[AuditEvent]:
        user_id = user
        if user is not None:
            # A login names a current user; anything else may be the id of a deleted one.
            found = await services.core.accounts.find_user(user)
            user_id = found.id if found is not None else user
        rows: list[AuditEvent] = []
        cursor: AuditCursor | None = None
        while len(rows) < limit:
            page = await services.core.audit.search_as_operator(
                AuditQuery(
                    user_id=user_id,
                    event=event,
                    since=after,
                    limit=min(500, limit - len(rows)),
                    after=cursor,
                )
            )
            rows.extend(page.events)
            if page.next is None:
                break
            cursor = page.next
        return rows

    for row in _with_services(collect):
        typer.echo(_audit_json(row) if as_json else _audit_line(row))


def main() -> None:
    app()
