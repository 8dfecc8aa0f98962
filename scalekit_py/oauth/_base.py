"""What the sync and async OAuth clients share: configuration, the pure URL builders, token checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from scalekit_py import __version__, errors
from scalekit_py.oauth import _jwt
from scalekit_py.oauth._http import HttpRequest
from scalekit_py.oauth.claims import ClaimsPolicy
from scalekit_py.oauth.jwks import JwksCache, VerificationKey
from scalekit_py.oauth.options import AuthorizationUrlOptions, LogoutUrlOptions, TokenValidationOptions
from scalekit_py.oauth.results import DiscoveryDocument
from scalekit_py.oauth.urls import build_authorization_url, build_logout_url, normalize_env_url

__all__ = ["OAuthClientBase"]

USER_AGENT = f"scalekit-py/{__version__}"


class OAuthClientBase:
    """Configuration and the I/O-free half of :class:`OAuthClient` / :class:`AsyncOAuthClient`."""

    def __init__(
        self,
        env_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 20.0,
        leeway: float = 0.0,
        jwks_ttl: float = 300.0,
        jwks_min_refetch_interval: float = 5.0,
        jwks_cache: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("client_id is required")
        if not isinstance(client_secret, str) or not client_secret:
            raise ValueError("client_secret is required")
        if leeway < 0 or timeout <= 0:
            raise ValueError("leeway must be >= 0 and timeout > 0")
        self.env_url = normalize_env_url(env_url)
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self.leeway = leeway
        self.jwks_cache = jwks_cache or JwksCache(
            ttl=jwks_ttl, min_refetch_interval=jwks_min_refetch_interval
        )
        self._clock = clock
        self._discovery: DiscoveryDocument | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(env_url={self.env_url!r}, client_id={self.client_id!r})"

    def get_authorization_url(self, redirect_uri: str, options: AuthorizationUrlOptions | None = None) -> str:
        """The URL to redirect the browser to for login. No I/O.

        Args:
            redirect_uri: your registered callback URL.
            options: scopes, state, nonce, hints, PKCE challenge, ...; see
                :class:`~scalekit_py.oauth.AuthorizationUrlOptions`.

        Returns:
            ``{env_url}/oauth/authorize?response_type=code&client_id=...&redirect_uri=...&scope=...``.

        Example:
            >>> verifier, challenge = generate_pkce_pair()
            >>> url = client.get_authorization_url(
            ...     "https://app.example.com/callback",
            ...     AuthorizationUrlOptions(state=state, nonce=nonce, code_challenge=challenge),
            ... )
        """
        return build_authorization_url(self.env_url, self.client_id, redirect_uri, options)

    def get_logout_url(self, options: LogoutUrlOptions | None = None) -> str:
        """The URL to redirect the browser to for logout (``{env_url}/oidc/logout?...``). No I/O.

        Args:
            options: ``id_token_hint``, ``post_logout_redirect_uri``, ``state``.

        Returns:
            The logout URL.
        """
        return build_logout_url(self.env_url, options)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"{type(self).__name__} is closed")

    def _prepare(
        self, token: object, options: TokenValidationOptions | None, nonce: str | None = None
    ) -> tuple[_jwt.ParsedToken, ClaimsPolicy]:
        policy = _jwt.policy_from_options(
            options, env_url=self.env_url, client_id=self.client_id, leeway=self.leeway, nonce=nonce
        )
        return _jwt.parse_token(token), policy

    def _finish(self, parsed: _jwt.ParsedToken, key: VerificationKey, policy: ClaimsPolicy) -> dict[str, Any]:
        return _jwt.verify(parsed, key, policy, now=self._clock())

    def _credentials(self, client_id: str | None, client_secret: str | None) -> tuple[str, str]:
        """The credentials of a client-credentials request: given ones, else this client's own."""
        if (client_id is None) != (client_secret is None):
            raise TypeError("pass both client_id and client_secret, or neither")
        if client_id is None or client_secret is None:
            return self.client_id, self._client_secret
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret must not be empty")
        return client_id, client_secret

    def _id_token_options(self) -> TokenValidationOptions:
        return TokenValidationOptions(issuer=self.env_url, audience=self.client_id)

    @staticmethod
    def _url_error(exc: Exception) -> errors.ScalekitError:
        return errors.APIConnectionError(f"invalid request URL ({type(exc).__name__})")

    @staticmethod
    def _headers(req: HttpRequest) -> dict[str, str]:
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        headers.update(req.headers)
        return headers
