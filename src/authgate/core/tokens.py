"""JWT access tokens: issued and checked with our own key set and an explicit algorithm.

Verification picks the key by the header's `kid` from the key set this process holds,
never from the token (`jku`, `x5u`, `jwk` and `x5c` headers are refused outright), and
checks the token with the one algorithm that key was made for, so an HS256 token
"signed" with one of our public keys (algorithm confusion) cannot verify.

Verified tokens are cached until they expire, so the signature is checked once per
token per process, not once per request; the session's liveness is checked apart.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt
from cachetools import LRUCache
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from authgate.core.clock import epoch
from authgate.core.errors import InvalidToken, TokenExpired
from authgate.core.secrets import new_id

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# The JWT `typ` header, as Feathers (seed 000) issues it; not a secret.
TOKEN_TYPE = "access"  # noqa: S105  # nosec B105
REQUIRED_CLAIMS = ("iss", "aud", "sub", "sid", "jti", "iat", "exp")
OPTIONAL_CLAIMS = ("client_id", "scope")  # RFC 9068 §2.2: set on client_credentials tokens
HMAC_ALGORITHM = "HS256"
ASYMMETRIC_ALGORITHMS = ("RS256", "ES256", "EdDSA")
# Headers that would let the token choose its own verification key (RFC 8725 §3.10).
_FOREIGN_KEY_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256"})


def hkdf(secret: bytes, info: str, length: int = 32) -> bytes:
    """A key for one purpose derived from a master secret, never equal to it (RFC 5869)."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode()).derive(
        secret
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class AccessClaims:
    iss: str
    aud: str
    sub: str
    sid: str
    jti: str
    iat: int
    exp: int
    client_id: str | None = None
    scope: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: AccessClaims


@dataclass(frozen=True, slots=True)
class JwtKey:
    """One key of the set: what signs (private or HMAC secret) and what verifies.

    `signs_from` is the epoch second from which the key signs; a key published before
    it signs lets every node and resource server learn it before meeting its tokens.
    """

    kid: str
    algorithm: str
    verifier: Any = field(repr=False)
    signer: Any = field(default=None, repr=False)
    public_jwk: Mapping[str, Any] | None = None
    signs_from: float = 0.0


class KeySet:
    """The keys this process signs and verifies with. Immutable; swapped whole on reload."""

    def __init__(self, keys: Sequence[JwtKey], *, cache_seconds: int = 300) -> None:
        # How long a copy of the JWKS may be cached and still list every key that signs.
        self.cache_seconds = cache_seconds
        self._by_kid = {key.kid: key for key in keys}
        # Newest first: the newest key already allowed to sign is the one that signs.
        self._signers = sorted(
            (k for k in keys if k.signer is not None), key=lambda k: k.signs_from, reverse=True
        )
        if not self._signers:
            raise ValueError("a key set needs a key that can sign")

    @classmethod
    def hmac(cls, secret: str) -> KeySet:
        """The HS256 set: the secret itself signs (API.md §1); its kid is derived, not it."""
        raw = secret.encode()
        kid = "hs-" + b64url(hkdf(raw, "authgate/hs256-kid/v1", 12))
        return cls([JwtKey(kid=kid, algorithm=HMAC_ALGORITHM, verifier=raw, signer=raw)])

    def signing_key(self, now: float) -> JwtKey:
        for key in self._signers:
            if key.signs_from <= now:
                return key
        return self._signers[-1]

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._by_kid)

    def find(self, kid: str) -> JwtKey | None:
        return self._by_kid.get(kid)

    @property
    def algorithms(self) -> list[str]:
        return sorted({key.algorithm for key in self._by_kid.values()})

    @property
    def only_hmac(self) -> JwtKey | None:
        """The HMAC key when it is the whole set (tokens from before kids verify with it)."""
        keys = list(self._by_kid.values())
        if len(keys) == 1 and keys[0].algorithm == HMAC_ALGORITHM:
            return keys[0]
        return None

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """RFC 7517 JWK Set of the public keys. An HMAC secret is never in it."""
        return {"keys": [dict(k.public_jwk) for k in self._by_kid.values() if k.public_jwk]}


class AccessTokenCodec:
    """Signs and verifies access tokens with a key set (HS256 from `secret` by default)."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        keys: KeySet | None = None,
        audience: str,
        ttl: int,
        leeway: int,
        cache_size: int = 100_000,
    ) -> None:
        if keys is None:
            if secret is None:
                raise ValueError("give a secret or a key set")
            keys = KeySet.hmac(secret)
        self._keys = keys
        self.audience = audience
        self.ttl = ttl
        self._leeway = leeway
        self._verified: LRUCache[str, AccessClaims] = LRUCache(maxsize=cache_size)

    @property
    def keys(self) -> KeySet:
        return self._keys

    def use_keys(self, keys: KeySet) -> None:
        """Swap in a reloaded key set. Cached tokens of a key that left are dropped."""
        gone = self._keys.kids - keys.kids
        self._keys = keys
        if gone:
            self._verified.clear()

    def issue(
        self,
        *,
        user_id: str,
        session_id: str,
        issuer: str,
        client_id: str | None = None,
        scope: str | None = None,
        ttl: int | None = None,
    ) -> IssuedToken:
        now = int(epoch())
        claims = AccessClaims(
            iss=issuer,
            aud=self.audience,
            sub=user_id,
            sid=session_id,
            jti=new_id(),
            iat=now,
            exp=now + (ttl or self.ttl),
            client_id=client_id,
            scope=scope,
        )
        payload: dict[str, Any] = {name: getattr(claims, name) for name in REQUIRED_CLAIMS}
        payload.update(
            {n: getattr(claims, n) for n in OPTIONAL_CLAIMS if getattr(claims, n) is not None}
        )
        key = self._keys.signing_key(now)
        token = jwt.encode(
            payload,
            key.signer,
            algorithm=key.algorithm,
            headers={"typ": TOKEN_TYPE, "kid": key.kid},
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

    def _key_for(self, header: Mapping[str, Any]) -> JwtKey:
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidToken("invalid token type")
        if _FOREIGN_KEY_HEADERS & header.keys() or "crit" in header:
            raise InvalidToken("token names its own key")
        kid = header.get("kid")
        if kid is None:
            key = self._keys.only_hmac  # tokens issued before kids existed
        else:
            key = self._keys.find(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("unknown signing key")
        if header.get("alg") != key.algorithm:
            raise InvalidToken("algorithm does not match the key")
        return key

    def _decode_signed(self, token: str) -> AccessClaims:
        try:
            key = self._key_for(jwt.get_unverified_header(token))
            payload = jwt.decode(
                token,
                key.verifier,
                algorithms=[key.algorithm],
                audience=self.audience,
                leeway=self._leeway,
                options={"require": list(REQUIRED_CLAIMS), "verify_iss": False},
            )
        except jwt.ExpiredSignatureError as e:
            raise TokenExpired("jwt expired") from e
        except jwt.InvalidTokenError as e:
            raise InvalidToken(str(e) or "invalid token") from e
        return self._claims(payload)

    def _claims(self, payload: Mapping[str, Any]) -> AccessClaims:
        values: dict[str, Any] = {name: payload[name] for name in REQUIRED_CLAIMS}
        values.update({name: payload.get(name) for name in OPTIONAL_CLAIMS})
        try:
            claims = AccessClaims(**values)
        except TypeError as e:
            raise InvalidToken("invalid claims") from e
        if not all(
            isinstance(getattr(claims, n), str) for n in ("iss", "aud", "sub", "sid", "jti")
        ):
            raise InvalidToken("invalid claims")
        if not all(type(getattr(claims, n)) is int for n in ("iat", "exp")):
            raise InvalidToken("invalid claims")
        if not all(isinstance(getattr(claims, n), str | None) for n in OPTIONAL_CLAIMS):
            raise InvalidToken("invalid claims")
        if claims.iat > epoch() + self._leeway:
            raise InvalidToken("jwt issued in the future")
        return claims
