"""A small JSON Schema checker for tool inputs: the subset the emulator's tool schemas use.

Supported keywords: ``type`` (object, string, integer, number, boolean, array, null), ``properties``,
``required``, ``additionalProperties`` (``false`` only), ``enum``, ``minLength``/``maxLength``,
``minimum``/``maximum``, ``items``, ``minItems``/``maxItems``. Anything else in a schema is ignored.
Violations are ``(field path, description, constraint)`` triples, the shape of the emulator's
INVALID_ARGUMENT field violations (``params.title``, ``params.tags[0]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["check"]

Violation = tuple[str, str, str]

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "string": (str,),
    "integer": (int, float),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    if not isinstance(value, _TYPES.get(name, (object,))):
        return False
    return name != "integer" or float(value).is_integer()  # type: ignore[arg-type]


def check(schema: Mapping[str, Any], value: Any, path: str = "params") -> list[Violation]:
    """Every way ``value`` breaks ``schema`` (empty: it conforms).

    Args:
        schema: the tool's ``input_schema``.
        value: the input (already JSON-decoded: a ``Struct`` converted to a dict).
        path: the name of ``value`` in the messages.

    Returns:
        The violations, in schema order.
    """
    expected = schema.get("type")
    if isinstance(expected, str) and not _is_type(value, expected):
        return [(path, f"must be of type {expected}", "type")]
    out: list[Violation] = []
    if "enum" in schema and value not in schema["enum"]:
        out.append((path, f"must be one of {list(schema['enum'])}", "enum"))
    if isinstance(value, str):
        out += _bounds(path, len(value), schema, "minLength", "maxLength", "characters")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append((path, f"must be >= {schema['minimum']}", "minimum"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append((path, f"must be <= {schema['maximum']}", "maximum"))
    elif isinstance(value, list):
        out += _bounds(path, len(value), schema, "minItems", "maxItems", "items")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                out += check(items, item, f"{path}[{index}]")
    elif isinstance(value, dict):
        out += _object(schema, value, path)
    return out


def _bounds(
    path: str, size: int, schema: Mapping[str, Any], low: str, high: str, unit: str
) -> list[Violation]:
    out: list[Violation] = []
    if low in schema and size < schema[low]:
        out.append((path, f"must have at least {schema[low]} {unit}", low))
    if high in schema and size > schema[high]:
        out.append((path, f"must have at most {schema[high]} {unit}", high))
    return out


def _object(schema: Mapping[str, Any], value: dict[str, Any], path: str) -> list[Violation]:
    out: list[Violation] = []
    properties = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value or value[name] is None:
            out.append((f"{path}.{name}", "is required", "required"))
    for name, item in value.items():
        sub = properties.get(name)
        if isinstance(sub, Mapping):
            out += check(sub, item, f"{path}.{name}")
        elif schema.get("additionalProperties") is False:
            out.append((f"{path}.{name}", "is not a parameter of this tool", "additionalProperties"))
    return out
