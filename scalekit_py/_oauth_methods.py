"""The OAuth/OIDC methods of :class:`ScalekitClient` / :class:`AsyncScalekitClient`.

They pass through to an :class:`~scalekit_py.oauth.OAuthClient` (or its async twin) created on first use
with the client's environment, credentials and trusted roots, so code written against the official SDK's
``client.get_authorization_url(...)`` / ``client.authenticate_with_code(...)`` works unchanged. All logic
lives in :mod:`scalekit_py.oauth`; these are one-line forwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from scalekit_py import webhooks
    from scalekit_py._tokens import AsyncClientCredentialsTokenSource, ClientCredentialsTokenSource
    from scalekit_py.oauth import (
        AsyncOAuthClient,
        AuthenticationResponse,
        AuthorizationUrlOptions,
        CodeAuthenticationOptions,
        DiscoveryDocument,
        IdpInitiatedLoginClaims,
        LogoutUrlOptions,
        OAuthClient,
        TokenIntrospection,
        TokenResponse,
        TokenValidationOptions,
        User,
    )

__all__ = ["AsyncOAuthMethods", "OAuthMethods"]


class _OAuthHost:
    """What the mixins need from the client: its options and the per-client object cache."""

    _opts: Any

    if TYPE_CHECKING:

        def _service(self, name: str, factory: Any) -> Any: ...  # provided by the client

    def _oauth_kwargs(self) -> dict[str, Any]:
        opts = self._opts
        return {
            "env_url": opts.channel.env.url,
            "client_id": str(opts.client_id),
            "client_secret": str(opts.client_secret),
            "timeout": opts.timeout or 20.0,
        }

    def _verify(self) -> Any:
        return self._opts.verify

    @staticmethod
    def _scopes_options(required_scopes: Sequence[str]) -> TokenValidationOptions:
        from scalekit_py.oauth import TokenValidationOptions

        if isinstance(required_scopes, str) or not required_scopes:
            raise ValueError("required_scopes must be a non-empty list of scope names")
        # Any audience: the token may be an organization client's, issued for an API resource.
        return TokenValidationOptions(audience=(), required_scopes=list(required_scopes))

    @staticmethod
    def verify_webhook_payload(secret: str, headers: webhooks.HeadersLike, payload: str | bytes) -> bool:
        """Verify a webhook delivery; see :func:`scalekit_py.webhooks.verify_webhook_payload` (no I/O).

        Returns:
            ``True``.

        Raises:
            WebhookVerificationError: the signature, timestamp or headers are not valid.
        """
        from scalekit_py.webhooks import verify_webhook_payload

        return verify_webhook_payload(secret, headers, payload)

    @staticmethod
    def verify_interceptor_payload(secret: str, headers: webhooks.HeadersLike, payload: str | bytes) -> bool:
        """Verify an interceptor request; see :func:`scalekit_py.webhooks.verify_interceptor_payload`.

        Returns:
            ``True``.

        Raises:
            WebhookVerificationError: the signature, timestamp or headers are not valid.
        """
        from scalekit_py.webhooks import verify_interceptor_payload

        return verify_interceptor_payload(secret, headers, payload)

    def _check_open(self) -> None:
        if getattr(self, "_closed", False):
            from scalekit_py.errors import ScalekitError

            raise ScalekitError("the client is closed")


class OAuthMethods(_OAuthHost):
    """Login-flow methods of the blocking client (see :class:`scalekit_py.oauth.OAuthClient`)."""

    @property
    def oauth(self) -> OAuthClient:
        """The OAuth/OIDC client behind these methods (created on first use, closed with the client)."""

        def make() -> OAuthClient:
            from scalekit_py.oauth import OAuthClient

            return OAuthClient(**self._oauth_kwargs(), http_client=self._http_client())

        return self._service("_oauth", make)  # type: ignore[no-any-return]

    def _http_client(self) -> httpx.Client:
        """The client's HTTP client (OAuth endpoints, proxied requests): made on first use, closed with it."""
        import httpx

        self._check_open()
        return self._service("_oauth_http", lambda: httpx.Client(verify=self._verify()))  # type: ignore[no-any-return]

    def _close_oauth(self) -> None:
        services: dict[str, Any] = getattr(self, "_services", {})
        oauth, http = services.pop("_oauth", None), services.pop("_oauth_http", None)
        if oauth is not None:
            oauth.close()
        if http is not None:
            http.close()

    def get_authorization_url(self, redirect_uri: str, options: AuthorizationUrlOptions | None = None) -> str:
        """The login URL to redirect the browser to; see ``OAuthClient.get_authorization_url``."""
        return self.oauth.get_authorization_url(redirect_uri, options)

    def get_logout_url(self, options: LogoutUrlOptions | None = None) -> str:
        """The logout URL; see ``OAuthClient.get_logout_url``."""
        return self.oauth.get_logout_url(options)

    def authenticate_with_code(
        self, code: str, redirect_uri: str, options: CodeAuthenticationOptions | None = None
    ) -> AuthenticationResponse:
        """Exchange an authorization code and verify the id_token; see ``OAuthClient``."""
        return self.oauth.authenticate_with_code(code, redirect_uri, options)

    def refresh_access_token(self, refresh_token: str) -> TokenResponse:
        """New tokens for a refresh token (which rotates); see ``OAuthClient``."""
        return self.oauth.refresh_access_token(refresh_token)

    def validate_token(self, token: str, options: TokenValidationOptions | None = None) -> dict[str, Any]:
        """Verified claims of a token; raises TokenValidationError; see ``OAuthClient``."""
        return self.oauth.validate_token(token, options)

    def validate_access_token(self, token: str, options: TokenValidationOptions | None = None) -> bool:
        """Whether an access token is valid; see ``OAuthClient``."""
        return self.oauth.validate_access_token(token, options)

    def get_idp_initiated_login_claims(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> IdpInitiatedLoginClaims:
        """Claims of an IdP-initiated login token; see ``OAuthClient``."""
        return self.oauth.get_idp_initiated_login_claims(token, options)

    def introspect_token(self, token: str, token_type_hint: str | None = None) -> TokenIntrospection:
        """RFC 7662 introspection; see ``OAuthClient``."""
        return self.oauth.introspect_token(token, token_type_hint)

    def revoke_token(self, token: str, token_type_hint: str | None = None) -> None:
        """RFC 7009 revocation; see ``OAuthClient``."""
        self.oauth.revoke_token(token, token_type_hint)

    def get_user_info(self, access_token: str) -> User:
        """The OIDC userinfo of an access token; see ``OAuthClient``."""
        return self.oauth.get_user_info(access_token)

    def discover(self, *, refresh: bool = False) -> DiscoveryDocument:
        """The OIDC discovery document (cached); see ``OAuthClient``."""
        return self.oauth.discover(refresh=refresh)

    if TYPE_CHECKING:

        @property
        def token_source(self) -> ClientCredentialsTokenSource: ...  # provided by the client

    def validate_access_token_and_get_claims(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> dict[str, Any]:
        """The verified claims of an access token (same as :meth:`validate_token`).

        Raises:
            TokenValidationError: the token is not valid; the message says why.
        """
        return self.oauth.validate_token(token, options)

    def verify_scopes(self, token: str, required_scopes: Sequence[str]) -> bool:
        """Check that a token is valid (signature, issuer, expiry) and grants every required scope.

        Unlike the official SDK, the signature is verified too: an unsigned token with the right scopes
        is refused. Any audience is accepted.

        Returns:
            ``True``.

        Raises:
            TokenValidationError: the token is invalid or lacks scopes (the message names them).
        """
        self.oauth.validate_token(token, self._scopes_options(required_scopes))
        return True

    def generate_client_token(
        self, client_id: str, client_secret: str, scopes: Sequence[str] | None = None
    ) -> str:
        """A new access token for any client's credentials (``client_credentials`` grant).

        Use it for an organization's M2M client, or any client other than this one.

        Returns:
            The access token.

        Raises:
            OAuthError: the credentials or scopes were refused (``invalid_client``, ...).
        """
        grant = self.oauth.client_credentials_token(
            client_id=client_id, client_secret=client_secret, scopes=scopes
        )
        return grant.access_token

    def get_client_access_token(self) -> str:
        """This client's own access token: the cached one its API calls use, refreshed when due."""
        return self.token_source.get_token()


class AsyncOAuthMethods(_OAuthHost):
    """Login-flow methods of the asyncio client (see :class:`scalekit_py.oauth.AsyncOAuthClient`)."""

    @property
    def oauth(self) -> AsyncOAuthClient:
        """The OAuth/OIDC client behind these methods (created on first use, closed with the client)."""

        def make() -> AsyncOAuthClient:
            from scalekit_py.oauth import AsyncOAuthClient

            return AsyncOAuthClient(**self._oauth_kwargs(), http_client=self._http_client())

        return self._service("_oauth", make)  # type: ignore[no-any-return]

    def _http_client(self) -> httpx.AsyncClient:
        """The client's HTTP client (OAuth endpoints, proxied requests): made on first use, closed with it."""
        import httpx

        self._check_open()
        return self._service("_oauth_http", lambda: httpx.AsyncClient(verify=self._verify()))  # type: ignore[no-any-return]

    async def _aclose_oauth(self) -> None:
        services: dict[str, Any] = getattr(self, "_services", {})
        oauth, http = services.pop("_oauth", None), services.pop("_oauth_http", None)
        if oauth is not None:
            await oauth.aclose()
        if http is not None:
            await http.aclose()

    def get_authorization_url(self, redirect_uri: str, options: AuthorizationUrlOptions | None = None) -> str:
        """The login URL to redirect the browser to (no I/O); see ``AsyncOAuthClient``."""
        return self.oauth.get_authorization_url(redirect_uri, options)

    def get_logout_url(self, options: LogoutUrlOptions | None = None) -> str:
        """The logout URL (no I/O); see ``AsyncOAuthClient``."""
        return self.oauth.get_logout_url(options)

    async def authenticate_with_code(
        self, code: str, redirect_uri: str, options: CodeAuthenticationOptions | None = None
    ) -> AuthenticationResponse:
        """Exchange an authorization code and verify the id_token; see ``AsyncOAuthClient``."""
        return await self.oauth.authenticate_with_code(code, redirect_uri, options)

    async def refresh_access_token(self, refresh_token: str) -> TokenResponse:
        """New tokens for a refresh token (which rotates); see ``AsyncOAuthClient``."""
        return await self.oauth.refresh_access_token(refresh_token)

    async def validate_token(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> dict[str, Any]:
        """Verified claims of a token; raises TokenValidationError; see ``AsyncOAuthClient``."""
        return await self.oauth.validate_token(token, options)

    async def validate_access_token(self, token: str, options: TokenValidationOptions | None = None) -> bool:
        """Whether an access token is valid; see ``AsyncOAuthClient``."""
        return await self.oauth.validate_access_token(token, options)

    async def get_idp_initiated_login_claims(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> IdpInitiatedLoginClaims:
        """Claims of an IdP-initiated login token; see ``AsyncOAuthClient``."""
        return await self.oauth.get_idp_initiated_login_claims(token, options)

    async def introspect_token(self, token: str, token_type_hint: str | None = None) -> TokenIntrospection:
        """RFC 7662 introspection; see ``AsyncOAuthClient``."""
        return await self.oauth.introspect_token(token, token_type_hint)

    async def revoke_token(self, token: str, token_type_hint: str | None = None) -> None:
        """RFC 7009 revocation; see ``AsyncOAuthClient``."""
        await self.oauth.revoke_token(token, token_type_hint)

    async def get_user_info(self, access_token: str) -> User:
        """The OIDC userinfo of an access token; see ``AsyncOAuthClient``."""
        return await self.oauth.get_user_info(access_token)

    async def discover(self, *, refresh: bool = False) -> DiscoveryDocument:
        """The OIDC discovery document (cached); see ``AsyncOAuthClient``."""
        return await self.oauth.discover(refresh=refresh)

    if TYPE_CHECKING:

        @property
        def token_source(self) -> AsyncClientCredentialsTokenSource: ...  # provided by the client

    async def validate_access_token_and_get_claims(
        self, token: str, options: TokenValidationOptions | None = None
    ) -> dict[str, Any]:
        """See :meth:`scalekit_py.ScalekitClient.validate_access_token_and_get_claims`."""
        return await self.oauth.validate_token(token, options)

    async def verify_scopes(self, token: str, required_scopes: Sequence[str]) -> bool:
        """See :meth:`scalekit_py.ScalekitClient.verify_scopes`."""
        await self.oauth.validate_token(token, self._scopes_options(required_scopes))
        return True

    async def generate_client_token(
        self, client_id: str, client_secret: str, scopes: Sequence[str] | None = None
    ) -> str:
        """See :meth:`scalekit_py.ScalekitClient.generate_client_token`."""
        grant = await self.oauth.client_credentials_token(
            client_id=client_id, client_secret=client_secret, scopes=scopes
        )
        return grant.access_token

    async def get_client_access_token(self) -> str:
        """See :meth:`scalekit_py.ScalekitClient.get_client_access_token`."""
        return await self.token_source.get_token()
