"""OAuth/OIDC clients of a Scalekit environment: :class:`OAuthClient` (sync) and :class:`AsyncOAuthClient`.

Both have the same methods, named as in the official ``scalekit-sdk-python``. All decisions (request
building, response parsing, JWKS cache rules, token checks) are pure functions in sibling modules;
the two classes only send requests. Client authentication to the token, introspection and revocation
endpoints is ``client_id`` / ``client_secret`` in the form body. httpx is imported on first use, and
no httpx exception reaches the caller: transport failures become ``APIConnectionError`` /
``APITimeoutError``, error answers become ``OAuthError`` / ``RateLimitError`` / ``ServerError``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scalekit_py import _errmap, errors
from scalekit_py._deadline import run_with_deadline
from scalekit_py.oauth import _http
from scalekit_py.oauth._base import OAuthClientBase
from scalekit_py.oauth.jwks import JwksCache
from scalekit_py.oauth.options import CodeAuthenticationOptions, TokenValidationOptions
from scalekit_py.oauth.results import (
    AuthenticationResponse,
    DiscoveryDocument,
    IdpInitiatedLoginClaims,
    TokenIntrospection,
    TokenResponse,
    User,
)

if TYPE_CHECKING:
    from types import TracebackType

    import httpx

__all__ = ["AsyncOAuthClient", "OAuthClient"]

_Response = tuple[int, bytes, Mapping[str, str]]


class OAuthClient(OAuthClientBase):
    """Synchronous OAuth/OIDC client of one Scalekit environment.

    Args:
        env_url: the environment URL, e.g. ``https://acme.scalekit.dev``.
        client_id: the application's client id.
        client_secret: the application's client secret (never printed).
        http_client: an ``httpx.Client`` to use; by default one is created on first use and closed
            by :meth:`close`. A given client is not closed by this one.
        timeout: seconds per HTTP request of the default client.
        leeway: default seconds of tolerated clock skew on ``exp``/``nbf``/``iat``.
        jwks_ttl: seconds the signing keys are cached.
        jwks_min_refetch_interval: minimum seconds between refetches caused by unknown ``kid`` values.
        jwks_cache: a shared :class:`~scalekit_py.oauth.jwks.JwksCache` (overrides the two above).
        clock: wall clock (seconds since the epoch) for token expiry checks.

    Example:
        >>> with OAuthClient(env_url, client_id, client_secret) as oauth:
        ...     result = oauth.authenticate_with_code(code, redirect_uri, CodeAuthenticationOptions(
        ...         code_verifier=verifier, nonce=nonce))
        ...     print(result.user.email)
    """

    def __init__(
        self,
        env_url: str,
        client_id: str,
        client_secret: str,
        *,
        http_client: httpx.Client | None = None,
        timeout: float = 20.0,
        leeway: float = 0.0,
        jwks_ttl: float = 300.0,
        jwks_min_refetch_interval: float = 5.0,
        jwks_cache: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            env_url,
            client_id,
            client_secret,
            timeout=timeout,
            leeway=leeway,
            jwks_ttl=jwks_ttl,
            jwks_min_refetch_interval=jwks_min_refetch_interval,
            jwks_cache=jwks_cache,
            clock=clock,
        )
        self._http = http_client
        self._owns_http = http_client is None
        self._http_lock = threading.Lock()

    def __enter__(self) -> OAuthClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client if this object created it. Idempotent."""
        with self._http_lock:
            self._closed = True
            http, self._http = self._http, None
        if self._owns_http and http is not None:
            http.close()

    def _send(self, req: _http.HttpRequest) -> _Response:
        import httpx

        with self._http_lock:
            self._check_open()
            if self._http is None:
                self._http = httpx.Client(timeout=self.timeout)
            http = self._http
        try:
            # The client's timeout bounds the whole exchange, not each read (a dripping endpoint).
            response = run_with_deadline(
                lambda: http.request(
                    req.method,
                    self.env_url + req.path,
                    data=dict(req.form) if req.form else None,
                    headers=self._headers(req),
                ),
                self.timeout,
                f"the OAuth endpoint {req.path}",
            )
        except httpx.HTTPError as exc:
            raise _errmap.from_http_transport_error(exc) from exc
        except httpx.InvalidURL as exc:
            raise self._url_error(exc) from exc
        return response.status_code, response.content, response.headers

    def _fetch_jwks(self) -> Any:
        req = _http.jwks_request()
        return _http.parse_json(*self._send(req), endpoint=req.endpoint)

    def validate_token(self, token: str, options: TokenValidationOptions | None = None) -> dict[str, Any]:
        """Verify a JWT issued by the environment and return its claims.

        Checks the signature against the environment's JWKS (RS*/PS*/ES* only; ``none`` and HMAC are
        refused), ``iss`` (default: the environment URL), ``aud`` (default: this client id), ``exp``,
        ``nbf``, ``iat`` and the required scopes.

        Args:
            token: the JWT (access token, ID token, ...).
            options: issuer, audience, required scopes, leeway.

        Returns:
            The verified claims.

        Raises:
            TokenValidationError: the token is not valid; the message says why.
            APIConnectionError, ServerError: the signing keys could not be fetched.

        Example:
            >>> claims = oauth.validate_token(token, TokenValidationOptions(required_scopes=["read:users"]))
        """
        parsed, policy = self._prepare(token, options)
        key = self.jwks_cache.get_key(parsed.kid, self._fetch_jwks, parsed.alg)
        return self._finish(parsed, key, policy)

    def validate_access_token(self, token: str, options: TokenValidationOptions | None = None) -> bool:
        """Whether :meth:`validate_token` accepts the token.

        Returns:
            ``True`` when valid, ``False`` when the token is invalid.

        Raises:
            APIConnectionError, ServerError: the signing keys could not be fetched (an outage is not
                reported as an invalid token).
        """
        try:
            self.validate_token(token, options)
        except errors.TokenValidationError:
            return False
        return True

    def get_idp_initiated_login_claims(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> IdpInitiatedLoginClaims:
        """Verify an IdP-initiated login token (the ``idp_initiated_login`` query parameter).

        Start an SP-initiated login with the returned ``connection_id`` / ``organization_id``,
        ``login_hint`` and ``relay_state`` (as ``state``).

        Raises:
            TokenValidationError: the token is not valid.
        """
        return IdpInitiatedLoginClaims.from_claims(self.validate_token(token, options))

    def authenticate_with_code(
        self, code: str, redirect_uri: str, options: CodeAuthenticationOptions | None = None
    ) -> AuthenticationResponse:
        """Exchange an authorization code for tokens and verify the ID token.

        The ID token's signature, ``iss`` (the environment URL), ``aud`` (this client id), ``exp`` and,
        when ``options.nonce`` is set, ``nonce`` are verified before anything is returned.

        Args:
            code: the ``code`` query parameter of the callback.
            redirect_uri: the same redirect URI as in the authorization URL.
            options: the PKCE ``code_verifier`` and the expected ``nonce``.

        Returns:
            The user and the tokens.

        Raises:
            OAuthError: the server refused the code (``invalid_grant``: used, expired, wrong verifier).
            TokenValidationError: the ID token is missing or not valid.
            APIConnectionError: the server could not be reached.

        Example:
            >>> result = oauth.authenticate_with_code(request.args["code"], REDIRECT_URI,
            ...     CodeAuthenticationOptions(code_verifier=session["verifier"], nonce=session["nonce"]))
        """
        opts = options or CodeAuthenticationOptions()
        req = _http.code_exchange_request(
            self.client_id, self._client_secret, code, redirect_uri, opts.code_verifier
        )
        tokens = _http.parse_token_response(*self._send(req))
        parsed, policy = self._prepare(
            _http.require_id_token(tokens), self._id_token_options(), nonce=opts.nonce
        )
        key = self.jwks_cache.get_key(parsed.kid, self._fetch_jwks, parsed.alg)
        return _http.authentication_response(tokens, self._finish(parsed, key, policy))

    def refresh_access_token(self, refresh_token: str) -> TokenResponse:
        """Get new tokens with a refresh token (``grant_type=refresh_token``).

        With refresh-token rotation the token you send is consumed: store ``result.refresh_token``
        before using the new access token, and never send the old one again.

        Raises:
            OAuthError: ``invalid_grant`` when the refresh token is expired, revoked or already used.
        """
        req = _http.refresh_request(self.client_id, self._client_secret, refresh_token)
        return _http.parse_token_response(*self._send(req))

    def client_credentials_token(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: Sequence[str] | None = None,
    ) -> TokenResponse:
        """Get an access token with ``grant_type=client_credentials`` (always a new one, not cached).

        Args:
            client_id: the client to authenticate as; default: this client.
            client_secret: that client's secret; default: this client's secret.
            scopes: scopes to request (``None``: the client's configured scopes).

        Raises:
            OAuthError: ``invalid_client`` for wrong credentials, ``invalid_scope``, ...
        """
        req = _http.client_credentials_request(*self._credentials(client_id, client_secret), scopes)
        return _http.parse_token_response(*self._send(req))

    def introspect_token(self, token: str, token_type_hint: str | None = None) -> TokenIntrospection:
        """Ask the server whether a token is active (RFC 7662).

        Args:
            token: an access or refresh token.
            token_type_hint: ``"access_token"`` or ``"refresh_token"``.
        """
        req = _http.introspect_request(self.client_id, self._client_secret, token, token_type_hint)
        return _http.parse_introspection(*self._send(req))

    def revoke_token(self, token: str, token_type_hint: str | None = None) -> None:
        """Revoke a token (RFC 7009). Unknown or already-invalid tokens are not an error.

        Args:
            token: an access or refresh token.
            token_type_hint: ``"access_token"`` or ``"refresh_token"``.
        """
        req = _http.revoke_request(self.client_id, self._client_secret, token, token_type_hint)
        _http.parse_revocation(*self._send(req))

    def get_user_info(self, access_token: str) -> User:
        """The user's claims from the userinfo endpoint, authorized by their access token."""
        return _http.parse_userinfo(*self._send(_http.userinfo_request(access_token)))

    def discover(self, *, refresh: bool = False) -> DiscoveryDocument:
        """The environment's OpenID Provider metadata, fetched once and cached.

        Args:
            refresh: fetch again even when cached.
        """
        if self._discovery is None or refresh:
            self._discovery = _http.parse_discovery(*self._send(_http.discovery_request()))
        return self._discovery


class AsyncOAuthClient(OAuthClientBase):
    """Asynchronous twin of :class:`OAuthClient` (same arguments, ``httpx.AsyncClient``, awaitable methods).

    Example:
        >>> async with AsyncOAuthClient(env_url, client_id, client_secret) as oauth:
        ...     claims = await oauth.validate_token(token)
    """

    def __init__(
        self,
        env_url: str,
        client_id: str,
        client_secret: str,
        *,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 20.0,
        leeway: float = 0.0,
        jwks_ttl: float = 300.0,
        jwks_min_refetch_interval: float = 5.0,
        jwks_cache: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            env_url,
            client_id,
            client_secret,
            timeout=timeout,
            leeway=leeway,
            jwks_ttl=jwks_ttl,
            jwks_min_refetch_interval=jwks_min_refetch_interval,
            jwks_cache=jwks_cache,
            clock=clock,
        )
        self._http = http_client
        self._owns_http = http_client is None

    async def __aenter__(self) -> AsyncOAuthClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this object created it. Idempotent."""
        self._closed = True
        if self._owns_http and self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def _send(self, req: _http.HttpRequest) -> _Response:
        self._check_open()
        import httpx

        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self.timeout)
        import asyncio

        try:
            response = await asyncio.wait_for(
                self._http.request(
                    req.method,
                    self.env_url + req.path,
                    data=dict(req.form) if req.form else None,
                    headers=self._headers(req),
                ),
                self.timeout,
            )
        except asyncio.TimeoutError:
            raise errors.APITimeoutError(
                f"the OAuth endpoint {req.path} did not answer within {self.timeout:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise _errmap.from_http_transport_error(exc) from exc
        except httpx.InvalidURL as exc:
            raise self._url_error(exc) from exc
        return response.status_code, response.content, response.headers

    async def _fetch_jwks(self) -> Any:
        req = _http.jwks_request()
        return _http.parse_json(*await self._send(req), endpoint=req.endpoint)

    async def validate_token(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> dict[str, Any]:
        """See :meth:`OAuthClient.validate_token`."""
        parsed, policy = self._prepare(token, options)
        key = await self.jwks_cache.aget_key(parsed.kid, self._fetch_jwks, parsed.alg)
        return self._finish(parsed, key, policy)

    async def validate_access_token(self, token: str, options: TokenValidationOptions | None = None) -> bool:
        """See :meth:`OAuthClient.validate_access_token`."""
        try:
            await self.validate_token(token, options)
        except errors.TokenValidationError:
            return False
        return True

    async def get_idp_initiated_login_claims(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> IdpInitiatedLoginClaims:
        """See :meth:`OAuthClient.get_idp_initiated_login_claims`."""
        return IdpInitiatedLoginClaims.from_claims(await self.validate_token(token, options))

    async def authenticate_with_code(
        self, code: str, redirect_uri: str, options: CodeAuthenticationOptions | None = None
    ) -> AuthenticationResponse:
        """See :meth:`OAuthClient.authenticate_with_code`."""
        opts = options or CodeAuthenticationOptions()
        req = _http.code_exchange_request(
            self.client_id, self._client_secret, code, redirect_uri, opts.code_verifier
        )
        tokens = _http.parse_token_response(*await self._send(req))
        parsed, policy = self._prepare(
            _http.require_id_token(tokens), self._id_token_options(), nonce=opts.nonce
        )
        key = await self.jwks_cache.aget_key(parsed.kid, self._fetch_jwks, parsed.alg)
        return _http.authentication_response(tokens, self._finish(parsed, key, policy))

    async def refresh_access_token(self, refresh_token: str) -> TokenResponse:
        """See :meth:`OAuthClient.refresh_access_token`."""
        req = _http.refresh_request(self.client_id, self._client_secret, refresh_token)
        return _http.parse_token_response(*await self._send(req))

    async def client_credentials_token(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: Sequence[str] | None = None,
    ) -> TokenResponse:
        """See :meth:`OAuthClient.client_credentials_token`."""
        req = _http.client_credentials_request(*self._credentials(client_id, client_secret), scopes)
        return _http.parse_token_response(*await self._send(req))

    async def introspect_token(self, token: str, token_type_hint: str | None = None) -> TokenIntrospection:
        """See :meth:`OAuthClient.introspect_token`."""
        req = _http.introspect_request(self.client_id, self._client_secret, token, token_type_hint)
        return _http.parse_introspection(*await self._send(req))

    async def revoke_token(self, token: str, token_type_hint: str | None = None) -> None:
        """See :meth:`OAuthClient.revoke_token`."""
        req = _http.revoke_request(self.client_id, self._client_secret, token, token_type_hint)
        _http.parse_revocation(*await self._send(req))

    async def get_user_info(self, access_token: str) -> User:
        """See :meth:`OAuthClient.get_user_info`."""
        return _http.parse_userinfo(*await self._send(_http.userinfo_request(access_token)))

    async def discover(self, *, refresh: bool = False) -> DiscoveryDocument:
        """See :meth:`OAuthClient.discover`."""
        if self._discovery is None or refresh:
            self._discovery = _http.parse_discovery(*await self._send(_http.discovery_request()))
        return self._discovery
