"""Test-control HTTP endpoints under ``/_emulator/`` (JSON in, JSON out; no authentication).

=========================================  =====================================================
``GET /_emulator/health``                  ``{"status": "ok"}``
``GET /_emulator/info``                    env URL, client id, environment id, signing key ids
``GET /_emulator/faults``                  current fault settings
``PUT /_emulator/faults``                  change some settings (JSON object); 400 on a bad one
``DELETE /_emulator/faults``               clear every fault
``GET /_emulator/counters``                RPC and token-request counts
``DELETE /_emulator/counters``             reset the counts
``GET /_emulator/outbox[?to=EMAIL]``       emails the emulator "sent" (passwordless codes, links)
``POST /_emulator/keys/rotate``            rotate the signing key; ``{"kid": new kid}``
``GET /_emulator/webhooks``                webhook deliveries (attempts, last status, delivered)
=========================================  =====================================================

The emulator is a local test tool, but a web page open in the developer's browser can reach its port.
So every route (``health`` aside) refuses a ``Host`` that is neither an IP literal, ``localhost`` nor the
env URL's host on the bound port (DNS rebinding), any cross-origin browser request (an ``Origin`` other
than the emulator's, ``Sec-Fetch-Site: cross-site``) and form-encoded bodies (HTML form posts); with an
``admin_token`` configured, it also wants ``Authorization: Bearer <admin_token>``.
"""

from __future__ import annotations

import dataclasses
import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scalekit_py.emulator.runtime import Runtime

__all__ = ["refusal", "routes"]

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
Handler = Callable[[Request], Awaitable[Response]]


def _local_name(host: str, env_host: str) -> bool:
    if host in ("localhost", env_host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _same_host(authority: str, env_url: str) -> bool:
    """Whether ``authority`` (``host[:port]``) names this emulator: a local name on its port."""
    env = urlsplit(env_url)
    try:
        target = urlsplit(f"//{authority}")
        port = target.port
    except ValueError:
        return False
    hostname = (target.hostname or "").lower()
    return port == env.port and _local_name(hostname, (env.hostname or "").lower())


def refusal(request: Request, env_url: str, admin_token: str | None) -> str | None:
    """Why a control request is refused (``None``: allowed). Pure apart from reading the request."""
    if not env_url or not _same_host(request.headers.get("host", ""), env_url):
        return "the Host header does not name this emulator"
    origin = request.headers.get("origin")
    if origin is not None and (
        urlsplit(origin).scheme != urlsplit(env_url).scheme
        or not _same_host(urlsplit(origin).netloc, env_url)
    ):
        return "cross-origin requests are refused"
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return "cross-site requests are refused"
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "GET" and content_type in _FORM_TYPES:
        return "form posts are refused; send JSON"
    if admin_token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), admin_token.encode()):
            return "missing or wrong admin token"
    return None


def routes(rt: Runtime) -> list[Route]:
    """The ``/_emulator/`` routes bound to one emulator's runtime."""

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def info(request: Request) -> Response:
        return JSONResponse(
            {
                "env_url": rt.state.env_url,
                "client_id": rt.state.client_id,
                "environment_id": rt.state.environment_id,
                "signing_keys": [k.kid for k in rt.keys.published()],
            }
        )

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                body: Any = json.loads(await request.body() or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("expected a JSON object of fault settings")
                rt.faults.set(**body)
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                return JSONResponse({"error": "invalid_request", "error_description": str(exc)}, 400)
        elif request.method == "DELETE":
            rt.faults.clear()
        return JSONResponse(rt.faults.settings.as_dict())

    async def counters(request: Request) -> Response:
        if request.method == "DELETE":
            rt.counters.reset()
        return JSONResponse(rt.counters.snapshot())

    async def outbox(request: Request) -> Response:
        to = request.query_params.get("to")
        messages = rt.state.mail_to(to) if to else list(rt.state.outbox)
        return JSONResponse({"messages": [dataclasses.asdict(m) for m in messages]})

    async def rotate(request: Request) -> Response:
        return JSONResponse({"kid": rt.keys.rotate().kid})

    async def webhooks(request: Request) -> Response:
        sender = rt.webhooks
        if sender is None:
            return JSONResponse({"url": None, "deliveries": []})
        return JSONResponse({"url": sender.url, "deliveries": sender.snapshot()})

    def guarded(handler: Handler) -> Handler:
        async def checked(request: Request) -> Response:
            reason = refusal(request, rt.state.env_url, rt.admin_token)
            if reason is not None:
                return JSONResponse({"error": "forbidden", "error_description": reason}, 403)
            return await handler(request)

        return checked

    return [
        Route("/_emulator/webhooks", guarded(webhooks), methods=["GET"]),
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/info", guarded(info), methods=["GET"]),
        Route("/_emulator/faults", guarded(faults), methods=["GET", "PUT", "DELETE"]),
        Route("/_emulator/counters", guarded(counters), methods=["GET", "DELETE"]),
        Route("/_emulator/outbox", guarded(outbox), methods=["GET"]),
        Route("/_emulator/keys/rotate", guarded(rotate), methods=["POST"]),
    ]
