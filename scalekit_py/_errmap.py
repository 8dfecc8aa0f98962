"""The one place where transport failures become :mod:`scalekit_py.errors` exceptions.

gRPC failures are mapped from the status code plus the ``scalekit.v1.errdetails.ErrorInfo`` carried in
``grpc-status-details-bin``; OAuth HTTP failures from the RFC 6749 error JSON; httpx transport failures
to connection/timeout errors. Callers ``raise mapped from original``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scalekit_py import errors

if TYPE_CHECKING:
    import grpc
    import httpx

__all__ = [
    "GRPC_TO_HTTP",
    "TOOL_ERROR",
    "from_http_transport_error",
    "from_oauth_response",
    "from_proxy_response",
    "from_proxy_transport_error",
    "from_rpc_error",
    "is_tool_error",
]

# gRPC status name -> (exception class, HTTP status), after google.rpc.Code's documented HTTP mapping.
_GRPC_TABLE: dict[str, tuple[type[errors.APIError], int]] = {
    "INVALID_ARGUMENT": (errors.BadRequestError, 400),
    "OUT_OF_RANGE": (errors.BadRequestError, 400),
    "UNAUTHENTICATED": (errors.AuthenticationError, 401),
    "PERMISSION_DENIED": (errors.ForbiddenError, 403),
    "NOT_FOUND": (errors.NotFoundError, 404),
    "ALREADY_EXISTS": (errors.ConflictError, 409),
    "ABORTED": (errors.ConflictError, 409),
    "FAILED_PRECONDITION": (errors.PreconditionFailedError, 412),
    "RESOURCE_EXHAUSTED": (errors.RateLimitError, 429),
    "CANCELLED": (errors.ServerError, 499),
    "UNKNOWN": (errors.ServerError, 500),
    "INTERNAL": (errors.ServerError, 500),
    "DATA_LOSS": (errors.ServerError, 500),
    "UNIMPLEMENTED": (errors.UnimplementedError, 501),
    "UNAVAILABLE": (errors.ServiceUnavailableError, 503),
}
GRPC_TO_HTTP = {code: http for code, (_, http) in _GRPC_TABLE.items()}

_STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_INFO_TYPE = "type.googleapis.com/scalekit.v1.errdetails.ErrorInfo"
TOOL_ERROR = "TOOL_ERROR"
"""``ErrorInfo.error_code`` of a tool's own failure (the details are in ``ErrorInfo.tool_error_info``)."""


def _trailing(exc: grpc.RpcError) -> Mapping[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    getter = getattr(exc, "trailing_metadata", None)
    items = getter() if callable(getter) else None
    for key, value in items or ():
        out[key] = value
    return out


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def status_details(status_bin: bytes) -> list[bytes]:
    """The serialized ``google.protobuf.Any`` entries (field 3) of a serialized ``google.rpc.Status``.

    Decoded by hand so the runtime needs no googleapis-common-protos; raises ValueError when malformed.
    """
    out: list[bytes] = []
    pos = 0
    while pos < len(status_bin):
        key, pos = _varint(status_bin, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(status_bin, pos)
        elif wire == 2:
            size, pos = _varint(status_bin, pos)
            if pos + size > len(status_bin):
                raise ValueError("truncated field")
            if field == 3:
                out.append(status_bin[pos : pos + size])
            pos += size
        elif wire == 5:
            pos += 4
        elif wire == 1:
            pos += 8
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return out


def _error_info(details_bin: bytes) -> Any:
    """Decode ErrorInfo from a serialized google.rpc.Status; None when absent or undecodable."""
    from google.protobuf import any_pb2
    from google.protobuf.message import DecodeError

    from scalekit_api.v1.errdetails import errdetails_pb2

    try:
        for raw in status_details(details_bin):
            detail = any_pb2.Any.FromString(raw)
            if detail.type_url == _ERROR_INFO_TYPE:
                return errdetails_pb2.ErrorInfo.FromString(detail.value)
    except (ValueError, DecodeError):
        return None
    return None


def _exc_error_info(exc: grpc.RpcError) -> Any:
    raw = _trailing(exc).get(_STATUS_DETAILS_KEY)
    return _error_info(raw) if isinstance(raw, bytes) else None


def is_tool_error(exc: grpc.RpcError) -> bool:
    """Whether a failed call is a tool's own failure (``ErrorInfo.error_code`` ``TOOL_ERROR``).

    Such failures are never retried, whatever their gRPC code: the tool may have had effects.
    """
    info = _exc_error_info(exc)
    return info is not None and info.error_code == TOOL_ERROR


def from_rpc_error(exc: grpc.RpcError, *, write: bool = False) -> errors.ScalekitError:
    """Map a failed gRPC call to the SDK's exception; the caller raises it ``from exc``.

    ``write``: the RPC is not idempotent; a deadline or an UNAVAILABLE that may have come after the request
    reached the service (anything but a failure to connect) then raises an ``OutcomeUnknownError``.
    """
    code_obj = exc.code() if callable(getattr(exc, "code", None)) else None
    code = getattr(code_obj, "name", "UNKNOWN")
    details = exc.details() if callable(getattr(exc, "details", None)) else None
    message = details or code
    if code == "DEADLINE_EXCEEDED":
        if write:
            return errors.TimeoutOutcomeUnknownError(
                f"deadline exceeded; the write may have been applied: {message}"
            )
        return errors.APITimeoutError(f"deadline exceeded: {message}")
    if code == "UNAVAILABLE" and _looks_like_transport_failure(message):
        return errors.APIConnectionError(f"service unreachable: {message}")
    cls, http = _GRPC_TABLE.get(code, (errors.ServerError, 500))
    if code == "UNAVAILABLE" and write:
        cls = errors.UnavailableOutcomeUnknownError
    error_code = request_id = None
    violations: list[errors.FieldViolation] = []
    info = _exc_error_info(exc)
    if info is not None:
        error_code = info.error_code or None
        request_id = info.request_info.request_id or None
        violations = [
            errors.FieldViolation(v.field, v.description, v.constraint)
            for v in info.validation_error_info.field_violations
        ]
        if info.localized_message_info.message:
            message = info.localized_message_info.message
        if error_code == TOOL_ERROR:
            tool = info.tool_error_info
            return errors.ToolExecutionError(
                message,
                tool_error_code=tool.tool_error_code or None,
                tool_error_message=tool.tool_error_message or None,
                execution_id=tool.execution_id or None,
                grpc_code=code,
                http_status=http,
                error_code=error_code,
                request_id=request_id,
                field_violations=violations,
            )
    return cls(
        message,
        grpc_code=code,
        http_status=http,
        error_code=error_code,
        request_id=request_id,
        field_violations=violations,
    )


def _looks_like_transport_failure(message: str) -> bool:
    lowered = message.lower()
    return any(s in lowered for s in ("failed to connect", "connection refused", "dns resolution", "ssl"))


def from_oauth_response(
    status: int, body: bytes, headers: Mapping[str, str] | None = None
) -> errors.APIError:
    """Map a non-2xx answer of an OAuth endpoint (RFC 6749 §5.2 error JSON) to an exception."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    request_id = lowered.get("x-request-id")
    error = error_description = None
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error") if isinstance(data.get("error"), str) else None
        desc = data.get("error_description")
        error_description = desc if isinstance(desc, str) else None
    retry_after = _retry_after(lowered.get("retry-after"))
    if status == 429:
        return errors.RateLimitError(
            f"rate limited by the OAuth endpoint (HTTP {status})",
            http_status=status,
            request_id=request_id,
            retry_after=retry_after,
        )
    if status >= 500:
        cls = errors.ServiceUnavailableError if status == 503 else errors.ServerError
        return cls(
            f"OAuth endpoint failed (HTTP {status})",
            http_status=status,
            request_id=request_id,
            retry_after=retry_after,
        )
    error = error or f"http_{status}"
    message = f"{error}: {error_description}" if error_description else error
    oauth_cls: type[errors.OAuthError] = errors.OAuthError
    if status == 401 or error == "invalid_client":
        oauth_cls = errors.OAuthAuthenticationError
    return oauth_cls(
        message,
        error=error,
        error_description=error_description,
        http_status=status,
        request_id=request_id,
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (HTTP dates are ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if 0 <= seconds < 86_400 else None


def from_http_transport_error(exc: httpx.HTTPError) -> errors.ScalekitError:
    """Map an httpx failure that produced no response (connect, read, timeout)."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return errors.APITimeoutError(f"HTTP request timed out ({type(exc).__name__})")
    tls = _tls_failure(exc)
    if tls is not None and _hostname_mismatch(tls):
        return errors.APIConnectionError(
            "TLS handshake failed: the server's certificate is trusted but not issued for this host name "
            "(connect with a name the certificate lists)"
        )
    if tls is not None:
        return errors.APIConnectionError(
            "TLS handshake failed: the server's certificate is not trusted "
            "(for a private CA pass ca_file= or root_certificates=)"
        )
    return errors.APIConnectionError(f"HTTP request failed ({type(exc).__name__})")


# OpenSSL verify codes: X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH_CODES = frozenset({62, 64})


def _hostname_mismatch(exc: BaseException) -> bool:
    import ssl

    if not isinstance(exc, ssl.SSLCertVerificationError):
        return False
    message = str(getattr(exc, "verify_message", "") or "").lower()
    return getattr(exc, "verify_code", None) in _NAME_MISMATCH_CODES or "mismatch" in message


def _tls_failure(exc: BaseException) -> BaseException | None:
    """The ssl error somewhere in the exception's cause/context chain, if any."""
    import ssl

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


# --- proxied HTTP requests (client.actions.request) ---------------------------------------------------------

# HTTP status -> exception class: the first gRPC row of each status, plus the gateway statuses.
_HTTP_TABLE: dict[int, type[errors.APIError]] = {}
for _cls, _http in _GRPC_TABLE.values():
    _HTTP_TABLE.setdefault(_http, _cls)
_HTTP_TABLE.update(
    {422: errors.BadRequestError, 502: errors.ServiceUnavailableError, 504: errors.ServiceUnavailableError}
)
_BODY_EXCERPT = 500


def _body_excerpt(body: bytes) -> str:
    """The start of a response body for a message: text as is, JSON compacted, binary as a size."""
    if not body:
        return "(empty body)"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"({len(body)} bytes of binary data)"
    try:
        text = json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        text = " ".join(text.split())
    return text if len(text) <= _BODY_EXCERPT else text[:_BODY_EXCERPT] + "…"


def _json_error_code(body: bytes) -> str | None:
    """A machine-readable code from a JSON error body: ``error_code``, ``code``, an RFC 6749-style
    ``error`` token, or ``error.code``; ``None`` when there is none."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    nested = data.get("error")
    candidates = [data.get("error_code"), data.get("code"), nested]
    if isinstance(nested, dict):
        candidates.append(nested.get("code"))
    for value in candidates:
        if isinstance(value, str) and _CODE_TOKEN.match(value):
            return value
    return None


_CODE_TOKEN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def from_proxy_response(
    status: int, body: bytes, headers: Mapping[str, str], *, method: str, path: str, connection_name: str
) -> errors.APIError:
    """Map a non-2xx answer to a proxied request: the class follows the HTTP status, and the message
    names the request and quotes the upstream's status and the start of its body."""
    lowered = {k.lower(): v for k, v in headers.items()}
    cls = _HTTP_TABLE.get(status) or (errors.ServerError if status >= 500 else errors.APIError)
    reason = _reason(status)
    message = (
        f"proxied {method} {path} (connection {connection_name!r}) failed: "
        f"HTTP {status}{' ' + reason if reason else ''}: {_body_excerpt(body)}"
    )
    return cls(
        message,
        http_status=status,
        error_code=_json_error_code(body),
        request_id=lowered.get("x-request-id"),
        retry_after=_retry_after(lowered.get("retry-after")),
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def from_proxy_transport_error(exc: httpx.HTTPError, *, write: bool) -> errors.ScalekitError:
    """Map an httpx failure of a proxied request; for a write that may have been sent (anything but a
    failure to connect) the outcome is unknown, as for gRPC writes."""
    import httpx

    mapped = from_http_transport_error(exc)
    if not write or isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return mapped
    if isinstance(mapped, errors.APITimeoutError):
        return errors.TimeoutOutcomeUnknownError(f"{mapped.message}; the write may have been applied")
    return errors.UnavailableOutcomeUnknownError(
        f"{mapped.message}; the write may have been applied", http_status=503
    )
