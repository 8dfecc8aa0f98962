"""Pure builders of the browser-facing URLs: authorization and logout (no I/O, no secrets)."""

from __future__ import annotations

from urllib.parse import urlencode

from scalekit_py.oauth.options import AuthorizationUrlOptions, LogoutUrlOptions
from scalekit_py.oauth.pkce import CODE_CHALLENGE_METHOD

__all__ = [
    "AUTHORIZE_PATH",
    "DEFAULT_SCOPES",
    "LOGOUT_PATH",
    "build_authorization_url",
    "build_logout_url",
    "normalize_env_url",
]

AUTHORIZE_PATH = "/oauth/authorize"
LOGOUT_PATH = "/oidc/logout"
DEFAULT_SCOPES: tuple[str, ...] = ("openid", "profile", "email")


def normalize_env_url(env_url: str) -> str:
    """The environment URL without trailing slashes (the form used as token issuer).

    Raises:
        ValueError: not an ``http://`` or ``https://`` URL.
    """
    if not isinstance(env_url, str) or not env_url.startswith(("https://", "http://")):
        raise ValueError("env_url must be an http:// or https:// URL")
    return env_url.rstrip("/")


def build_authorization_url(
    env_url: str, client_id: str, redirect_uri: str, options: AuthorizationUrlOptions | None = None
) -> str:
    """The URL to send the browser to for login (``{env_url}/oauth/authorize?...``).

    Parameters appear in a fixed order; unset options are left out. ``scope`` defaults to
    ``openid profile email``; ``code_challenge_method`` defaults to ``S256`` when a challenge is given.

    Args:
        env_url: the environment URL, e.g. ``https://acme.scalekit.dev``.
        client_id: the application's client id.
        redirect_uri: the registered callback URL that receives ``code`` and ``state``.
        options: everything else; see :class:`AuthorizationUrlOptions`.

    Returns:
        The authorization URL.

    Example:
        >>> build_authorization_url("https://acme.scalekit.dev", "skc_1", "https://app/cb")
        'https://acme.scalekit.dev/oauth/authorize?response_type=code&client_id=skc_1&redirect_uri=https%3A%2F%2Fapp%2Fcb&scope=openid+profile+email'
    """
    opts = options or AuthorizationUrlOptions()
    scopes = opts.scopes or DEFAULT_SCOPES
    scope = scopes if isinstance(scopes, str) else " ".join(scopes)
    method = opts.code_challenge_method
    if opts.code_challenge and not method:
        method = CODE_CHALLENGE_METHOD
    params: list[tuple[str, str | None]] = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", scope),
        ("state", opts.state),
        ("nonce", opts.nonce),
        ("login_hint", opts.login_hint),
        ("domain_hint", opts.domain_hint),
        ("connection_id", opts.connection_id),
        ("organization_id", opts.organization_id),
        ("provider", opts.provider),
        ("prompt", opts.prompt),
        ("code_challenge", opts.code_challenge),
        ("code_challenge_method", method if opts.code_challenge else None),
    ]
    query = urlencode([(k, v) for k, v in params if v])
    return f"{normalize_env_url(env_url)}{AUTHORIZE_PATH}?{query}"


def build_logout_url(env_url: str, options: LogoutUrlOptions | None = None) -> str:
    """The URL to send the browser to for logout (``{env_url}/oidc/logout?...``).

    Args:
        env_url: the environment URL.
        options: ``id_token_hint``, ``post_logout_redirect_uri``, ``state``; unset ones are left out.

    Returns:
        The logout URL (no ``?`` when no option is set).
    """
    opts = options or LogoutUrlOptions()
    params = [
        ("id_token_hint", opts.id_token_hint),
        ("post_logout_redirect_uri", opts.post_logout_redirect_uri),
        ("state", opts.state),
    ]
    query = urlencode([(k, v) for k, v in params if v is not None])
    base = f"{normalize_env_url(env_url)}{LOGOUT_PATH}"
    return f"{base}?{query}" if query else base
