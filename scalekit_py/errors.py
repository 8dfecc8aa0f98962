"""One exception hierarchy for everything the SDK raises.

Every failure reaching the user is a :class:`ScalekitError`. API failures carry what the service said
(gRPC code, HTTP equivalent, ``error_code``, request id, field violations); OAuth endpoint failures carry
the RFC 6749 ``error`` / ``error_description``. The mapping from transport failures to these classes lives
in one place: :mod:`scalekit_py._errmap`. Messages never include secrets or tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "FieldViolation",
    "ForbiddenError",
    "NotFoundError",
    "OAuthAuthenticationError",
    "OAuthError",
    "OutcomeUnknownError",
    "PreconditionFailedError",
    "RateLimitError",
    "ScalekitError",
    "ServerError",
    "ServiceUnavailableError",
    "SessionConflictError",
    "SessionError",
    "SessionExpiredError",
    "SessionStoreError",
    "SessionTimeoutError",
    "TimeoutOutcomeUnknownError",
    "TokenValidationError",
    "ToolExecutionError",
    "UnavailableOutcomeUnknownError",
    "UnimplementedError",
    "WebhookVerificationError",
]


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field reported by the service (``ValidationErrorInfo.FieldViolation``)."""

    field: str
    description: str
    constraint: str = ""


class ScalekitError(Exception):
    """Base class of every exception raised by scalekit_py."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigurationError(ScalekitError):
    """The client was configured wrongly: missing credentials, a malformed or insecure URL, bad options."""


class APIConnectionError(ScalekitError):
    """The service could not be reached (DNS, refused connection, TLS failure, broken stream)."""


class APITimeoutError(APIConnectionError):
    """The call's deadline passed before the service answered."""


class APIError(ScalekitError):
    """The service answered with an error.

    Attributes:
        grpc_code: gRPC status name, e.g. ``"NOT_FOUND"`` (``None`` for HTTP-only endpoints).
        http_status: the HTTP status equivalent of the failure.
        error_code: Scalekit's machine-readable ``ErrorInfo.error_code``, when given.
        request_id: the service's request id, when given; quote it in support requests.
        field_violations: invalid fields, for validation failures.
        retry_after: seconds the service asked us to wait before retrying (``Retry-After``), if any.
    """

    http_status: int = 500

    def __init__(
        self,
        message: str,
        *,
        grpc_code: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
        request_id: str | None = None,
        field_violations: Sequence[FieldViolation] = (),
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.grpc_code = grpc_code
        if http_status is not None:
            self.http_status = http_status
        self.error_code = error_code
        self.request_id = request_id
        self.field_violations = tuple(field_violations)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, grpc_code={self.grpc_code!r}, "
            f"http_status={self.http_status}, error_code={self.error_code!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIError):
    """The request was invalid (INVALID_ARGUMENT / HTTP 400); see ``field_violations``."""

    http_status = 400


class AuthenticationError(APIError):
    """Credentials were missing, wrong or expired (UNAUTHENTICATED / HTTP 401)."""

    http_status = 401


class ForbiddenError(APIError):
    """The credentials may not do this (PERMISSION_DENIED / HTTP 403)."""

    http_status = 403


class NotFoundError(APIError):
    """The resource does not exist (NOT_FOUND / HTTP 404)."""

    http_status = 404


class ConflictError(APIError):
    """The resource already exists or changed meanwhile (ALREADY_EXISTS, ABORTED / HTTP 409)."""

    http_status = 409


class PreconditionFailedError(APIError):
    """The resource is not in a state that allows this (FAILED_PRECONDITION / HTTP 412)."""

    http_status = 412


class RateLimitError(APIError):
    """Too many requests (RESOURCE_EXHAUSTED / HTTP 429)."""

    http_status = 429


class ServerError(APIError):
    """The service failed (INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED / HTTP 5xx)."""

    http_status = 500


class UnimplementedError(ServerError):
    """The service (or the local emulator) does not implement this RPC (UNIMPLEMENTED / HTTP 501)."""

    http_status = 501


class ServiceUnavailableError(ServerError):
    """The service is temporarily unavailable (UNAVAILABLE / HTTP 503); safe to retry reads."""

    http_status = 503


class ToolExecutionError(APIError):
    """An AgentKit tool ran and failed on the third party's side (``ErrorInfo.error_code`` ``TOOL_ERROR``).

    Raised by ``execute_tool`` whatever the gRPC code (``grpc_code``/``http_status`` still say which:
    e.g. ``RESOURCE_EXHAUSTED`` when the third party rate-limited the call). Never retried: the
    tool may have had effects.

    Attributes:
        tool_error_code: the tool's (or third party's) own error code, e.g. ``"NOTE_NOT_FOUND"``.
        tool_error_message: the tool's error message.
        execution_id: the id of the failed execution; quote it in support requests.
    """

    def __init__(
        self,
        message: str,
        *,
        tool_error_code: str | None = None,
        tool_error_message: str | None = None,
        execution_id: str | None = None,
        grpc_code: str | None = None,
        http_status: int | None = None,
        error_code: str | None = None,
        request_id: str | None = None,
        field_violations: Sequence[FieldViolation] = (),
    ) -> None:
        super().__init__(
            message,
            grpc_code=grpc_code,
            http_status=http_status,
            error_code=error_code,
            request_id=request_id,
            field_violations=field_violations,
        )
        self.tool_error_code = tool_error_code
        self.tool_error_message = tool_error_message
        self.execution_id = execution_id


class OutcomeUnknownError(ScalekitError):
    """A write (create/update/delete) failed after its request may have reached the service, so it may or
    may not have taken effect. Read the resource back (e.g. by ``external_id``) before sending it again.

    Raised as :class:`UnavailableOutcomeUnknownError` or :class:`TimeoutOutcomeUnknownError`, so code
    that catches :class:`ServiceUnavailableError` / :class:`APITimeoutError` keeps working.
    """


class UnavailableOutcomeUnknownError(OutcomeUnknownError, ServiceUnavailableError):
    """A write failed with UNAVAILABLE or a dropped connection; its outcome is unknown."""


class TimeoutOutcomeUnknownError(OutcomeUnknownError, APITimeoutError):
    """A write's deadline passed before the answer arrived; its outcome is unknown."""


class OAuthError(APIError):
    """An OAuth endpoint answered with an RFC 6749 error.

    Attributes:
        error: the RFC 6749 ``error`` value, e.g. ``"invalid_grant"``.
        error_description: the human-readable ``error_description``, when given.
    """

    def __init__(
        self,
        message: str,
        *,
        error: str,
        error_description: str | None = None,
        http_status: int = 400,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, http_status=http_status, error_code=error, request_id=request_id)
        self.error = error
        self.error_description = error_description


class OAuthAuthenticationError(OAuthError, AuthenticationError):
    """The OAuth endpoint refused the client's or token's credentials (HTTP 401, ``invalid_client``).

    Both an :class:`OAuthError` (``.error`` says which) and an :class:`AuthenticationError`, so
    ``except AuthenticationError`` catches wrong client secrets whether the admin API or the token
    endpoint noticed first.
    """

    http_status = 401


class TokenValidationError(ScalekitError):
    """A token failed validation (signature, issuer, audience, expiry, nonce, scopes)."""


class WebhookVerificationError(ScalekitError):
    """A webhook payload failed verification; the message says why."""


class SessionError(ScalekitError):
    """A token session could not produce a token (store failure, refresh failure, waiting timed out)."""


class SessionExpiredError(SessionError):
    """The session's refresh token has expired or was revoked; the user must sign in again.

    Attributes:
        reason: why: ``"not_established"``, ``"expired"`` (the refresh token's own expiry passed),
            ``"no_refresh_token"``, ``"invalid_grant"`` (the server refused the refresh token) or
            ``"reuse_detected"`` (the server saw a consumed refresh token again and revoked the session).
    """

    def __init__(self, message: str, *, reason: str = "expired") -> None:
        super().__init__(message)
        self.reason = reason


class SessionStoreError(SessionError):
    """The token store failed to read or write a session; what was stored before is unchanged."""


class SessionConflictError(SessionStoreError):
    """A compare-and-set write to a token store lost: the session changed since it was read.

    Raised by :class:`~scalekit_py.sessions.TokenStore` implementations; the sessions handle it by
    reading again, so it reaches callers only from direct store calls.
    """


class SessionTimeoutError(SessionError):
    """No fresh access token could be obtained within the session's ``queue_timeout`` (e.g. an outage).

    ``__cause__`` is the last refresh failure, when there was one.
    """
