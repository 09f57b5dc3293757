"""The errors the core raises; dialects map each to their own status and body.

Our exception hierarchy:

* AuthError
  + InvalidRequest            a value breaks a rule (field, reason)
    x PasswordPolicyViolation
  + NotAuthenticated          who is calling is unknown or not accepted
    x InvalidCredentials      wrong password, unknown user, disabled user (same answer)
    x InvalidToken            malformed, badly signed, wrong aud/iss, revoked session
      - TokenExpired
    x InvalidRefreshToken     unknown, expired or dead refresh token
      - RefreshTokenReused    a rotated token came back: the session was ended
  + PasswordExpired
  + PermissionDenied          authenticated, but not allowed (API key managing keys, ...)
  + NotFound
    x UserNotFound  x ApiKeyNotFound  x SessionNotFound
  + Conflict
    x UsernameTaken  x EmailTaken
  + Throttled                 too many failures; carries retry_after seconds
  + BackendUnavailable        database or redis down
    x Overloaded              the password-hashing queue is full; carries retry_after
"""

from __future__ import annotations


class AuthError(Exception):
    code = "auth_error"
    message = "Authentication error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)

    @property
    def detail(self) -> str:
        return str(self)


class InvalidRequest(AuthError):
    code = "invalid_request"
    message = "Invalid request"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PasswordPolicyViolation(InvalidRequest):
    code = "password_policy"
    message = "Password does not meet the policy"


class NotAuthenticated(AuthError):
    code = "not_authenticated"
    message = "Authentication required"


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    message = "Invalid credentials"


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    message = "Invalid token"


class TokenExpired(InvalidToken):
    code = "token_expired"
    message = "Token expired"


class InvalidRefreshToken(NotAuthenticated):
    code = "invalid_refresh_token"
    message = "Invalid or expired refresh token"


class RefreshTokenReused(InvalidRefreshToken):
    code = "refresh_token_reused"


class PasswordExpired(AuthError):
    code = "password_expired"
    message = "Password expired"


class PermissionDenied(AuthError):
    code = "permission_denied"
    message = "Permission denied"


class NotFound(AuthError):
    code = "not_found"
    message = "Not found"


class UserNotFound(NotFound):
    code = "user_not_found"
    message = "User not found"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    message = "API key not found"


class SessionNotFound(NotFound):
    code = "session_not_found"
    message = "Session not found"


class Conflict(AuthError):
    code = "conflict"
    message = "Conflict"


class UsernameTaken(Conflict):
    code = "username_taken"
    message = "Username already taken"


class EmailTaken(Conflict):
    code = "email_taken"
    message = "Email already registered"


class Throttled(AuthError):
    code = "throttled"
    message = "Too many attempts, try again later"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class BackendUnavailable(AuthError):
    code = "backend_unavailable"
    message = "Service temporarily unavailable"


class Overloaded(BackendUnavailable):
    """Shed at once instead of queued: a login storm must not starve every other request."""

    code = "overloaded"
    message = "Too many logins in progress, try again shortly"

    def __init__(self, retry_after: int = 1, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
