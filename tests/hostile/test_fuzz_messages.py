"""Random request messages built from the descriptors, sent through gRPC to every RPC of the emulator:
whatever the values (unnamed enum numbers, timestamps past year 9999 or with negative nanos, huge
numbers, NUL and non-BMP strings), no answer is UNKNOWN or INTERNAL. The seed is fixed."""

from __future__ import annotations

import importlib
import random
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from scalekit_py._contract import load
from scalekit_py.emulator import Emulator
from tests.emulator.conftest import _BearerInterceptor

CONTRACT = load()
SEED = 20261204
CASES_PER_RPC = 12
_INTS = [0, 1, -1, 7, 999, 2**31 - 1, -(2**31), 2**53]
_STRINGS = ["", "a", "org_1", "usr_1", " ", "\x00", "a\x00b", "x" * 300, "\U0001f600", "é", "a@b.co", "%00"]


def _import_generated() -> None:
    for service in CONTRACT.services.values():
        module = (
            service.file.removesuffix(".proto").replace("/", ".").replace("scalekit.", "scalekit_api.", 1)
        )
        importlib.import_module(f"{module}_pb2")


def _message_class(full_name: str) -> type[Message]:
    descriptor = descriptor_pool.Default().FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(descriptor)


def _scalar(rng: random.Random, f: Any) -> Any:
    t = f.type
    if t == FieldDescriptor.TYPE_ENUM:
        return rng.choice([*(v.number for v in f.enum_type.values), 999, -1])
    if t == FieldDescriptor.TYPE_STRING:
        return rng.choice(_STRINGS)
    if t == FieldDescriptor.TYPE_BYTES:
        return rng.choice([b"", b"\x00\xff", b"x" * 100])
    if t == FieldDescriptor.TYPE_BOOL:
        return rng.random() < 0.5
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return rng.choice([0.0, -1.5, 1e300, float("inf"), float("nan")])
    unsigned = t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED32,
                     FieldDescriptor.TYPE_FIXED64)  # fmt: skip
    small = t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32,
                  FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32)  # fmt: skip
    value = rng.choice(_INTS)
    if unsigned:
        value = abs(value)
    if small:
        value = max(min(value, 2**31 - 1 if not unsigned else 2**32 - 1), -(2**31))
    return value


def _fill(rng: random.Random, msg: Message, depth: int) -> None:
    descriptor = msg.DESCRIPTOR
    if descriptor.full_name == "google.protobuf.Timestamp":
        msg.seconds = rng.choice([0, 1_700_000_000, -1, 253_402_300_800, -62_135_596_801, 2**62])  # type: ignore[attr-defined]
        msg.nanos = rng.choice([0, 5, -1, 1_000_000_000])  # type: ignore[attr-defined]
        return
    if descriptor.full_name == "google.protobuf.Duration":
        msg.seconds = rng.choice([0, 60, -5, 2**62])  # type: ignore[attr-defined]
        msg.nanos = rng.choice([0, 5, -1, 1_000_000_000])  # type: ignore[attr-defined]
        return
    for f in descriptor.fields:
        if rng.random() < 0.4:
            continue
        if f.message_type is not None and f.message_type.GetOptions().map_entry:
            target = getattr(msg, f.name)
            key_f, value_f = f.message_type.fields_by_name["key"], f.message_type.fields_by_name["value"]
            for _ in range(rng.randint(0, 2)):
                key = _scalar(rng, key_f)
                if value_f.message_type is not None:
                    if depth < 3:
                        _fill(rng, target[key], depth + 1)
                else:
                    target[key] = _scalar(rng, value_f)
            continue
        if f.is_repeated:
            target = getattr(msg, f.name)
            for _ in range(rng.randint(0, 3)):
                if f.message_type is not None:
                    if depth < 3:
                        _fill(rng, target.add(), depth + 1)
                else:
                    target.append(_scalar(rng, f))
            continue
        if f.message_type is not None:
            if depth < 3:
                _fill(rng, getattr(msg, f.name), depth + 1)
                if not msg.HasField(f.name):
                    getattr(msg, f.name).SetInParent()
            continue
        setattr(msg, f.name, _scalar(rng, f))


@pytest.fixture(scope="module")
def channel() -> Iterator[tuple[Emulator, grpc.Channel]]:
    _import_generated()
    with Emulator() as emu:
        ch = grpc.intercept_channel(
            grpc.insecure_channel(emu.grpc_target), _BearerInterceptor(emu.access_token())
        )
        yield emu, ch
        ch.close()


@pytest.mark.parametrize("service_name", sorted(CONTRACT.services))
def test_random_messages_never_get_unknown_or_internal(
    channel: tuple[Emulator, grpc.Channel], service_name: str
) -> None:
    _, ch = channel
    rng = random.Random(f"{SEED}:{service_name}")
    service = CONTRACT.services[service_name]
    bad: list[str] = []
    reached = 0  # calls past validation and auth: the handlers themselves saw the random values
    for rpc in service.rpcs:
        request_cls = _message_class(rpc.input)
        response_cls = _message_class(rpc.output)
        call = ch.unary_unary(
            f"/{service.name}/{rpc.name}",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_cls.FromString,
        )
        for case in range(CASES_PER_RPC):
            request = request_cls()
            _fill(rng, request, 0)
            try:
                call(request, timeout=30)
                reached += 1
            except grpc.RpcError as exc:
                code = exc.code()
                reached += code not in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.UNAUTHENTICATED)
                if code in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL):
                    bad.append(f"{rpc.name} case {case}: {code.name} {exc.details()}: {request}")
    assert reached > 0
    assert not bad, f"{len(bad)} UNKNOWN/INTERNAL answers:\n" + "\n".join(b[:600] for b in bad[:15])
