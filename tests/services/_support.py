"""Test helpers for the facades: recording fake callers and sample arguments built from type hints."""

from __future__ import annotations

import importlib
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._transport.rpc import Rpc
from scalekit_py.services import SERVICES

Responder = Callable[[Rpc[Any, Any], Any], Message]


@dataclass
class Call:
    """One recorded ``caller.call``."""

    rpc: Rpc[Any, Any]
    request: Any
    timeout: object
    retry: object


def default_response(rpc: Rpc[Any, Any], request: Message) -> Message:
    """A response with recognisable content: see :func:`example_message`."""
    return example_message(rpc.response_type)


@dataclass
class RecordingSyncCaller:
    """Records every call and answers with ``respond(rpc, request)``."""

    respond: Responder = default_response
    calls: list[Call] = field(default_factory=list)

    def call(self, rpc: Any, request: Any, *, timeout: Any = NOT_GIVEN, retry: Any = NOT_GIVEN) -> Any:
        self.calls.append(Call(rpc, request, timeout, retry))
        return self.respond(rpc, request)


@dataclass
class RecordingAsyncCaller:
    """Asyncio twin of :class:`RecordingSyncCaller`."""

    respond: Responder = default_response
    calls: list[Call] = field(default_factory=list)

    async def call(self, rpc: Any, request: Any, *, timeout: Any = NOT_GIVEN, retry: Any = NOT_GIVEN) -> Any:
        self.calls.append(Call(rpc, request, timeout, retry))
        return self.respond(rpc, request)


def service_class(attr: str, flavour: str) -> type[Any]:
    """The facade class behind ``client.<attr>`` for ``flavour`` ``"async"`` or ``"sync"``."""
    module, name = SERVICES[attr]
    mod = importlib.import_module(f"scalekit_py.services._{flavour}.{module}")
    cls: type[Any] = getattr(mod, ("Async" if flavour == "async" else "") + name)
    return cls


def example_message(cls: type[Message], depth: int = 0) -> Message:
    """An instance of ``cls`` whose first field is set, so it differs from an empty message."""
    message = cls()
    for fd in cls.DESCRIPTOR.fields:
        if _is_map(fd):
            value_fd = fd.message_type.fields_by_name["value"]  # type: ignore[union-attr]
            entries = getattr(message, fd.name)
            if value_fd.message_type is not None:
                entries["k"].CopyFrom(example_message(type(entries["k"]), depth + 1))
            else:
                entries["k"] = _scalar(value_fd)
            return message
        if fd.is_repeated:
            if fd.message_type is not None:
                getattr(message, fd.name).add()
            else:
                getattr(message, fd.name).append(_scalar(fd))
            return message
        if fd.message_type is not None:
            if depth > 3:
                continue
            sub = example_message(type(getattr(message, fd.name)), depth + 1)
            getattr(message, fd.name).CopyFrom(sub)
            return message
        setattr(message, fd.name, _scalar(fd))
        return message
    return message


def _is_map(fd: Any) -> bool:
    return fd.message_type is not None and fd.message_type.GetOptions().map_entry


def _scalar(fd: Any) -> object:
    if fd.type == FieldDescriptor.TYPE_STRING:
        return "x"
    if fd.type == FieldDescriptor.TYPE_BYTES:
        return b"x"
    if fd.type == FieldDescriptor.TYPE_BOOL:
        return True
    if fd.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 1.5
    return 1


def sample(hint: object, name: str, variant: int) -> object:
    """A value of type ``hint`` for parameter ``name``; variants 0 and 1 differ from each other."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return sample(options[0], name, variant)
    if hint is str:
        return f"{'vw'[variant]}-{name}"
    if hint is bool:
        return bool(variant)
    if hint is int:
        return 2 + variant
    if hint is bytes:
        return f"{'vw'[variant]}-{name}".encode()
    if hint is datetime:
        return datetime(2024, 1, 2 + variant, tzinfo=timezone.utc)
    if hint is timedelta:
        return timedelta(minutes=5 + variant)
    if origin is not None and issubclass(origin, Mapping):
        value_type = typing.get_args(hint)[1]
        return {f"k{variant}": sample(value_type if value_type is not object else str, name, variant)}
    if origin is not None and issubclass(origin, Sequence):
        (item,) = typing.get_args(hint)
        return [sample(item, name, variant)]
    if isinstance(hint, type) and issubclass(hint, Message):
        return hint() if variant == 0 else example_message(hint)
    raise AssertionError(f"no sample for {name}: {hint!r}")


def rpc_params(method: Callable[..., Any]) -> list[inspect.Parameter]:
    """The parameters of a facade method other than ``self``, ``timeout`` and ``retry``."""
    params = list(inspect.signature(method).parameters.values())
    return [p for p in params if p.name not in ("self", "timeout", "retry")]


def required_args(method: Callable[..., Any], variant: int = 0) -> tuple[list[object], dict[str, object]]:
    """Positional and keyword arguments for the parameters without a default.

    A required parameter typed ``X | None`` gets ``None`` in variant 0 (it is the "id or None" form).
    """
    hints = typing.get_type_hints(method)
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for p in rpc_params(method):
        if p.default is not inspect.Parameter.empty:
            continue
        optional = type(None) in typing.get_args(hints[p.name])
        value = None if optional and variant == 0 else sample(hints[p.name], p.name, variant)
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            args.append(value)
    return args, kwargs


def optional_value(method: Callable[..., Any], name: str) -> object:
    """A sample for an optional parameter that differs from its default."""
    hints = typing.get_type_hints(method)
    return sample(hints[name], name, 1)


EMPTY = "google.protobuf.Empty"


def unwrap_field(response_type: type[Message]) -> str | None:
    """The field a facade returns instead of the response, by the unwrap rule; ``None``: no unwrap."""
    fields = response_type.DESCRIPTOR.fields
    if len(fields) == 1 and fields[0].message_type is not None and not fields[0].is_repeated:
        return fields[0].name
    return None


__all__ = [
    "EMPTY",
    "Call",
    "RecordingAsyncCaller",
    "RecordingSyncCaller",
    "example_message",
    "optional_value",
    "required_args",
    "rpc_params",
    "sample",
    "service_class",
    "unwrap_field",
]
