"""Request validation from the field rules published in the wire contract (buf.validate text form).

Rules are read from ``scalekit_py/_contract`` once and evaluated on incoming messages, recursively into
message fields. Scalar rules apply when a field is populated, or always when the field is marked
``behavior=REQUIRED``; ``required: true`` demands it be populated.
Violations come back as (field path, description, constraint id) triples for ``ErrorInfo``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from google.protobuf.message import Message

from scalekit_py._contract import load

__all__ = ["parse_rules", "validate"]

FieldDescriptor = Any  # google.protobuf's pure and upb descriptor classes differ in the stubs

Violation = tuple[str, str, str]
_TOKEN = re.compile(
    r'\s*(?:(\{)|(\})|([A-Za-z_][A-Za-z0-9_]*)\s*:|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?))'
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_rules(text: str) -> dict[str, Any]:
    """Parse ``{string { min_len: 1 } required: true}`` into nested dicts; repeated keys become lists."""
    pos = 0

    def value(tok: re.Match[str]) -> Any:
        if tok[5] is not None:
            return bytes(tok[5][1:-1], "utf-8").decode("unicode_escape")
        if tok[6] is not None:
            return float(tok[6]) if "." in tok[6] else int(tok[6])
        word = tok[4]
        return {"true": True, "false": False}.get(word, word)

    def block() -> dict[str, Any]:
        nonlocal pos
        out: dict[str, Any] = {}
        while True:
            tok = _TOKEN.match(text, pos)
            if tok is None:
                raise ValueError(f"bad rule text at {pos}: {text!r}")
            pos = tok.end()
            if tok[2]:
                return out
            key = tok[3] or tok[4]
            nxt = _TOKEN.match(text, pos)
            if nxt is None:
                raise ValueError(f"bad rule text at {pos}: {text!r}")
            if nxt[1]:
                pos = nxt.end()
                val: Any = block()
            elif tok[3]:
                pos = nxt.end()
                val = value(nxt)
            else:
                raise ValueError(f"bad rule text at {pos}: {text!r}")
            if key in out:
                out[key] = [*out[key], val] if isinstance(out[key], list) else [out[key], val]
            else:
                out[key] = val

    first = _TOKEN.match(text, pos)
    if first is None or not first[1]:
        raise ValueError(f"rule text must start with '{{': {text!r}")
    pos = first.end()
    return block()


@functools.cache
def _rules() -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, msg in load().messages.items():
        rules = {}
        for f in msg.fields:
            if f.validate or (f.behavior and "REQUIRED" in f.behavior.split(",")):
                rules[f.name] = parse_rules(f.validate) if f.validate else {}
                # google.api.field_behavior REQUIRED: the rules apply to the empty value too.
                rules[f.name]["_apply_when_empty"] = bool(f.behavior and "REQUIRED" in f.behavior.split(","))
        if rules:
            out[name] = rules
    return out


def _listify(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _populated(msg: Message, f: FieldDescriptor) -> bool:
    if f.is_repeated:
        return len(getattr(msg, f.name)) > 0
    if f.has_presence:
        return msg.HasField(f.name)
    return bool(getattr(msg, f.name))


def _check_string(path: str, s: str, r: dict[str, Any], out: list[Violation]) -> None:
    if "min_len" in r and len(s) < r["min_len"]:
        out.append((path, f"must be at least {r['min_len']} characters", "string.min_len"))
    if "max_len" in r and len(s) > r["max_len"]:
        out.append((path, f"must be at most {r['max_len']} characters", "string.max_len"))
    if "prefix" in r and not s.startswith(r["prefix"]):
        out.append((path, f"must start with {r['prefix']!r}", "string.prefix"))
    if "pattern" in r and not re.search(r["pattern"], s):
        out.append((path, f"must match {r['pattern']}", "string.pattern"))
    if r.get("email") and not _EMAIL.match(s):
        out.append((path, "must be a valid email address", "string.email"))
    if "in" in r and s not in _listify(r["in"]):
        out.append((path, f"must be one of {_listify(r['in'])}", "string.in"))


def _check_number(path: str, n: float, r: dict[str, Any], kind: str, out: list[Violation]) -> None:
    for op, ok in (("lte", n <= r.get("lte", n)), ("gte", n >= r.get("gte", n))):
        if op in r and not ok:
            out.append((path, f"must be {op} {r[op]}", f"{kind}.{op}"))
    if "gt" in r and not n > r["gt"]:
        out.append((path, f"must be greater than {r['gt']}", f"{kind}.gt"))
    if "lt" in r and not n < r["lt"]:
        out.append((path, f"must be less than {r['lt']}", f"{kind}.lt"))


def _check_cel(path: str, msg: Message, value: Any, cel: dict[str, Any], out: list[Violation]) -> None:
    expr = str(cel.get("expression", ""))
    message = str(cel.get("message", "invalid value"))
    if m := re.fullmatch(r"!\(this\.(\w+) in \[([\d,\s]+)\]\)", expr):
        inner = getattr(value, m[1], None)
        if inner in {int(x) for x in m[2].split(",")}:
            out.append((path, message, str(cel.get("id", "cel"))))
    elif (
        (m := re.fullmatch(r"this\.matches\('(.*)'\)", expr))
        and isinstance(value, str)
        and not re.search(m[1], value)
    ):
        out.append((path, message, str(cel.get("id", "cel"))))


def _check_value(path: str, f: FieldDescriptor, value: Any, r: dict[str, Any], out: list[Violation]) -> None:
    if "string" in r and isinstance(value, str):
        _check_string(path, value, r["string"], out)
    for kind in ("int32", "int64", "uint32", "uint64"):
        if kind in r and isinstance(value, int):
            _check_number(path, value, r[kind], kind, out)
    if "enum" in r and f.enum_type is not None:
        er = r["enum"]
        if er.get("defined_only") and f.enum_type.values_by_number.get(value) is None:
            out.append((path, "must be a defined enum value", "enum.defined_only"))
        if "not_in" in er and value in _listify(er["not_in"]):
            out.append((path, f"must not be {value}", "enum.not_in"))
    if "duration" in r and isinstance(value, Message):
        seconds = getattr(value, "seconds", 0)
        d = r["duration"]
        if "lte" in d and seconds > d["lte"].get("seconds", 0):
            out.append((path, f"must be at most {d['lte']['seconds']}s", "duration.lte"))
        if "gte" in d and seconds < d["gte"].get("seconds", 0):
            out.append((path, f"must be at least {d['gte']['seconds']}s", "duration.gte"))


# google.protobuf.Timestamp: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, nanos 0..999,999,999.
_TIMESTAMP_SECONDS = (-62_135_596_800, 253_402_300_799)
_DURATION_SECONDS = 315_576_000_000
_NANOS = 999_999_999


def _check_wellformed(path: str, f: FieldDescriptor, value: Any, out: list[Violation]) -> None:
    """What every field must satisfy whatever its rules: a named enum number, a representable time."""
    if f.enum_type is not None and isinstance(value, int):
        if f.enum_type.values_by_number.get(value) is None:
            out.append((path, "must be a defined enum value", "enum.defined_only"))
        return
    if not isinstance(value, Message):
        return
    name = value.DESCRIPTOR.full_name
    seconds, nanos = getattr(value, "seconds", 0), getattr(value, "nanos", 0)
    if name == "google.protobuf.Timestamp" and not (
        _TIMESTAMP_SECONDS[0] <= seconds <= _TIMESTAMP_SECONDS[1] and 0 <= nanos <= _NANOS
    ):
        out.append((path, "must be a valid timestamp (years 1..9999, nanos 0..999999999)", "timestamp.valid"))
    elif name == "google.protobuf.Duration" and not (
        abs(seconds) <= _DURATION_SECONDS
        and abs(nanos) <= _NANOS
        and (seconds == 0 or nanos == 0 or (seconds > 0) == (nanos > 0))
    ):
        out.append((path, "must be a valid duration", "duration.valid"))


def validate(msg: Message, prefix: str = "") -> list[Violation]:
    """Every violation of the contract's field rules in ``msg`` and its nested messages, plus the
    well-formedness every field needs (defined enum numbers, representable timestamps and durations)."""
    return list(dict.fromkeys(_validate(msg, prefix)))


def _validate(msg: Message, prefix: str = "") -> list[Violation]:
    out: list[Violation] = []
    rules = _rules().get(msg.DESCRIPTOR.full_name, {})
    for f in msg.DESCRIPTOR.fields:
        path = f"{prefix}{f.name}"
        r = rules.get(f.name, {})
        populated = _populated(msg, f)
        if r.get("required") and not populated:
            out.append((path, "is required", "required"))
            continue
        if not populated and not (
            r.get("_apply_when_empty") and not f.is_repeated and f.message_type is None
        ):
            continue
        value = getattr(msg, f.name)
        is_map = f.message_type is not None and f.message_type.GetOptions().map_entry
        if is_map:
            mr = r.get("map", {})
            if "max_pairs" in mr and len(value) > mr["max_pairs"]:
                out.append((path, f"must have at most {mr['max_pairs']} entries", "map.max_pairs"))
            for k, v in value.items():
                if "keys" in mr:
                    _check_value(f"{path}[{k!r}]", f, k, mr["keys"], out)
                if "values" in mr and isinstance(v, str):
                    _check_value(f"{path}[{k!r}]", f, v, mr["values"], out)
            continue
        if f.is_repeated:
            rr = r.get("repeated", {})
            if "min_items" in rr and len(value) < rr["min_items"]:
                out.append((path, f"must have at least {rr['min_items']} items", "repeated.min_items"))
            if "max_items" in rr and len(value) > rr["max_items"]:
                out.append((path, f"must have at most {rr['max_items']} items", "repeated.max_items"))
            if rr.get("unique") and len(set(value)) != len(value):
                out.append((path, "items must be unique", "repeated.unique"))
            for i, item in enumerate(value):
                _check_wellformed(f"{path}[{i}]", f, item, out)
                if "items" in rr:
                    _check_value(f"{path}[{i}]", f, item, rr["items"], out)
                if isinstance(item, Message):
                    out.extend(_validate(item, f"{path}[{i}]."))
            continue
        _check_wellformed(path, f, value, out)
        _check_value(path, f, value, r, out)
        for cel in _listify(r.get("cel", [])):
            _check_cel(path, msg, value, cel, out)
        if isinstance(value, Message) and not value.DESCRIPTOR.full_name.startswith("google.protobuf."):
            out.extend(_validate(value, f"{path}."))
    return out
