"""Helpers of the end-to-end tests: one test body for both clients, a record of the facade methods
called, and the checks every mapped API error must pass.

The async client is driven through :class:`BlockingClient`: each facade coroutine runs to completion on
a dedicated event loop and each ``AsyncPager`` is wrapped in :class:`BlockingPager`, so a test written
against the blocking surface really runs the asyncio facades, pagers and channel.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import grpc
import pytest

from scalekit_py._client import AsyncScalekitClient, ScalekitClient
from scalekit_py.errors import APIError, ScalekitError
from scalekit_py.services import SERVICES
from scalekit_py.services._async._pager import AsyncPager

__all__ = [
    "FLAVOURS",
    "BlockingClient",
    "BlockingPager",
    "CallRecorder",
    "api_error",
    "assert_no_secret",
    "connected",
    "register_secret",
    "returns_none",
    "unique",
    "violated_fields",
]

FLAVOURS = ("sync", "async")
E = TypeVar("E", bound=APIError)
Runner = Callable[[Awaitable[Any]], Any]
_SECRETS: list[str] = []
CONVENIENCE = ("actions",)
"""Client attributes recorded like facades that are not RPC facades (``client.actions``)."""


def _identity(value: Any) -> Any:
    return value


def register_secret(secret: str) -> None:
    """Make :func:`api_error` check that ``secret`` never shows in an error's ``str`` / ``repr``."""
    _SECRETS.append(secret)


def unique(prefix: str = "e2e") -> str:
    """A short name no other test uses (letters, digits and ``_``: a valid role, key or search text)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@dataclass
class CallRecorder:
    """Which facade methods (``"<attribute>.<method>"``) the tests called, per flavour."""

    calls: dict[str, set[str]] = field(default_factory=lambda: {f: set() for f in FLAVOURS})

    def record(self, flavour: str, method: str) -> None:
        self.calls[flavour].add(method)


class BlockingPager:
    """An ``AsyncPager`` seen through the blocking ``Pager`` surface (items, ``pages()``, token)."""

    def __init__(self, pager: AsyncPager[Any, Any], run: Runner) -> None:
        self._pager = pager
        self._run = run

    @property
    def next_page_token(self) -> str | None:
        return self._pager.next_page_token

    @property
    def page_size(self) -> int | None:
        return self._pager.page_size

    @property
    def limit(self) -> int | None:
        return self._pager.limit

    def __iter__(self) -> BlockingPager:
        return self

    def __next__(self) -> Any:
        try:
            return self._run(self._pager.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None

    def pages(self) -> Iterator[Any]:
        pages = self._pager.pages()
        while True:
            try:
                yield self._run(pages.__anext__())
            except StopAsyncIteration:
                return


class _Facade:
    """One service facade whose method calls are recorded (and, for asyncio, run to completion)."""

    def __init__(
        self, facade: object, attribute: str, flavour: str, recorder: CallRecorder, run: Runner | None
    ) -> None:
        self._facade = facade
        self._attribute = attribute
        self._flavour = flavour
        self._recorder = recorder
        self._run = run

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._facade, name)
        if name.startswith("_") or not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = target(*args, **kwargs)
                if self._run is not None and inspect.isawaitable(result):
                    result = self._run(result)
                elif self._run is not None and isinstance(result, AsyncPager):
                    result = BlockingPager(result, self._run)
            except ScalekitError:
                self._record(name)  # the call reached the transport: it counts
                raise
            self._record(name)
            return result

        return call

    def _record(self, name: str) -> None:
        self._recorder.record(self._flavour, f"{self._attribute}.{name}")


class BlockingClient:
    """A client whose facades record their calls; with ``run``, an asyncio client driven blockingly.

    Attributes that are not service facades (``env_url``, ``token_source``, ...) come from the client.
    """

    def __init__(
        self, client: object, flavour: str, recorder: CallRecorder, run: Runner | None = None
    ) -> None:
        self._client = client
        self._run = run
        self._facades = {
            attribute: _Facade(getattr(client, attribute), attribute, flavour, recorder, run)
            for attribute in (*SERVICES, *CONVENIENCE)
        }
        self.flavour = flavour
        self.run: Runner = run if run is not None else _identity

    def drive(self, value: Any) -> Any:
        """``value`` itself, or for the asyncio client, the awaitable run to completion."""
        return self.run(value) if inspect.isawaitable(value) else value

    def __getattr__(self, name: str) -> Any:
        facades = self.__dict__.get("_facades", {})
        if name in facades:
            return facades[name]
        return getattr(self.__dict__["_client"], name)

    def __repr__(self) -> str:
        return repr(self._client)

    def resolve(self, value: Any) -> Any:
        """``value``; for the asyncio client, an awaitable ``value`` run to completion on its loop.

        For the client's own non-facade coroutine methods: ``client.resolve(client.validate_token(t))``.
        """
        if self._run is not None and inspect.isawaitable(value):
            return self._run(value)
        return value


@contextmanager
def connected(
    flavour: str, recorder: CallRecorder, env_url: str, client_id: str, client_secret: str, **options: Any
) -> Iterator[ScalekitClient]:
    """A recording client of one flavour, closed on exit; typed as the blocking client it behaves like.

    For ``"async"``, an ``AsyncScalekitClient`` on a dedicated event loop: every facade coroutine is run
    to completion there, so its channel and token source always live on that one loop.
    """
    if flavour == "sync":
        sync = ScalekitClient(env_url, client_id, client_secret, **options)
        try:
            yield cast(ScalekitClient, BlockingClient(sync, flavour, recorder))
        finally:
            sync.close()
        return
    loop = asyncio.new_event_loop()
    aio = AsyncScalekitClient(env_url, client_id, client_secret, **options)
    try:
        yield cast(ScalekitClient, BlockingClient(aio, flavour, recorder, loop.run_until_complete))
    finally:
        loop.run_until_complete(aio.aclose())
        loop.close()


def assert_no_secret(text: str, *secrets: str) -> None:
    """Fail if any of ``secrets`` (or a 12-character piece of one) occurs in ``text``."""
    for secret in secrets:
        assert secret not in text
        for i in range(0, max(len(secret) - 12, 0) + 1, 6):
            assert secret[i : i + 12] not in text, "a piece of a secret leaked"


def api_error(
    cls: type[E],
    call: Callable[[], object],
    *,
    grpc_code: str,
    error_code: str | None = None,
    secrets: tuple[str, ...] = (),
) -> E:
    """Run ``call``, which must fail with exactly ``cls`` mapped from a gRPC status; return the error.

    Checks what every mapped error promises: the exact class, its gRPC code and HTTP status, the
    service's ``error_code``, a ``grpc.RpcError`` as ``__cause__`` (``raise ... from``) but never as the
    raised exception, and no secret in ``str`` / ``repr``.
    """
    with pytest.raises(Exception) as info:  # noqa: PT011 - the exact class is checked below
        call()
    err = info.value
    assert isinstance(err, APIError), f"expected {cls.__name__}, got {type(err).__name__}: {err}"
    assert type(err) is cls, f"expected {cls.__name__}, got {type(err).__name__}: {err}"
    assert isinstance(err, cls)
    assert not isinstance(err, grpc.RpcError)
    assert err.grpc_code == grpc_code
    assert err.http_status == cls.http_status
    if error_code is not None:
        assert err.error_code == error_code
    assert isinstance(err.__cause__, grpc.RpcError), "the gRPC error must be chained as __cause__"
    assert str(err)
    assert err.message
    for text in (str(err), repr(err)):
        assert_no_secret(text, *_SECRETS, *secrets)
    return err


def returns_none(call: Callable[[], object]) -> None:
    """Run ``call`` and check it returned ``None`` (the unwrap rule for ``google.protobuf.Empty``).

    Taking a callable keeps the check in the typed tests: the blocking facades are typed ``-> None``.
    """
    result = call()
    assert result is None, f"expected None, got {type(result).__name__}"


def violated_fields(err: APIError) -> set[str]:
    """The field paths of an error's field violations."""
    return {v.field for v in err.field_violations}
