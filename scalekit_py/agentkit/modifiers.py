"""Tool modifiers: functions that rewrite a tool's input before it runs, or its output after.

A modifier is registered for one or more tool names and has a kind: ``"pre"`` (it receives the tool input
dict and returns the input to send) or ``"post"`` (it receives the result dict and returns the result to
hand back). The order is defined and documented in ``docs/agentkit.md``:

1. the caller's ``tool_input`` is deep-copied, so neither the caller's dict nor a modifier's mutation of
   it leaks across calls;
2. every ``pre`` modifier registered for the tool runs, in registration order, each receiving what the
   previous one returned;
3. the tool is executed with the final input;
4. every ``post`` modifier registered for the tool runs, in registration order, on the result data.

A modifier that returns anything but a ``dict`` raises :class:`TypeError` (a forgotten ``return`` would
otherwise send an empty input). Exceptions raised by a modifier propagate unchanged: they are the
caller's code. Everything here is pure and shared by the blocking and the asyncio clients.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

__all__ = [
    "Modifier",
    "ModifierFunction",
    "ModifierRegistry",
    "ModifierType",
    "ToolInput",
    "ToolNames",
    "ToolOutput",
    "apply_modifiers",
]

ToolInput = dict[str, Any]
"""The parameters a tool is executed with (a JSON object)."""
ToolOutput = dict[str, Any]
"""The data a tool execution returned (a JSON object)."""
ModifierType = Literal["pre", "post"]
ToolNames = str | Iterable[str]
ModifierFunction = Callable[[dict[str, Any]], dict[str, Any]]
"""``pre``: ``(tool_input) -> tool_input``; ``post``: ``(tool_output) -> tool_output``."""

F = TypeVar("F", bound=ModifierFunction)
_KINDS: tuple[ModifierType, ...] = ("pre", "post")


def _names(tool_names: ToolNames) -> tuple[str, ...]:
    names = (tool_names,) if isinstance(tool_names, str) else tuple(tool_names)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ValueError("tool_names must be a non-empty tool name or a non-empty list of them")
    return names


@dataclass(frozen=True)
class Modifier:
    """One registered modifier.

    Attributes:
        tool_names: the tools it applies to (exact names).
        type: ``"pre"`` (rewrites the input) or ``"post"`` (rewrites the output).
        func: the function; it gets a dict and must return a dict.
    """

    tool_names: tuple[str, ...]
    type: ModifierType
    func: ModifierFunction

    @classmethod
    def create(cls, tool_names: ToolNames, modifier_type: ModifierType, func: ModifierFunction) -> Modifier:
        """A validated modifier (``tool_names`` may be one name or several).

        Raises:
            ValueError: no tool name, or ``modifier_type`` is not ``"pre"`` / ``"post"``.
            TypeError: ``func`` is not callable.
        """
        if modifier_type not in _KINDS:
            raise ValueError(f"modifier_type must be 'pre' or 'post', got {modifier_type!r}")
        if not callable(func):
            raise TypeError("a modifier must be a callable taking and returning a dict")
        return cls(_names(tool_names), modifier_type, func)

    def applies_to(self, tool_name: str) -> bool:
        return tool_name in self.tool_names


def apply_modifiers(
    tool_name: str, data: Mapping[str, Any], modifiers: Iterable[Modifier], modifier_type: ModifierType
) -> dict[str, Any]:
    """Run the ``modifier_type`` modifiers of ``tool_name`` over a deep copy of ``data``, in order.

    Returns:
        What the last applicable modifier returned (a copy of ``data`` when none applies).

    Raises:
        TypeError: a modifier returned something other than a dict.
    """
    current: dict[str, Any] = copy.deepcopy(dict(data))
    for modifier in modifiers:
        if modifier.type != modifier_type or not modifier.applies_to(tool_name):
            continue
        result = modifier.func(current)
        if not isinstance(result, dict):
            name = getattr(modifier.func, "__qualname__", repr(modifier.func))
            raise TypeError(
                f"{modifier_type}-modifier {name} for tool {tool_name!r} returned "
                f"{type(result).__name__}, not a dict (did it forget to return the data?)"
            )
        current = result
    return current


class ModifierRegistry:
    """The modifiers of one actions client, in registration order; safe to use from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Modifier] = []

    def add(self, modifier: Modifier) -> None:
        """Register ``modifier`` after the ones already registered.

        Raises:
            TypeError: ``modifier`` is not a :class:`Modifier`.
        """
        if not isinstance(modifier, Modifier):
            raise TypeError(f"expected a Modifier, got {type(modifier).__name__}")
        with self._lock:
            self._items.append(modifier)

    def snapshot(self) -> tuple[Modifier, ...]:
        """The registered modifiers now (a call uses one snapshot from start to end)."""
        with self._lock:
            return tuple(self._items)

    def select(
        self, tool_name: str | None = None, modifier_type: ModifierType | None = None
    ) -> list[Modifier]:
        """Registered modifiers, optionally only those of ``tool_name`` and/or of ``modifier_type``."""
        return [
            m
            for m in self.snapshot()
            if (tool_name is None or m.applies_to(tool_name))
            and (modifier_type is None or m.type == modifier_type)
        ]

    def decorator(self, tool_names: ToolNames, modifier_type: ModifierType) -> Callable[[F], F]:
        """A decorator registering the decorated function as a modifier; it returns the function as is."""
        names = _names(tool_names)

        def register(func: F) -> F:
            self.add(Modifier.create(names, modifier_type, func))
            return func

        return register

    def apply_pre(self, tool_name: str, tool_input: Mapping[str, Any]) -> ToolInput:
        """``tool_input`` after every ``pre`` modifier of ``tool_name`` (see the module docstring)."""
        return apply_modifiers(tool_name, tool_input, self.snapshot(), "pre")

    def apply_post(self, tool_name: str, tool_output: Mapping[str, Any]) -> ToolOutput:
        """``tool_output`` after every ``post`` modifier of ``tool_name``."""
        return apply_modifiers(tool_name, tool_output, self.snapshot(), "post")
