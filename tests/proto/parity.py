"""Compare compiled descriptors with the published contract; name every difference."""

from __future__ import annotations

import importlib
import pkgutil

from google.protobuf import descriptor, descriptor_pool

import scalekit_api
from scalekit_py._contract import Contract

_SCALARS = {
    descriptor.FieldDescriptor.TYPE_STRING: "string",
    descriptor.FieldDescriptor.TYPE_BOOL: "bool",
    descriptor.FieldDescriptor.TYPE_BYTES: "bytes",
    descriptor.FieldDescriptor.TYPE_INT32: "int32",
    descriptor.FieldDescriptor.TYPE_INT64: "int64",
    descriptor.FieldDescriptor.TYPE_UINT32: "uint32",
    descriptor.FieldDescriptor.TYPE_UINT64: "uint64",
    descriptor.FieldDescriptor.TYPE_DOUBLE: "double",
    descriptor.FieldDescriptor.TYPE_FLOAT: "float",
    descriptor.FieldDescriptor.TYPE_SINT32: "sint32",
    descriptor.FieldDescriptor.TYPE_SINT64: "sint64",
    descriptor.FieldDescriptor.TYPE_FIXED32: "fixed32",
    descriptor.FieldDescriptor.TYPE_FIXED64: "fixed64",
    descriptor.FieldDescriptor.TYPE_SFIXED32: "sfixed32",
    descriptor.FieldDescriptor.TYPE_SFIXED64: "sfixed64",
}


def load_generated() -> list[descriptor.FileDescriptor]:
    """Import every generated `_pb2` module and return their file descriptors."""
    files = []
    for info in pkgutil.walk_packages(scalekit_api.__path__, "scalekit_api."):
        if info.name.endswith("_pb2"):
            files.append(importlib.import_module(info.name).DESCRIPTOR)
    return files


def _is_map(f: descriptor.FieldDescriptor) -> bool:
    return f.message_type is not None and f.message_type.GetOptions().map_entry


def type_of(f: descriptor.FieldDescriptor) -> str:
    entry = f.message_type
    if entry is not None and entry.GetOptions().map_entry:
        key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
        return f"map<{type_of(key)},{type_of(value)}>"
    if f.enum_type is not None:
        return f"enum {f.enum_type.full_name}"
    if entry is not None:
        return str(entry.full_name)
    return _SCALARS[f.type]


def label_of(f: descriptor.FieldDescriptor) -> str:
    if _is_map(f):
        return "map"
    if f.is_repeated:
        return "repeated"
    oneof = f.containing_oneof
    if oneof is not None:
        # proto3 `optional` is a synthetic one-field oneof named `_<field>`.
        if oneof.name == f"_{f.name}" and len(oneof.fields) == 1 and f.has_presence:
            return "optional"
        return f"oneof:{oneof.name}"
    return "singular"


def _walk_messages(msgs: list[descriptor.Descriptor]) -> list[descriptor.Descriptor]:
    out = []
    for m in msgs:
        if m.GetOptions().map_entry:
            continue
        out.append(m)
        out.extend(_walk_messages(list(m.nested_types)))
    return out


def differences(contract: Contract, pool: descriptor_pool.DescriptorPool | None = None) -> list[str]:
    """Every difference between the contract and the compiled descriptors, contract order."""
    pool = pool or descriptor_pool.Default()
    files = load_generated()
    diffs: list[str] = []

    for sname, svc in contract.services.items():
        try:
            sd = pool.FindServiceByName(sname)
        except KeyError:
            diffs.append(f"service {sname}: missing")
            continue
        ours = {m.name: m for m in sd.methods}
        for rpc in svc.rpcs:
            m = ours.pop(rpc.name, None)
            path = f"/{sname}/{rpc.name}"
            if m is None:
                diffs.append(f"rpc {path}: missing")
                continue
            if m.client_streaming or m.server_streaming:
                diffs.append(f"rpc {path}: must be unary")
            if m.input_type.full_name != rpc.input:
                diffs.append(f"rpc {path}: request {m.input_type.full_name} != {rpc.input}")
            if m.output_type.full_name != rpc.output:
                diffs.append(f"rpc {path}: response {m.output_type.full_name} != {rpc.output}")
        diffs.extend(f"rpc /{sname}/{extra}: not in the contract" for extra in sorted(ours))

    for mname, msg in contract.messages.items():
        try:
            md = pool.FindMessageTypeByName(mname)
        except KeyError:
            diffs.append(f"message {mname}: missing")
            continue
        by_number = {f.number: f for f in md.fields}
        for spec in msg.fields:
            f = by_number.pop(spec.number, None)
            where = f"message {mname} field {spec.number}"
            if f is None:
                diffs.append(f"{where} ({spec.name}): missing")
                continue
            got = (f.name, type_of(f), label_of(f))
            want = (spec.name, spec.type, spec.label)
            for what, g, w in zip(("name", "type", "label"), got, want, strict=True):
                if g != w:
                    diffs.append(f"{where} ({spec.name}): {what} {g!r} != {w!r}")
        diffs.extend(f"message {mname} field {n}: not in the contract" for n in sorted(by_number))

    for ename, enum in contract.enums.items():
        try:
            ed = pool.FindEnumTypeByName(ename)
        except KeyError:
            diffs.append(f"enum {ename}: missing")
            continue
        got_values = [(v.name, v.number) for v in ed.values]
        if got_values != list(enum.values):
            diffs.append(f"enum {ename}: values {got_values} != {list(enum.values)}")

    # Nothing beyond the contract in our own files.
    for fd in files:
        for md in _walk_messages(list(fd.message_types_by_name.values())):
            if md.full_name not in contract.messages:
                diffs.append(f"message {md.full_name}: not in the contract")
        for ed in fd.enum_types_by_name.values():
            if ed.full_name not in contract.enums:
                diffs.append(f"enum {ed.full_name}: not in the contract")
        for sd in fd.services_by_name.values():
            if sd.full_name not in contract.services:
                diffs.append(f"service {sd.full_name}: not in the contract")
    return diffs
