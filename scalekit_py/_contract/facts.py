"""The wire facts of a set of ``.proto`` files, as plain data that compares and serializes as JSON.

One normal form for three sources: the upstream release's descriptors (``tools/update_api.py``), the
fixture kept in ``tests/fixtures/`` and our own compiled ``generated/`` modules (the parity test).
Only what changes the wire is kept: services, RPC paths, request/response types and streaming
flags; messages with every field's number, name, type and label; enums with every value.

File names are normalised to the upstream import root (``scalekit/v1/...``): ours live under
``scalekit_api/`` so that the generated package never shadows the official SDK's ``scalekit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf import descriptor_pb2

__all__ = [
    "OUR_ROOT",
    "SCALARS",
    "UPSTREAM_ROOT",
    "Facts",
    "counts",
    "differences",
    "facts",
    "label_of",
    "type_of",
    "upstream_name",
]

UPSTREAM_ROOT = "scalekit/"
OUR_ROOT = "scalekit_api/"

Facts = dict[str, dict[str, Any]]
_F = descriptor_pb2.FieldDescriptorProto

SCALARS = {
    _F.TYPE_STRING: "string",
    _F.TYPE_BOOL: "bool",
    _F.TYPE_BYTES: "bytes",
    _F.TYPE_INT32: "int32",
    _F.TYPE_INT64: "int64",
    _F.TYPE_UINT32: "uint32",
    _F.TYPE_UINT64: "uint64",
    _F.TYPE_DOUBLE: "double",
    _F.TYPE_FLOAT: "float",
    _F.TYPE_SINT32: "sint32",
    _F.TYPE_SINT64: "sint64",
    _F.TYPE_FIXED32: "fixed32",
    _F.TYPE_FIXED64: "fixed64",
    _F.TYPE_SFIXED32: "sfixed32",
    _F.TYPE_SFIXED64: "sfixed64",
}


def upstream_name(file: str) -> str:
    """``scalekit_api/v1/x.proto`` -> ``scalekit/v1/x.proto``; other names unchanged."""
    return UPSTREAM_ROOT + file[len(OUR_ROOT) :] if file.startswith(OUR_ROOT) else file


def _index(files: Iterable[descriptor_pb2.FileDescriptorProto]) -> dict[str, descriptor_pb2.DescriptorProto]:
    out: dict[str, descriptor_pb2.DescriptorProto] = {}

    def walk(prefix: str, msgs: Iterable[descriptor_pb2.DescriptorProto]) -> None:
        for m in msgs:
            out[f"{prefix}.{m.name}"] = m
            walk(f"{prefix}.{m.name}", m.nested_type)

    for fd in files:
        walk(fd.package, fd.message_type)
    return out


def type_of(f: descriptor_pb2.FieldDescriptorProto, index: dict[str, descriptor_pb2.DescriptorProto]) -> str:
    """``string``, ``enum pkg.E``, ``pkg.M`` or ``map<K,V>`` (names without the leading dot)."""
    name = f.type_name.lstrip(".")
    if f.type == _F.TYPE_ENUM:
        return f"enum {name}"
    if f.type in (_F.TYPE_MESSAGE, _F.TYPE_GROUP):
        entry = index.get(name)
        if entry is not None and entry.options.map_entry:
            key, value = entry.field[0], entry.field[1]
            return f"map<{type_of(key, index)},{type_of(value, index)}>"
        return name
    return SCALARS[f.type]


def label_of(
    f: descriptor_pb2.FieldDescriptorProto,
    msg: descriptor_pb2.DescriptorProto,
    index: dict[str, descriptor_pb2.DescriptorProto],
) -> str:
    """``singular`` (implicit presence or message), ``optional``, ``repeated``, ``map`` or ``oneof:NAME``."""
    if f.label == _F.LABEL_REPEATED:
        entry = index.get(f.type_name.lstrip("."))
        return "map" if entry is not None and entry.options.map_entry else "repeated"
    if f.proto3_optional:
        return "optional"
    if f.HasField("oneof_index"):
        return f"oneof:{msg.oneof_decl[f.oneof_index].name}"
    return "singular"


def facts(files: Iterable[descriptor_pb2.FileDescriptorProto], *, packages: str = "scalekit.v1.") -> Facts:
    """The wire facts of every service, message and enum whose package starts with ``packages``."""
    files = list(files)
    index = _index(files)
    services: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    enums: dict[str, Any] = {}

    def add_message(prefix: str, m: descriptor_pb2.DescriptorProto, file: str) -> None:
        name = f"{prefix}.{m.name}"
        if not m.options.map_entry:
            messages[name] = {
                "file": file,
                "fields": [
                    [f.number, f.name, type_of(f, index), label_of(f, m, index)]
                    for f in sorted(m.field, key=lambda x: x.number)
                ],
            }
        for e in m.enum_type:
            enums[f"{name}.{e.name}"] = {"file": file, "values": [[v.name, v.number] for v in e.value]}
        for n in m.nested_type:
            add_message(name, n, file)

    for fd in files:
        if not fd.package.startswith(packages):
            continue
        file = upstream_name(fd.name)
        for s in fd.service:
            services[f"{fd.package}.{s.name}"] = {
                "file": file,
                "rpcs": [
                    [
                        r.name,
                        r.input_type.lstrip("."),
                        r.output_type.lstrip("."),
                        bool(r.client_streaming),
                        bool(r.server_streaming),
                    ]
                    for r in s.method
                ],
            }
        for m in fd.message_type:
            add_message(fd.package, m, file)
        for e in fd.enum_type:
            enums[f"{fd.package}.{e.name}"] = {"file": file, "values": [[v.name, v.number] for v in e.value]}
    return {
        "services": dict(sorted(services.items())),
        "messages": dict(sorted(messages.items())),
        "enums": dict(sorted(enums.items())),
    }


def counts(f: Facts) -> dict[str, int]:
    """Services, RPCs, messages, enums and enum values."""
    return {
        "services": len(f["services"]),
        "rpcs": sum(len(s["rpcs"]) for s in f["services"].values()),
        "messages": len(f["messages"]),
        "fields": sum(len(m["fields"]) for m in f["messages"].values()),
        "enums": len(f["enums"]),
        "enum_values": sum(len(e["values"]) for e in f["enums"].values()),
    }


def differences(expected: Facts, actual: Facts) -> list[str]:
    """Every way ``actual`` differs from ``expected``, most important first, one line each."""
    out: list[str] = []
    for kind in ("services", "messages", "enums"):
        want, got = expected[kind], actual[kind]
        for name in want.keys() - got.keys():
            out.append(f"{kind[:-1]} {name}: missing")
        for name in got.keys() - want.keys():
            out.append(f"{kind[:-1]} {name}: not in the contract")
    for name, svc in expected["services"].items():
        other = actual["services"].get(name)
        if other is None:
            continue
        ours = {r[0]: r for r in other["rpcs"]}
        for rpc in svc["rpcs"]:
            mine = ours.pop(rpc[0], None)
            if mine is None:
                out.append(f"rpc /{name}/{rpc[0]}: missing")
            elif list(mine) != list(rpc):
                out.append(f"rpc /{name}/{rpc[0]}: {list(mine)[1:]} != {list(rpc)[1:]}")
        out.extend(f"rpc /{name}/{extra}: not in the contract" for extra in ours)
    for name, msg in expected["messages"].items():
        other = actual["messages"].get(name)
        if other is None:
            continue
        ours_f = {f[0]: f for f in other["fields"]}
        for number, fname, ftype, label in msg["fields"]:
            mine_f = ours_f.pop(number, None)
            where = f"message {name} field {number} ({fname})"
            if mine_f is None:
                out.append(f"{where}: missing")
                continue
            pairs = (("name", mine_f[1], fname), ("type", mine_f[2], ftype), ("label", mine_f[3], label))
            for what, a, b in pairs:
                if a != b:
                    out.append(f"{where}: {what} {a!r} != {b!r}")
        out.extend(f"message {name} field {n} ({f[1]}): not in the contract" for n, f in ours_f.items())
    for name, enum in expected["enums"].items():
        other = actual["enums"].get(name)
        if other is not None and [list(v) for v in other["values"]] != [list(v) for v in enum["values"]]:
            out.append(f"enum {name}: values {other['values']} != {enum['values']}")
    return out
