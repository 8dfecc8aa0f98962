"""The AgentKit HTTP routes of the emulator (Starlette), on the same port as gRPC.

================================================  ==========================================================
``GET /agentkit/connect/<token>``                 the simulated third-party consent page of a magic link
                                                  (``?auto_approve=1``: approve at once, OAuth providers)
``POST /agentkit/connect/<token>``                the user's answer (``action=approve|deny`` + credentials)
``GET /agentkit/connected/<account id>``          where a verified user lands
``ANY /proxy/<path>``                             proxied request to a custom provider's API
``POST /mcp/...``                                 the MCP endpoint (:mod:`.mcp_http`)
================================================  ==========================================================

The proxy takes what the official SDKs send: ``Authorization: Bearer <client-credentials token of this
environment>``, the connection name in a ``connection_name`` header and the account's identifier in an
``identifier`` header. It finds the ACTIVE connected account (refreshing an expired third-party token),
forwards method, path, query, body and headers to ``<proxy_url>/<path>`` with the account's credentials
injected, and returns the upstream's status, headers and body. Its own failures are JSON
``{"error": ..., "error_description": ...}``: 400 (missing headers, provider without proxy), 401 (bad
token), 404 (no account), 412 (account not ACTIVE), 502 (upstream unreachable or not HTTP), 504
(upstream slower than ``EmulatorState.upstream_timeout``).
"""

from __future__ import annotations

import urllib.parse

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from scalekit_py.emulator.agentkit import accounts, catalogue, consent, mcp_http, upstream
from scalekit_py.emulator.runtime import Runtime
from scalekit_py.emulator.services._base import timestamp
from scalekit_py.emulator.tokens import InvalidToken

__all__ = ["routes"]

_HTTP_STATUS = {Code.NOT_FOUND: 404, Code.FAILED_PRECONDITION: 412, Code.INVALID_ARGUMENT: 400}
_PROXY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _problem(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status, headers={"Cache-Control": "no-store"}
    )


def _page(page: consent.Page) -> Response:
    if page.location:
        return RedirectResponse(page.location, page.status)
    return HTMLResponse(page.body, page.status, headers={"Cache-Control": "no-store"})


def routes(rt: Runtime) -> list[Route]:
    """The AgentKit routes bound to one emulator's runtime."""
    state = rt.state

    async def connect(request: Request) -> Response:
        token = request.path_params["token"]
        body = await request.body()
        with state.store.transaction() as tx:
            if request.method == "POST":
                form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
                return _page(consent.approve(tx, state, token, form))
            if request.query_params.get("auto_approve", "").lower() in ("1", "true", "yes"):
                return _page(consent.approve(tx, state, token, {"action": "approve"}))
            return _page(consent.consent_page(tx, state, token))

    async def connected(request: Request) -> Response:
        with state.store.transaction() as tx:
            return _page(consent.connected_page(tx, request.path_params["account_id"]))

    async def proxy(request: Request) -> Response:
        body = await request.body()  # read before any verdict, so the connection stays usable
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise InvalidToken("missing bearer token")
            rt.tokens.verify_client_token(token.strip())
        except InvalidToken as exc:
            return _problem(401, "invalid_token", str(exc))
        connector = request.headers.get("connection_name", "")
        identifier = request.headers.get("identifier", "")
        if not connector or not identifier:
            return _problem(400, "invalid_request", "the connection_name and identifier headers are required")
        try:
            with state.store.transaction() as tx:
                account = accounts.select(tx, connector=connector, identifier=identifier)
                accounts.require_active(account)
                account = accounts.fresh(tx, account, state.clock())
                provider = catalogue.provider_for_connector(tx, account.connector)
                if provider is None or not provider.proxy_url or not provider.proxy_enabled:
                    return _problem(400, "proxy_disabled", f"{account.connector} has no proxy enabled")
                account.last_used_at.CopyFrom(timestamp(state.clock()))
                tx.update(accounts.KIND, account.id, account)
            url = upstream.target_url(provider.proxy_url, request.path_params["path"], request.url.query)
        except ConnectError as exc:
            return _problem(_HTTP_STATUS.get(exc.code, 400), exc.code.name.lower(), exc.message)
        except ValueError as exc:
            return _problem(400, "proxy_disabled", str(exc))
        try:
            answer = await upstream.forward(
                request.method,
                url,
                headers=request.headers.items(),
                inject=accounts.credential_headers(account, provider),
                body=body,
                timeout=state.upstream_timeout,
                ca_file=state.upstream_ca_file,
            )
        except upstream.UpstreamError as exc:
            return _problem(exc.status, exc.code.lower(), exc.message)
        return Response(answer.body, answer.status, headers=dict(answer.headers))

    return [
        *mcp_http.routes(rt),
        Route("/agentkit/connect/{token}", connect, methods=["GET", "POST"]),
        Route("/agentkit/connected/{account_id}", connected, methods=["GET"]),
        Route("/proxy/{path:path}", proxy, methods=_PROXY_METHODS),
    ]
