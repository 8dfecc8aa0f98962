"""OAuth 2.0 / OpenID Connect endpoints of the emulator (Starlette routes)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scalekit_py.emulator.runtime import Runtime

__all__ = ["routes"]


def routes(rt: Runtime) -> list[Route]:
    """The OAuth/OIDC routes bound to one emulator's runtime."""

    async def keys(request: Request) -> Response:
        return JSONResponse(rt.keys.jwks())

    return [Route("/keys", keys, methods=["GET"])]
