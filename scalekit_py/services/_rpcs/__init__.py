"""One :class:`~scalekit_py._transport.rpc.Rpc` constant per admin RPC, shared by both flavours.

Each submodule holds the constants of one facade module, named after the RPC in UPPER_SNAKE_CASE
(``GetOrganization`` -> ``GET_ORGANIZATION``). Reads (``Get*``, ``List*``, ``Search*``) are marked
idempotent, so the default retry policy may retry them; every other RPC is a write.
"""

from __future__ import annotations

from scalekit_py._transport.rpc import Reconcile, Req, Resp, Rpc

__all__ = ["READ_PREFIXES", "rpc"]

READ_PREFIXES = ("Get", "List", "Search")


def rpc(
    service: str,
    method: str,
    request_type: type[Req],
    response_type: type[Resp],
    *,
    reconcile: Reconcile[Req, Resp] | None = None,
) -> Rpc[Req, Resp]:
    """The handle of ``/<service>/<method>``, idempotent when the method name starts with a read verb.

    Args:
        service: full service name, e.g. ``scalekit.v1.users.UserService``.
        method: RPC name, e.g. ``GetUser``.
        request_type: generated request message class.
        response_type: generated response message class.
        reconcile: for a create, how a retry finds what an attempt with an unknown outcome made.

    Returns:
        The RPC handle.
    """
    idempotent = method.startswith(READ_PREFIXES)
    return Rpc(f"/{service}/{method}", request_type, response_type, idempotent, reconcile)
