"""scalekit_py: typed sync and async client for the Scalekit admin and OAuth/OIDC API.

Importing the package is cheap: every name below is loaded on first access (grpc, protobuf, httpx and
PyJWT are only imported when a client, a message or a token helper is first used).

Example::

    from scalekit_py import ScalekitClient

    with ScalekitClient(env_url, client_id, client_secret) as client:
        org = client.organization.create_organization("Acme", external_id="acme-1")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scalekit_py._version import __version__

if TYPE_CHECKING:
    from scalekit_py import errors
    from scalekit_py._client import AsyncScalekitClient, ClientOptions, ScalekitClient
    from scalekit_py._sentinel import NOT_GIVEN, NotGiven
    from scalekit_py._tokens import AsyncClientCredentialsTokenSource, ClientCredentialsTokenSource
    from scalekit_py._transport.lookup import rpc_for
    from scalekit_py._transport.retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy
    from scalekit_py._transport.rpc import Rpc
    from scalekit_py.errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        FieldViolation,
        ForbiddenError,
        NotFoundError,
        OAuthAuthenticationError,
        OAuthError,
        OutcomeUnknownError,
        PreconditionFailedError,
        RateLimitError,
        ScalekitError,
        ServerError,
        ServiceUnavailableError,
        SessionConflictError,
        SessionError,
        SessionExpiredError,
        SessionStoreError,
        SessionTimeoutError,
        TimeoutOutcomeUnknownError,
        TokenValidationError,
        ToolExecutionError,
        UnavailableOutcomeUnknownError,
        UnimplementedError,
        WebhookVerificationError,
    )
    from scalekit_py.oauth import (
        AsyncOAuthClient,
        AuthenticationResponse,
        AuthorizationUrlOptions,
        CodeAuthenticationOptions,
        LogoutUrlOptions,
        OAuthClient,
        TokenResponse,
        TokenValidationOptions,
    )
    from scalekit_py.services._async._pager import AsyncPager
    from scalekit_py.services._sync._pager import Pager
    from scalekit_py.sessions import AsyncAuthorizationSession, AuthorizationSession
    from scalekit_py.webhooks import verify_interceptor_payload, verify_webhook_payload

_ERRORS = (
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
)

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "AsyncScalekitClient": "scalekit_py._client",
    "ScalekitClient": "scalekit_py._client",
    "ClientOptions": "scalekit_py._client",
    "NOT_GIVEN": "scalekit_py._sentinel",
    "NotGiven": "scalekit_py._sentinel",
    "AsyncClientCredentialsTokenSource": "scalekit_py._tokens",
    "ClientCredentialsTokenSource": "scalekit_py._tokens",
    "DEFAULT_RETRY": "scalekit_py._transport.retry",
    "NO_RETRY": "scalekit_py._transport.retry",
    "RetryPolicy": "scalekit_py._transport.retry",
    "Rpc": "scalekit_py._transport.rpc",
    "rpc_for": "scalekit_py._transport.lookup",
    "AsyncOAuthClient": "scalekit_py.oauth",
    "AuthenticationResponse": "scalekit_py.oauth",
    "AuthorizationUrlOptions": "scalekit_py.oauth",
    "CodeAuthenticationOptions": "scalekit_py.oauth",
    "LogoutUrlOptions": "scalekit_py.oauth",
    "OAuthClient": "scalekit_py.oauth",
    "TokenResponse": "scalekit_py.oauth",
    "TokenValidationOptions": "scalekit_py.oauth",
    "AsyncPager": "scalekit_py.services._async._pager",
    "Pager": "scalekit_py.services._sync._pager",
    "AsyncAuthorizationSession": "scalekit_py.sessions",
    "AuthorizationSession": "scalekit_py.sessions",
    "verify_interceptor_payload": "scalekit_py.webhooks",
    "verify_webhook_payload": "scalekit_py.webhooks",
    **dict.fromkeys(_ERRORS, "scalekit_py.errors"),
}

__all__ = [
    "DEFAULT_RETRY",
    "NOT_GIVEN",
    "NO_RETRY",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncAuthorizationSession",
    "AsyncClientCredentialsTokenSource",
    "AsyncOAuthClient",
    "AsyncPager",
    "AsyncScalekitClient",
    "AuthenticationError",
    "AuthenticationResponse",
    "AuthorizationSession",
    "AuthorizationUrlOptions",
    "BadRequestError",
    "ClientCredentialsTokenSource",
    "ClientOptions",
    "CodeAuthenticationOptions",
    "ConfigurationError",
    "ConflictError",
    "FieldViolation",
    "ForbiddenError",
    "LogoutUrlOptions",
    "NotFoundError",
    "NotGiven",
    "OAuthAuthenticationError",
    "OAuthClient",
    "OAuthError",
    "OutcomeUnknownError",
    "Pager",
    "PreconditionFailedError",
    "RateLimitError",
    "RetryPolicy",
    "Rpc",
    "ScalekitClient",
    "ScalekitError",
    "ServerError",
    "ServiceUnavailableError",
    "SessionConflictError",
    "SessionError",
    "SessionExpiredError",
    "SessionStoreError",
    "SessionTimeoutError",
    "TimeoutOutcomeUnknownError",
    "TokenResponse",
    "TokenValidationError",
    "TokenValidationOptions",
    "ToolExecutionError",
    "UnavailableOutcomeUnknownError",
    "UnimplementedError",
    "WebhookVerificationError",
    "__version__",
    "errors",
    "rpc_for",
    "verify_interceptor_payload",
    "verify_webhook_payload",
]


def __getattr__(name: str) -> Any:
    if name == "errors":
        return importlib.import_module("scalekit_py.errors")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scalekit_py' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
