"""Random secrets and their stored digests.

Refresh tokens and API keys carry 256 and 190 bits of randomness, so a fast hash
(SHA-256) is enough to store them: unlike passwords they cannot be guessed, and a
slow hash would put argon2 on every API call.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid

_BASE62 = string.digits + string.ascii_letters
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
API_KEY_SECRET_LENGTH = 32
API_KEY_ID_PREFIX = "key_"


def new_id() -> str:
    return str(uuid.uuid4())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_key_id() -> str:
    return API_KEY_ID_PREFIX + "".join(secrets.choice(_BASE32) for _ in range(12))


def new_api_key_secret(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_BASE62) for _ in range(API_KEY_SECRET_LENGTH))


def mask_api_key(prefix: str, last4: str) -> str:
    return f"{prefix}…{last4}"


def looks_like_api_key(value: str, prefix: str) -> bool:
    return value.startswith(prefix) and len(value) == len(prefix) + API_KEY_SECRET_LENGTH
