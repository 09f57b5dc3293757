"""JWT access tokens: issued and checked with an explicit algorithm allow-list.

Verified tokens are cached until they expire, so the signature is checked once per
token per process, not once per request; the session's liveness is checked apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from cachetools import LRUCache

from authgate.core.clock import epoch
from authgate.core.errors import InvalidToken, TokenExpired
from authgate.core.secrets import new_id

TOKEN_TYPE = "access"  # the JWT `typ` header, as Feathers (seed 000) issues it
REQUIRED_CLAIMS = ("iss", "aud", "sub", "sid", "jti", "iat", "exp")


@dataclass(frozen=True, slots=True)
class AccessClaims:
    iss: str
    aud: str
    sub: str
    sid: str
    jti: str
    iat: int
    exp: int


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: AccessClaims


class AccessTokenCodec:
    """Signs and verifies access tokens with one key and one algorithm."""

    def __init__(
        self,
        *,
        secret: str,
        algorithm: str = "HS256",
        audience: str,
        ttl: int,
        leeway: int,
        cache_size: int = 100_000,
    ) -> None:
        self._secret = secret
        self._algorithm = algorithm
        self.audience = audience
        self.ttl = ttl
        self._leeway = leeway
        self._verified: LRUCache[str, AccessClaims] = LRUCache(maxsize=cache_size)

    def issue(self, *, user_id: str, session_id: str, issuer: str) -> IssuedToken:
        now = int(epoch())
        claims = AccessClaims(
            iss=issuer,
            aud=self.audience,
            sub=user_id,
            sid=session_id,
            jti=new_id(),
            iat=now,
            exp=now + self.ttl,
        )
        payload = {name: getattr(claims, name) for name in REQUIRED_CLAIMS}
        token = jwt.encode(
            payload, self._secret, algorithm=self._algorithm, headers={"typ": TOKEN_TYPE}
        )
        self._verified[token] = claims
        return IssuedToken(token=token, claims=claims)

    def decode(self, token: str, *, issuer: str) -> AccessClaims:
        """The claims of a well-signed, current token for this issuer and audience.

        Raises:
            TokenExpired: past `exp` (beyond the leeway).
            InvalidToken: anything else wrong with the token.
        """
        claims = self._verified.get(token)
        if claims is None:
            claims = self._decode_signed(token)
            self._verified[token] = claims
        now = epoch()
        if claims.exp + self._leeway <= now:
            self._verified.pop(token, None)
            raise TokenExpired("jwt expired")
        if claims.iss != issuer:
            raise InvalidToken("jwt issuer invalid")
        return claims

    def _decode_signed(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("typ") != TOKEN_TYPE:
                raise InvalidToken("invalid token type")
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                audience=self.audience,
                leeway=self._leeway,
                options={"require": list(REQUIRED_CLAIMS), "verify_iss": False},
            )
        except jwt.ExpiredSignatureError as e:
            raise TokenExpired("jwt expired") from e
        except jwt.InvalidTokenError as e:
            raise InvalidToken(str(e) or "invalid token") from e
        try:
            claims = AccessClaims(**{name: payload[name] for name in REQUIRED_CLAIMS})
        except TypeError as e:
            raise InvalidToken("invalid claims") from e
        if not all(isinstance(getattr(claims, n), str) for n in ("iss", "aud", "sub", "sid", "jti")):
            raise InvalidToken("invalid claims")
        if not all(type(getattr(claims, n)) is int for n in ("iat", "exp")):
            raise InvalidToken("invalid claims")
        if claims.iat > epoch() + self._leeway:
            raise InvalidToken("jwt issued in the future")
        return claims
