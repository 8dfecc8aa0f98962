"""Find any RPC of the API by its path: the escape hatch for RPCs that have no facade method yet.

The handle comes from the generated descriptors (request/response classes, unary only), so a call
through it goes the same way as a facade call: auth interceptors, deadline, retries, error mapping.
"""

from __future__ import annotations

import importlib
from typing import Any, overload

from google.protobuf import message_factory
from google.protobuf.message import Message

from scalekit_py import errors
from scalekit_py._transport.rpc import Req, Resp, Rpc
from scalekit_py.services._rpcs import READ_PREFIXES

__all__ = ["resolve_rpc", "rpc_for"]


def _split(path: str) -> tuple[str, str]:
    text = path.strip()
    if text.startswith("/"):
        text = text[1:]
    service, sep, method = text.rpartition("/") if "/" in text else text.rpartition(".")
    if not sep or not service or not method:
        raise errors.ConfigurationError(
            f"an RPC path looks like '/scalekit.v1.users.UserService/GetUser', got {path!r}"
        )
    return service, method


def _module_for(service: str) -> str:
    from scalekit_py._contract import load
    from scalekit_py._contract.facts import UPSTREAM_ROOT

    spec = load().services.get(service)
    if spec is None:
        raise errors.ConfigurationError(f"unknown service {service!r} (not in the pinned API contract)")
    # scalekit/v1/tokens/tokens.proto -> scalekit_api.v1.tokens.tokens_pb2
    return "scalekit_api." + spec.file[len(UPSTREAM_ROOT) : -len(".proto")].replace("/", ".") + "_pb2"


@overload
def rpc_for(path: str) -> Rpc[Message, Message]: ...
@overload
def rpc_for(path: str, request_type: type[Req], response_type: type[Resp]) -> Rpc[Req, Resp]: ...
def rpc_for(path: str, request_type: Any = None, response_type: Any = None) -> Rpc[Any, Any]:
    """The handle of any unary RPC of the API, for ``client.call(...)``.

    Reads (``Get*``, ``List*``, ``Search*``) are idempotent and retried by the default policy, as for
    facade methods.

    Args:
        path: ``/scalekit.v1.tokens.ApiTokenService/ListTokens`` (``service/Method`` or
            ``service.Method`` also work).
        request_type, response_type: the generated message classes, to get a typed ``Rpc[Req, Resp]``;
            they are checked against the descriptors.

    Returns:
        The RPC handle.

    Raises:
        ConfigurationError: the path names no RPC of the pinned API, it streams, or the given types
            are not its request/response types.

    Example::

        LIST = rpc_for("/scalekit.v1.tokens.ApiTokenService/ListTokens", ListTokensRequest,
                       ListTokensResponse)
        page = client.call(LIST, ListTokensRequest(organization_id="org_1"))
    """
    service, method = _split(path)
    module = importlib.import_module(_module_for(service))
    short = service.rsplit(".", 1)[-1]
    svc = module.DESCRIPTOR.services_by_name.get(short)
    descriptor = svc.methods_by_name.get(method) if svc is not None else None
    if descriptor is None:
        raise errors.ConfigurationError(f"{service} has no RPC {method!r}")
    if descriptor.client_streaming or descriptor.server_streaming:
        raise errors.ConfigurationError(f"/{service}/{method} streams; only unary RPCs can be called")
    req = message_factory.GetMessageClass(descriptor.input_type)
    resp = message_factory.GetMessageClass(descriptor.output_type)
    for given, actual, what in ((request_type, req, "request"), (response_type, resp, "response")):
        if given is not None and given.DESCRIPTOR.full_name != actual.DESCRIPTOR.full_name:
            raise errors.ConfigurationError(
                f"/{service}/{method} takes {what} {actual.DESCRIPTOR.full_name}, "
                f"not {given.DESCRIPTOR.full_name}"
            )
    return Rpc(f"/{service}/{method}", req, resp, method.startswith(READ_PREFIXES))


def resolve_rpc(method: Rpc[Req, Resp] | str) -> Rpc[Req, Resp]:
    """``method`` itself when it is an ``Rpc``; else the handle of the path it names."""
    return method if isinstance(method, Rpc) else rpc_for(method)  # type: ignore[return-value]
