"""The public surface of `scalekit_py` is pinned, resolvable, and cheap to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import scalekit_py

EXPECTED = {
    "APIConnectionError", "APIError", "APITimeoutError", "AsyncAuthorizationSession",
    "AsyncClientCredentialsTokenSource", "AsyncOAuthClient", "AsyncPager", "AsyncScalekitClient",
    "AuthenticationError", "AuthenticationResponse", "AuthorizationSession", "AuthorizationUrlOptions",
    "BadRequestError", "ClientCredentialsTokenSource", "ClientOptions", "CodeAuthenticationOptions",
    "ConfigurationError", "ConflictError", "DEFAULT_RETRY", "FieldViolation", "ForbiddenError",
    "LogoutUrlOptions", "NOT_GIVEN", "NO_RETRY", "NotFoundError", "NotGiven",
    "OAuthAuthenticationError", "OAuthClient",
    "OAuthError", "OutcomeUnknownError", "Pager", "PreconditionFailedError", "RateLimitError",
    "RetryPolicy", "Rpc",
    "ScalekitClient",
    "ScalekitError", "ServerError", "ServiceUnavailableError", "SessionConflictError", "SessionError",
    "SessionExpiredError", "SessionStoreError", "SessionTimeoutError", "TokenResponse",
    "TimeoutOutcomeUnknownError", "TokenValidationError", "TokenValidationOptions", "ToolExecutionError",
    "UnavailableOutcomeUnknownError", "UnimplementedError", "WebhookVerificationError",
    "__version__", "errors", "rpc_for", "verify_interceptor_payload", "verify_webhook_payload",
}  # fmt: skip


def test_public_exports_are_pinned() -> None:
    assert set(scalekit_py.__all__) == EXPECTED


def test_every_export_resolves() -> None:
    for name in scalekit_py.__all__:
        assert getattr(scalekit_py, name) is not None, name
    from scalekit_py import NotFoundError, ScalekitError, errors

    assert errors.NotFoundError is NotFoundError
    assert issubclass(NotFoundError, ScalekitError)


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        scalekit_py.NoSuchThing  # noqa: B018


def test_import_is_lazy() -> None:
    code = (
        "import sys, scalekit_py; "
        "mods = ('grpc', 'httpx', 'jwt', 'google.protobuf', 'scalekit_api'); "
        "heavy = [m for m in mods if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
