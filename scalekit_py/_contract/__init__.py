"""The public wire contract of the Scalekit admin API, as data.

`scalekit-api.txt` beside this module holds the published facts of the API (services, RPCs,
messages, fields, enums, REST bindings, auth options, field rules), derived from the pinned upstream
release by `tools/update_api.py` (`make update-api`). The parity test compares our compiled
descriptors with it, and the emulator reads its field rules from it. Parsing is stdlib-only and
happens on demand.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Contract", "EnumSpec", "FieldSpec", "MessageSpec", "RpcSpec", "ServiceSpec", "load"]

PATH = Path(__file__).with_name("scalekit-api.txt")


@dataclass(frozen=True)
class RpcSpec:
    name: str
    input: str
    output: str
    http: tuple[str, ...]
    client_credentials_ok: bool
    permissions: tuple[str, ...]
    client_streaming: bool = False
    server_streaming: bool = False


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    file: str
    rpcs: tuple[RpcSpec, ...]


@dataclass(frozen=True)
class FieldSpec:
    number: int
    name: str
    type: str
    label: str
    deprecated: bool = False
    behavior: str | None = None
    validate: str | None = None


@dataclass(frozen=True)
class MessageSpec:
    name: str
    file: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class EnumSpec:
    name: str
    file: str
    values: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Contract:
    services: dict[str, ServiceSpec] = field(default_factory=dict)
    messages: dict[str, MessageSpec] = field(default_factory=dict)
    enums: dict[str, EnumSpec] = field(default_factory=dict)

    @property
    def rpc_count(self) -> int:
        return sum(len(s.rpcs) for s in self.services.values())


_SERVICE = re.compile(r"SERVICE (\S+)\s+\((\S+)\)")
_RPC = re.compile(r"  RPC (\w+)\((stream )?(\S+)\) -> (stream )?(\S+)")
_HTTP = re.compile(r"\s+http: (?:\+ )?(.*)")
_AUTH = re.compile(r"\s+auth=(.*)")
_MESSAGE = re.compile(r"MESSAGE (\S+)\s+\((\S+)\)")
_ENUM = re.compile(r"ENUM (\S+)\s+\((\S+)\): (.*)")
_FIELD = re.compile(r"\s+(\d+) (\w+): (.+?)  label=(\S+)(.*)")


def parse(text: str) -> Contract:
    """Parse the contract text; raise ValueError naming the first line it cannot read."""
    contract = Contract()
    services: dict[str, tuple[str, list[RpcSpec]]] = {}
    messages: dict[str, tuple[str, list[FieldSpec]]] = {}
    svc: list[RpcSpec] | None = None
    msg: list[FieldSpec] | None = None
    rpc: tuple[str, str, str, bool, bool] | None = None
    http: list[str] = []
    auth = ""

    def close_rpc() -> None:
        nonlocal rpc, http, auth
        if rpc is not None and svc is not None:
            perms = re.search(r"permissions=\[(.*?)\]", auth)
            svc.append(
                RpcSpec(
                    name=rpc[0],
                    input=rpc[1],
                    output=rpc[2],
                    client_streaming=rpc[3],
                    server_streaming=rpc[4],
                    http=tuple(http),
                    client_credentials_ok="client_credentials_ok=yes" in auth,
                    permissions=tuple(re.findall(r"'([^']*)'", perms[1])) if perms else (),
                )
            )
        rpc, http, auth = None, [], ""

    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if m := _SERVICE.match(line):
            close_rpc()
            svc, msg = [], None
            services[m[1]] = (m[2], svc)
        elif (m := _RPC.match(line)) and svc is not None:
            close_rpc()
            rpc = (m[1], m[3], m[5], bool(m[2]), bool(m[4]))
        elif rpc is not None and (m := _HTTP.match(line)):
            http.append(m[1])
        elif rpc is not None and (m := _AUTH.match(line)):
            auth = m[1]
        elif m := _MESSAGE.match(line):
            close_rpc()
            svc, msg = None, []
            messages[m[1]] = (m[2], msg)
        elif m := _ENUM.match(line):
            close_rpc()
            svc, msg = None, None
            values = tuple((v.split("=")[0], int(v.split("=")[1])) for v in m[3].split(", "))
            contract.enums[m[1]] = EnumSpec(m[1], m[2], values)
        elif msg is not None and line.strip() == "(no fields)":
            continue
        elif msg is not None and (m := _FIELD.match(line)):
            rest = m[5]
            behavior = re.search(r"behavior=(\S+)", rest)
            validate = re.search(r"validate=(\{.*\})", rest)
            msg.append(
                FieldSpec(
                    number=int(m[1]),
                    name=m[2],
                    type=m[3],
                    label=m[4],
                    deprecated="[deprecated]" in rest,
                    behavior=behavior[1] if behavior else None,
                    validate=validate[1] if validate else None,
                )
            )
        else:
            raise ValueError(f"contract line {lineno} not understood: {line!r}")
    close_rpc()
    for name, (file, rpcs) in services.items():
        contract.services[name] = ServiceSpec(name, file, tuple(rpcs))
    for name, (file, fields) in messages.items():
        contract.messages[name] = MessageSpec(name, file, tuple(fields))
    return contract


@functools.cache
def load() -> Contract:
    """The bundled contract, parsed once."""
    return parse(PATH.read_text(encoding="utf-8"))
