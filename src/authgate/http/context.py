"""What the HTTP layer needs from the composition root, and the dependencies built on it."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from authgate.core.facade import Core
from authgate.core.models import ClientInfo, Principal
from authgate.http.bearer import credential_from
from authgate.http.openapi import credential_schemes

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class HttpContext:
    core: Core
    issuer: str | None
    allow_registration: bool
    check_ready: Callable[[], Awaitable[bool]]
    trusted_proxies: tuple[Network, ...] = field(default_factory=tuple)

    def issuer_for(self, request: Request) -> str:
        # API.md §1: without AUTHGATE_ISSUER, the base URL the request reached (RFC 8414 §3.3).
        return self.issuer or str(request.base_url).rstrip("/")

    def client_for(self, request: Request) -> ClientInfo:
        agent = request.headers.get("user-agent")
        return ClientInfo(ip=self._client_ip(request), user_agent=agent[:512] if agent else None)

    def _client_ip(self, request: Request) -> str | None:
        peer = request.client.host if request.client else None
        if peer is None or not self.trusted_proxies:
            return peer
        # Several X-Forwarded-For fields read as one list, in order (RFC 9110 §5.3).
        hops = [
            hop.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for hop in header.split(",")
            if hop.strip()
        ]
        hops.append(peer)
        # Walk back from our peer; the first address not one of our proxies is the client.
        for hop in reversed(hops):
            try:
                address = ipaddress.ip_address(hop)
            except ValueError:
                return peer
            if not any(address in net for net in self.trusted_proxies):
                return str(address)
        return hops[0]


# Dependencies are `async def` although they never await: FastAPI runs a plain `def`
# dependency in its thread pool, a thread hop per dependency per request.
async def get_http_context(request: Request) -> HttpContext:
    context: HttpContext = request.app.state.http
    return context


HttpDep = Annotated[HttpContext, Depends(get_http_context)]


async def get_core(http: HttpDep) -> Core:
    return http.core


CoreDep = Annotated[Core, Depends(get_core)]


async def get_client(request: Request, http: HttpDep) -> ClientInfo:
    return http.client_for(request)


ClientDep = Annotated[ClientInfo, Depends(get_client)]


async def get_issuer(request: Request, http: HttpDep) -> str:
    return http.issuer_for(request)


IssuerDep = Annotated[str, Depends(get_issuer)]


def principal_dependency(*, allow_bare: bool = False) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates the caller or raises a core NotAuthenticated."""

    declared = Depends(credential_schemes(allow_bare=allow_bare))

    async def current_principal(
        request: Request, core: CoreDep, issuer: IssuerDep, _: None = declared
    ) -> Principal:
        credential = credential_from(
            request, allow_bare=allow_bare, is_api_key=core.keys.is_api_key
        )
        principal = await core.authenticate(credential, issuer=issuer)
        request.state.user_id = principal.user.id
        return principal

    return current_principal


PrincipalDep = Annotated[Principal, Depends(principal_dependency())]
