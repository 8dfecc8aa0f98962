"""The wire facts of our compiled ``generated/`` modules, of the contract and of the upstream fixture."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2

import scalekit_api
from scalekit_py._contract import Contract
from scalekit_py._contract.facts import Facts, facts

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "upstream_api.json"
LOCK = Path(__file__).resolve().parent.parent.parent / "upstream-api.lock"


def load_fixture() -> dict[str, Any]:
    """The upstream release's wire facts, as ``tools/update_api.py`` recorded them."""
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


def generated_facts() -> Facts:
    """Import every generated ``_pb2`` module and normalise its file descriptor."""
    files = []
    for info in pkgutil.walk_packages(scalekit_api.__path__, "scalekit_api."):
        if info.name.endswith("_pb2"):
            module = importlib.import_module(info.name)
            files.append(descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb))
    return facts(files)


def contract_facts(contract: Contract) -> Facts:
    """The contract in the same normal form (streaming flags and all)."""
    return {
        "services": {
            name: {
                "file": s.file,
                "rpcs": [[r.name, r.input, r.output, r.client_streaming, r.server_streaming] for r in s.rpcs],
            }
            for name, s in sorted(contract.services.items())
        },
        "messages": {
            name: {"file": m.file, "fields": [[f.number, f.name, f.type, f.label] for f in m.fields]}
            for name, m in sorted(contract.messages.items())
        },
        "enums": {
            name: {"file": e.file, "values": [list(v) for v in e.values]}
            for name, e in sorted(contract.enums.items())
        },
    }


def wire(data: dict[str, Any]) -> Facts:
    """Only the services/messages/enums parts of a fixture."""
    return {k: data[k] for k in ("services", "messages", "enums")}
