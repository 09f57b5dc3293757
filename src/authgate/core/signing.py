"""Asymmetric signing keys: generated, encrypted at rest, published, rotated.

A key's life: created by the first process to start (or by `authgate keys rotate`), it
is published in the JWKS at once but signs only from `activates_at`, a moment later, so
that every node has reloaded it before meeting its tokens. The next rotation retires
it; it keeps verifying, and stays in the JWKS, until its last token has expired.

Two processes that start (or rotate) at once compute the same `slot` for the key they
want to add; the store keeps the first and the other re-reads it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from authgate.core.clock import utcnow
from authgate.core.errors import AuthError
from authgate.core.tokens import ASYMMETRIC_ALGORITHMS, JwtKey, KeySet, b64url, hkdf

if TYPE_CHECKING:
    from collections.abc import Sequence

RSA_BITS = 2048
_CIPHER_PREFIX = "aesgcm1."


class SigningKeyError(AuthError):
    code = "signing_key_error"
    message = "Signing keys unavailable"


@dataclass(frozen=True, slots=True)
class StoredKey:
    kid: str
    algorithm: str
    slot: str
    public_jwk: str
    private_key: str  # PKCS#8 PEM, encrypted (KeyCipher)
    created_at: datetime
    activates_at: datetime
    retired_at: datetime | None = None


class SigningKeyStore(Protocol):
    async def list(self) -> Sequence[StoredKey]:
        """Every key, oldest first."""

    async def add(self, key: StoredKey) -> bool:
        """Insert key unless its slot is taken; on insert, retire every other live key
        from key.activates_at, in the same transaction. Whether it was inserted."""

    async def prune(self, retired_before: datetime) -> int:
        """Delete keys retired before that moment."""


class KeyCipher:
    """AES-256-GCM for private keys at rest, with a key derived by HKDF (never the secret)."""

    def __init__(self, master: bytes) -> None:
        self._aead = AESGCM(hkdf(master, "authgate/signing-key-encryption/v1"))

    def encrypt(self, plaintext: bytes, kid: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext, kid.encode())
        return _CIPHER_PREFIX + b64url(nonce + sealed)

    def decrypt(self, stored: str, kid: str) -> bytes:
        """Raises: SigningKeyError: wrong encryption key or tampered data."""
        if not stored.startswith(_CIPHER_PREFIX):
            raise SigningKeyError(f"signing key {kid}: unknown encryption format")
        raw = stored[len(_CIPHER_PREFIX) :]
        data = _b64decode(raw)
        try:
            return self._aead.decrypt(data[:12], data[12:], kid.encode())
        except InvalidTag as e:
            raise SigningKeyError(
                f"signing key {kid} cannot be decrypted: was AUTHGATE_SECRET_KEY or "
                "AUTHGATE_JWT_PRIVATE_KEY_FILE changed?"
            ) from e


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def generate_private_key(algorithm: str) -> PrivateKey:
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    raise ValueError(f"not an asymmetric algorithm: {algorithm}")


def public_jwk(private: PrivateKey) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        return RSAAlgorithm.to_jwk(public, as_dict=True)
    if isinstance(public, ec.EllipticCurvePublicKey):
        return ECAlgorithm.to_jwk(public, as_dict=True)
    return OKPAlgorithm.to_jwk(public, as_dict=True)


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: a kid that names the key and nothing else."""
    members = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
    required = {name: jwk[name] for name in members[jwk["kty"]]}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


class SigningKeyManager:
    """Keeps the asymmetric key set: ensures a current key, rotates, reloads, prunes."""

    def __init__(
        self,
        store: SigningKeyStore,
        cipher: KeyCipher,
        *,
        algorithm: str,
        token_lifetime: int,
        propagation_delay: float,
    ) -> None:
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise ValueError(f"not an asymmetric algorithm: {algorithm}")
        self._store = store
        self._cipher = cipher
        self.algorithm = algorithm
        # A retired key verifies (and is published) as long as a token it signed can live.
        self._verify_for = timedelta(seconds=token_lifetime)
        self._delay = timedelta(seconds=propagation_delay)

    async def ensure_key(self) -> KeySet:
        """The key set, after adding a key of the configured algorithm if none is live.

        Raises:
            SigningKeyError: the signing key cannot be decrypted.
        """
        now = utcnow()
        await self._store.prune(now - self._verify_for - timedelta(minutes=5))
        keys = await self._store.list()
        if not any(k.algorithm == self.algorithm and _signs(k, now) for k in keys):
            await self._add(keys, delay=timedelta(0))
        return await self.load()

    async def rotate(self) -> StoredKey:
        """Add a new signing key; the current one retires when the new one activates."""
        return await self._add(await self._store.list(), delay=self._delay)

    async def list(self) -> Sequence[StoredKey]:
        return await self._store.list()

    async def load(self) -> KeySet:
        """The key set from the store: live keys, and retired ones whose tokens may live.

        Raises:
            SigningKeyError: no usable signing key, or it cannot be decrypted.
        """
        now = utcnow()
        keys = [k for k in await self._store.list() if self._verifies(k, now)]
        signers = [k for k in keys if k.algorithm == self.algorithm and _signs(k, now)]
        if not signers:
            raise SigningKeyError(f"no {self.algorithm} signing key; run `authgate keys rotate`")
        # A new key is published `delay` before it signs; half of it is for caches.
        cache = max(1, int(self._delay.total_seconds() / 2))
        return KeySet([self._jwt_key(k, sign=k in signers) for k in keys], cache_seconds=cache)

    def status(self, key: StoredKey, now: datetime) -> str:
        if key.retired_at is not None and key.retired_at <= now:
            return "retired" if self._verifies(key, now) else "expired"
        return "active" if key.activates_at <= now else "next"

    def _verifies(self, key: StoredKey, now: datetime) -> bool:
        return key.retired_at is None or key.retired_at + self._verify_for > now

    def _jwt_key(self, key: StoredKey, *, sign: bool) -> JwtKey:
        jwk = json.loads(key.public_jwk)
        public = _PUBLIC_FROM_JWK[key.algorithm](jwk)
        signer = None
        if sign:
            pem = self._cipher.decrypt(key.private_key, key.kid)
            signer = serialization.load_pem_private_key(pem, password=None)
        return JwtKey(
            kid=key.kid,
            algorithm=key.algorithm,
            verifier=public,
            signer=signer,
            public_jwk=jwk,
            signs_from=key.activates_at.timestamp(),
        )

    async def _add(self, existing: Sequence[StoredKey], *, delay: timedelta) -> StoredKey:
        newest = max(existing, key=lambda k: (k.created_at, k.kid), default=None)
        # The same state gives the same slot: of two racing writers only one key lands.
        slot = f"{self.algorithm}:after:{newest.kid if newest else '-'}"
        private = generate_private_key(self.algorithm)
        jwk = public_jwk(private)
        kid = thumbprint(jwk)
        jwk.update(kid=kid, alg=self.algorithm, use="sig")
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        now = utcnow()
        key = StoredKey(
            kid=kid,
            algorithm=self.algorithm,
            slot=slot,
            public_jwk=json.dumps(jwk, sort_keys=True),
            private_key=self._cipher.encrypt(pem, kid),
            created_at=now,
            activates_at=now + delay,
        )
        if await self._store.add(key):
            return key
        for stored in await self._store.list():
            if stored.slot == slot:
                return stored
        raise SigningKeyError("signing key vanished while being added")  # pragma: no cover


def _signs(key: StoredKey, now: datetime) -> bool:
    return key.retired_at is None or key.retired_at > now


def _rsa_public(jwk: dict[str, Any]) -> Any:
    return RSAAlgorithm.from_jwk(jwk)


def _ec_public(jwk: dict[str, Any]) -> Any:
    return ECAlgorithm.from_jwk(jwk)


def _okp_public(jwk: dict[str, Any]) -> Any:
    return OKPAlgorithm.from_jwk(jwk)


_PUBLIC_FROM_JWK = {"RS256": _rsa_public, "ES256": _ec_public, "EdDSA": _okp_public}
