"""OAuth 2.0 / OpenID Connect HTTP endpoints of the emulator (Starlette routes).

=========================================  ============================================================
``POST /oauth/token``                      grants ``client_credentials``, ``authorization_code`` (PKCE
                                           S256) and ``refresh_token`` (rotating); RFC 6749 error JSON
``GET /oauth/authorize``                   test login (see :mod:`scalekit_py.emulator.login`)
``POST /oauth/introspect``                 RFC 7662
``POST /oauth/revoke``                     RFC 7009
``GET|POST /userinfo``                     the signed-in user's claims (bearer access token)
``GET /oidc/logout``                       end the session, redirect to ``post_logout_redirect_uri``
``GET /keys``                              JWKS
``GET /.well-known/openid-configuration``  discovery
=========================================  ============================================================

Clients authenticate to the token, introspection and revocation endpoints with HTTP Basic or with
``client_id`` / ``client_secret`` in the form body (not both).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import urllib.parse
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from scalekit_py.emulator.grants import GrantError, Grants
from scalekit_py.emulator.login import SESSION_COOKIE, Login, Outcome
from scalekit_py.emulator.runtime import Runtime
from scalekit_py.emulator.tokens import OAuthClient

__all__ = ["routes"]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FAULT_ERRORS = {429: "rate_limit_exceeded", 503: "temporarily_unavailable"}


def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status, headers={**_NO_STORE, **(headers or {})})


def _error(exc: GrantError) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="scalekit-emulator"'} if exc.status == 401 else {}
    return _json(exc.body(), exc.status, headers)


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded body; GrantError(invalid_request) when it is not one, or repeats a parameter."""
    # Read the body before any verdict: answering with it unread makes the server close the keep-alive
    # connection, and a client reusing it then sees "server disconnected" instead of our error.
    body = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise GrantError("invalid_request", "the body must be application/x-www-form-urlencoded")
    pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            raise GrantError("invalid_request", f"parameter {key!r} is repeated")
        form[key] = value
    return form


def _authenticate(rt: Runtime, request: Request, form: dict[str, str]) -> OAuthClient:
    """The client from HTTP Basic or from the form (RFC 6749 §2.3.1)."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    in_form = "client_secret" in form
    if scheme.lower() == "basic":
        if in_form:
            raise GrantError("invalid_request", "use one client authentication method, not two")
        try:
            raw = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise GrantError("invalid_client", "malformed Basic credentials", 401) from None
        user, sep, password = raw.partition(":")
        if not sep:
            raise GrantError("invalid_client", "malformed Basic credentials", 401)
        client_id, secret = urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password)
    elif in_form:
        client_id, secret = form.get("client_id", ""), form["client_secret"]
    else:
        raise GrantError("invalid_client", "client authentication is required", 401)
    if form.get("client_id") and form["client_id"] != client_id:
        raise GrantError("invalid_request", "client_id does not match the authenticated client")
    client = rt.tokens.authenticate_client(client_id, secret)
    if client is None:
        raise GrantError("invalid_client", "unknown client or wrong secret", 401)
    return client


def _outcome(outcome: Outcome) -> Response:
    response: Response
    if outcome.location:
        response = RedirectResponse(outcome.location, outcome.status)
    else:
        response = HTMLResponse(outcome.page, outcome.status, headers={"Cache-Control": "no-store"})
    if outcome.cookie == "":
        response.delete_cookie(SESSION_COOKIE, path="/")
    elif outcome.cookie is not None:
        response.set_cookie(SESSION_COOKIE, outcome.cookie, path="/", httponly=True, samesite="lax")
    return response


def discovery(env_url: str) -> dict[str, Any]:
    """The OpenID Provider metadata of an environment."""
    return {
        "issuer": env_url,
        "authorization_endpoint": f"{env_url}/oauth/authorize",
        "token_endpoint": f"{env_url}/oauth/token",
        "userinfo_endpoint": f"{env_url}/userinfo",
        "jwks_uri": f"{env_url}/keys",
        "end_session_endpoint": f"{env_url}/oidc/logout",
        "introspection_endpoint": f"{env_url}/oauth/introspect",
        "revocation_endpoint": f"{env_url}/oauth/revoke",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "sid",
            "oid",
            "amr",
            "email",
            "email_verified",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
        ],
        "prompt_values_supported": ["none", "login", "consent", "select_account", "create"],
    }


def routes(rt: Runtime) -> list[Route]:
    """The OAuth/OIDC routes bound to one emulator's runtime."""
    grants = Grants(rt)
    login = Login(rt, grants)

    async def token(request: Request) -> Response:
        grant_type = "invalid"
        status = 500
        try:
            delay = rt.faults.token_latency()
            if delay:
                await asyncio.sleep(delay)
            form = await _form(request)
            grant_type = form.get("grant_type") or "missing"
            injected = rt.faults.take_token_fault()
            if injected is not None:
                status = injected
                error = _FAULT_ERRORS.get(injected, "server_error")
                retry = {"Retry-After": str(rt.faults.settings.retry_after)} if injected in (429, 503) else {}
                return _json({"error": error, "error_description": "injected fault"}, injected, retry)
            client = _authenticate(rt, request, form)
            body = grants.token(form, client)
            status = 200
            return _json(body)
        except GrantError as exc:
            status = exc.status
            return _error(exc)
        finally:
            rt.counters.record_token(grant_type, status)

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        return _outcome(login.authorize(params, request.cookies.get(SESSION_COOKIE, "")))

    async def logout(request: Request) -> Response:
        params = dict(request.query_params)
        return _outcome(login.logout(params, request.cookies.get(SESSION_COOKIE, "")))

    async def introspect(request: Request) -> Response:
        try:
            form = await _form(request)
            _authenticate(rt, request, form)
            if not form.get("token"):
                raise GrantError("invalid_request", "token is required")
            return _json(grants.introspect(form["token"]))
        except GrantError as exc:
            return _error(exc)

    async def revoke(request: Request) -> Response:
        try:
            form = await _form(request)
            client = _authenticate(rt, request, form)
            if not form.get("token"):
                raise GrantError("invalid_request", "token is required")
            grants.revoke(form["token"], client)
            return Response(status_code=200, headers=_NO_STORE)
        except GrantError as exc:
            return _error(exc)

    async def userinfo(request: Request) -> Response:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        claims = grants.access_claims(bearer.strip()) if scheme.lower() == "bearer" else None
        if claims is None or not str(claims.get("sub", "")).startswith("usr_"):
            challenge = 'Bearer error="invalid_token", error_description="the access token is not valid"'
            return _json({"error": "invalid_token"}, 401, {"WWW-Authenticate": challenge})
        if "openid" not in str(claims.get("scope", "")).split():
            challenge = 'Bearer error="insufficient_scope", scope="openid"'
            return _json({"error": "insufficient_scope"}, 403, {"WWW-Authenticate": challenge})
        from scalekit_api.v1.users import users_pb2

        with rt.state.store.transaction() as tx:
            user = tx.get("user", str(claims["sub"]), users_pb2.User)
        if user is None:
            return _json(
                {"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        info = grants.id_claims(user, sid=str(claims.get("sid", "")), org_id=str(claims.get("oid", "")))
        info.pop("auth_time", None)
        return _json({"sub": user.id, **info})

    async def keys(request: Request) -> Response:
        return JSONResponse(rt.keys.jwks(), headers={"Cache-Control": "max-age=60"})

    async def configuration(request: Request) -> Response:
        return JSONResponse(discovery(rt.state.env_url))

    return [
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/oauth/introspect", introspect, methods=["POST"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
        Route("/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/oidc/logout", logout, methods=["GET"]),
        Route("/keys", keys, methods=["GET"]),
        Route("/.well-known/openid-configuration", configuration, methods=["GET"]),
    ]
