"""Pure request-building helpers shared by the sync and async facades.

Facade methods take plain Python values; :func:`fill` puts them into a protobuf message with one
set of conversions, so both flavours build byte-identical requests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from google.protobuf.message import Message

__all__ = ["fill", "merged"]

M = TypeVar("M", bound=Message)

_WRAPPERS = frozenset(
    f"google.protobuf.{name}Value"
    for name in ("Bool", "Bytes", "Double", "Float", "Int32", "Int64", "String", "UInt32", "UInt64")
)


def merged(base: M | None, cls: type[M]) -> M:
    """A fresh ``cls`` message holding a copy of ``base`` (the caller's message is never mutated).

    Args:
        base: a message the caller passed in, or ``None``.
        cls: the message class to build.

    Returns:
        A new message; empty when ``base`` is ``None``.
    """
    message = cls()
    if base is not None:
        message.CopyFrom(base)
    return message


def fill(message: M, **fields: object) -> M:
    """Set fields of ``message`` from plain Python values and return it.

    ``None`` leaves a field untouched, so the service's default applies. Maps and repeated fields
    are replaced. A message-typed field takes a message of its type, and also: a ``datetime`` for
    ``Timestamp`` (naive means UTC), a mapping for ``Struct``, a sequence of paths for
    ``FieldMask``, a ``timedelta`` for ``Duration``, a sequence of JSON values for ``ListValue``,
    a plain value for the ``google.protobuf.*Value`` wrappers.

    Args:
        message: the message to change.
        **fields: field name -> value.

    Returns:
        ``message`` itself.

    Raises:
        TypeError: a name is not a field of the message, a value has the wrong type, or two members
            of one ``oneof`` were given (only one can be sent).
    """
    chosen: dict[str, str] = {}
    for name, value in fields.items():
        if value is None:
            continue
        field = message.DESCRIPTOR.fields_by_name.get(name)
        if field is None:
            raise TypeError(f"{type(message).__name__} has no field {name!r}")
        oneof = field.containing_oneof
        if oneof is not None and len(oneof.fields) > 1:
            if oneof.name in chosen:
                raise TypeError(
                    f"{chosen[oneof.name]!r} and {name!r} are alternatives "
                    f"({type(message).__name__}.{oneof.name}): pass only one"
                )
            chosen[oneof.name] = name
        _set(message, name, value)
    return message


def _set(message: Message, name: str, value: object) -> None:
    field = message.DESCRIPTOR.fields_by_name[name]
    entry = field.message_type
    try:
        if entry is not None and entry.GetOptions().map_entry:
            if not isinstance(value, Mapping):
                raise TypeError("expected a mapping")
            target = getattr(message, name)
            target.clear()
            target.update(value)
        elif field.is_repeated:
            if isinstance(value, (str, bytes, Mapping)):
                raise TypeError("expected a sequence")
            items = getattr(message, name)
            del items[:]
            items.extend(value)
        elif entry is not None:
            _set_message(getattr(message, name), entry.full_name, value)
        else:
            setattr(message, name, value)
    except (AttributeError, TypeError, ValueError) as exc:
        raise TypeError(f"{type(message).__name__}.{name}: {exc}") from exc


def _set_message(target: Message, full_name: str, value: object) -> None:
    if isinstance(value, Message):
        target.CopyFrom(value)
    elif full_name == "google.protobuf.Timestamp" and isinstance(value, datetime):
        target.FromDatetime(value)  # type: ignore[attr-defined]
    elif full_name == "google.protobuf.Duration" and isinstance(value, timedelta):
        target.FromTimedelta(value)  # type: ignore[attr-defined]
    elif (
        full_name == "google.protobuf.ListValue"
        and isinstance(value, Sequence)
        and not isinstance(value, str)
    ):
        target.Clear()
        target.extend(list(value))  # type: ignore[attr-defined]
    elif full_name == "google.protobuf.Struct" and isinstance(value, Mapping):
        target.Clear()
        target.update(value)  # type: ignore[attr-defined]
    elif (
        full_name == "google.protobuf.FieldMask"
        and isinstance(value, Sequence)
        and not isinstance(value, str)
    ):
        target.paths[:] = list(value)  # type: ignore[attr-defined]
    elif full_name in _WRAPPERS:
        target.value = value  # type: ignore[attr-defined]
    else:
        raise TypeError(f"expected a {full_name} message, got {type(value).__name__}")
