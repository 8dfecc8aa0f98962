"""Write ``scalekit_py/_contract/scalekit-api.txt``: wire facts plus REST, auth and field rules."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from scalekit_py._contract.facts import facts, type_of

from .options import OptionReader
from .render_proto import Symbols, included_files

HEADER = """\
# Scalekit API (scalekit.v1): the wire contract the SDK must speak
# Derived from the serialized descriptors of {pin} by tools/update_api.py
# (make update-api). Do not edit: change the pin and re-run it.
# services={services} rpcs={rpcs} client-credentials rpcs={cc} messages={messages} enums={enums}
# RPC lines: gRPC path is /<service>/<rpc>; 'http:' is the REST binding (google.api.http);
# 'auth=' is the scalekit.v1.options.auth_option: client_credentials_ok=yes means an admin client may call it.
# Field lines: <number> <name>: <type>  label=<singular|optional|repeated|map|oneof:NAME>
#   singular = proto3 implicit presence (or message-typed); optional = explicit presence;
#   behavior = google.api.field_behavior; validate = buf.validate field rules (text format).
"""


def render(files: dict[str, descriptor_pb2.FileDescriptorProto], pin: str) -> str:
    names = included_files(files)
    chosen = [files[n] for n in names]
    opts = OptionReader(files)
    symbols = Symbols(files)
    index = symbols.messages
    wire = facts(chosen)
    lines: list[str] = []
    cc = 0
    for fd in chosen:
        for s in fd.service:
            lines.append(f"SERVICE {fd.package}.{s.name}   ({fd.name})")
            for r in s.method:
                req = ("stream " if r.client_streaming else "") + r.input_type.lstrip(".")
                res = ("stream " if r.server_streaming else "") + r.output_type.lstrip(".")
                lines.append(f"  RPC {r.name}({req}) -> {res}")
                o = opts.rpc(r)
                lines.extend(f"      http: {h}" for h in o.http)
                if o.auth is not None:
                    lines.append(f"      auth={o.auth}")
                cc += o.client_credentials_ok
            lines.append("")
    for name in wire["messages"]:
        m, file = index[name], symbols.file_of[name]
        lines.append(f"MESSAGE {name}   ({file})")
        if not m.field:
            lines.append("  (no fields)")
        for f, (_, _, _, label) in zip(
            sorted(m.field, key=lambda x: x.number), wire["messages"][name]["fields"], strict=True
        ):
            line = f"{f.number:>5} {f.name}: {type_of(f, index)}  label={label}"
            if f.options.deprecated:
                line += " [deprecated]"
            behavior, validate = opts.field(f)
            if behavior:
                line += f" behavior={behavior}"
            if validate:
                line += f" validate={validate}"
            lines.append(line)
    lines.append("")
    for name, enum in wire["enums"].items():
        values = ", ".join(f"{v}={n}" for v, n in enum["values"])
        lines.append(f"ENUM {name}   ({enum['file']}): {values}")
    n = {k: len(v) for k, v in wire.items()}
    rpcs = sum(len(s["rpcs"]) for s in wire["services"].values())
    header = HEADER.format(
        pin=pin, services=n["services"], rpcs=rpcs, cc=cc, messages=n["messages"], enums=n["enums"]
    )
    return header + "\n" + "\n".join(lines) + "\n"
