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

The emulator is a local test tool: these endpoints are open to anyone who can reach its port.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scalekit_py.emulator.runtime import Runtime

__all__ = ["routes"]


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

    return [
        Route("/_emulator/webhooks", webhooks, methods=["GET"]),
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/info", info, methods=["GET"]),
        Route("/_emulator/faults", faults, methods=["GET", "PUT", "DELETE"]),
        Route("/_emulator/counters", counters, methods=["GET", "DELETE"]),
        Route("/_emulator/outbox", outbox, methods=["GET"]),
        Route("/_emulator/keys/rotate", rotate, methods=["POST"]),
    ]
