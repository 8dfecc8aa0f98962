"""Write ``.proto`` source for upstream file descriptors, under our import root ``scalekit_api/``.

Only wire facts are written: packages, services and RPCs (with streaming flags), messages, nested
types, fields (number, name, type, label, oneof), enums, reserved numbers and names, ``deprecated``.
Options that do not change the wire are not written as options: the REST binding and auth facts
of each RPC appear as a comment, and the emulator reads field rules from ``scalekit_py/_contract``.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from scalekit_py._contract.facts import OUR_ROOT, SCALARS, UPSTREAM_ROOT

from .options import OptionReader

_F = descriptor_pb2.FieldDescriptorProto
INDENT = "  "


def our_name(file: str) -> str:
    """``scalekit/v1/x.proto`` -> ``scalekit_api/v1/x.proto``."""
    return OUR_ROOT + file[len(UPSTREAM_ROOT) :] if file.startswith(UPSTREAM_ROOT) else file


class Symbols:
    """Every type's full name -> defining file, plus the package prefixes (for name resolution)."""

    def __init__(self, files: dict[str, descriptor_pb2.FileDescriptorProto]) -> None:
        self.file_of: dict[str, str] = {}
        self.messages: dict[str, descriptor_pb2.DescriptorProto] = {}
        self.aggregates: set[str] = set()
        for fd in files.values():
            parts = fd.package.split(".")
            self.aggregates.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            self._walk(fd.package, fd.message_type, fd.enum_type, fd.name)

    def _walk(self, prefix: str, msgs: object, enums: object, file: str) -> None:
        for e in enums:  # type: ignore[attr-defined]
            self.file_of[f"{prefix}.{e.name}"] = file
        for m in msgs:  # type: ignore[attr-defined]
            name = f"{prefix}.{m.name}"
            self.file_of[name] = file
            self.messages[name] = m
            self.aggregates.add(name)
            self._walk(name, m.nested_type, m.enum_type, file)

    def known(self, name: str) -> bool:
        return name in self.file_of or name in self.aggregates

    def resolve(self, ref: str, scope: str) -> str | None:
        """What protoc resolves ``ref`` to from inside ``scope`` (first component, innermost first)."""
        first, _, rest = ref.partition(".")
        parts = scope.split(".") if scope else []
        for i in range(len(parts), -1, -1):
            candidate = ".".join([*parts[:i], first])
            if self.known(candidate):
                full = f"{candidate}.{rest}" if rest else candidate
                return full if self.known(full) else None
        return None

    def ref(self, full: str, scope: str, package: str) -> str:
        """The shortest readable name for ``full`` that resolves to it from ``scope``."""
        options = []
        if full.startswith(package + "."):
            options.append(full[len(package) + 1 :])
        options.append(full)
        for name in options:
            if self.resolve(name, scope) == full:
                return name
        return "." + full


def _reserved(ranges: object, names: object, enum: bool, pad: str) -> list[str]:
    out = []
    spans = []
    for r in ranges:  # type: ignore[attr-defined]
        end = r.end if enum else r.end - 1  # message ranges are end-exclusive, enum ranges inclusive
        if end >= 536870911 or (enum and end == 2147483647):
            spans.append(f"{r.start} to max")
        elif end == r.start:
            spans.append(str(r.start))
        else:
            spans.append(f"{r.start} to {end}")
    if spans:
        out.append(f"{pad}reserved {', '.join(spans)};")
    if list(names):  # type: ignore[call-overload]
        out.append(f"{pad}reserved {', '.join(repr_str(n) for n in names)};")  # type: ignore[attr-defined]
    return out


def repr_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class FileWriter:
    def __init__(self, fd: descriptor_pb2.FileDescriptorProto, symbols: Symbols, opts: OptionReader) -> None:
        self.fd = fd
        self.symbols = symbols
        self.opts = opts
        self.used_files: set[str] = set()

    def type_ref(self, type_name: str, scope: str) -> str:
        full = type_name.lstrip(".")
        self.used_files.add(self.symbols.file_of[full])
        return self.symbols.ref(full, scope, self.fd.package)

    def field_type(self, f: descriptor_pb2.FieldDescriptorProto, scope: str) -> str:
        if f.type in (_F.TYPE_MESSAGE, _F.TYPE_ENUM):
            entry = self.symbols.messages.get(f.type_name.lstrip("."))
            if entry is not None and entry.options.map_entry:
                key, value = entry.field[0], entry.field[1]
                return f"map<{self.field_type(key, scope)}, {self.field_type(value, scope)}>"
            return self.type_ref(f.type_name, scope)
        return SCALARS[f.type]

    def field(self, f: descriptor_pb2.FieldDescriptorProto, scope: str, pad: str) -> str:
        kind = self.field_type(f, scope)
        label = ""
        if f.label == _F.LABEL_REPEATED and not kind.startswith("map<"):
            label = "repeated "
        elif f.proto3_optional:
            label = "optional "
        options = []
        if f.options.deprecated:
            options.append("deprecated = true")
        if f.options.HasField("packed"):
            options.append(f"packed = {'true' if f.options.packed else 'false'}")
        suffix = f" [{', '.join(options)}]" if options else ""
        return f"{pad}{label}{kind} {f.name} = {f.number}{suffix};"

    def enum(self, e: descriptor_pb2.EnumDescriptorProto, pad: str) -> list[str]:
        out = [f"{pad}enum {e.name} {{"]
        inner = pad + INDENT
        if e.options.allow_alias:
            out.append(f"{inner}option allow_alias = true;")
        if e.options.deprecated:
            out.append(f"{inner}option deprecated = true;")
        for v in e.value:
            dep = " [deprecated = true]" if v.options.deprecated else ""
            out.append(f"{inner}{v.name} = {v.number}{dep};")
        out.extend(_reserved(e.reserved_range, e.reserved_name, True, inner))
        out.append(f"{pad}}}")
        return out

    def message(self, m: descriptor_pb2.DescriptorProto, scope: str, pad: str) -> list[str]:
        name = f"{scope}.{m.name}"
        out = [f"{pad}message {m.name} {{"]
        inner = pad + INDENT
        if m.options.deprecated:
            out.append(f"{inner}option deprecated = true;")
        for e in m.enum_type:
            out.extend(self.enum(e, inner))
        for n in m.nested_type:
            if not n.options.map_entry:
                out.extend(self.message(n, name, inner))
        done_oneofs: set[int] = set()
        for f in m.field:
            if f.HasField("oneof_index") and not f.proto3_optional:
                index = f.oneof_index
                if index in done_oneofs:
                    continue
                done_oneofs.add(index)
                out.append(f"{inner}oneof {m.oneof_decl[index].name} {{")
                for g in m.field:
                    if g.HasField("oneof_index") and g.oneof_index == index and not g.proto3_optional:
                        out.append(self.field(g, name, inner + INDENT))
                out.append(f"{inner}}}")
            else:
                out.append(self.field(f, name, inner))
        out.extend(_reserved(m.reserved_range, m.reserved_name, False, inner))
        out.append(f"{pad}}}")
        return out

    def service(self, s: descriptor_pb2.ServiceDescriptorProto) -> list[str]:
        out = [f"service {s.name} {{"]
        for r in s.method:
            facts = self.opts.rpc(r)
            out.extend(f"{INDENT}// REST: {h}" for h in facts.http)
            if facts.comment is not None:
                out.append(f"{INDENT}// Auth: {facts.comment}")
            req = ("stream " if r.client_streaming else "") + self.type_ref(r.input_type, self.fd.package)
            res = ("stream " if r.server_streaming else "") + self.type_ref(r.output_type, self.fd.package)
            body = " { option deprecated = true; }" if r.options.deprecated else ";"
            out.append(f"{INDENT}rpc {r.name}({req}) returns ({res}){body}")
        out.append("}")
        return out

    def render(self, version: str) -> str:
        body: list[str] = []
        for s in self.fd.service:
            body.extend(self.service(s))
            body.append("")
        for e in self.fd.enum_type:
            body.extend(self.enum(e, ""))
            body.append("")
        for m in self.fd.message_type:
            body.extend(self.message(m, self.fd.package, ""))
            body.append("")
        imports = sorted(our_name(f) for f in self.used_files if f != self.fd.name)
        head = [
            f"// Package {self.fd.package}: wire facts of {PIN_NAME}=={version}, written by",
            "// tools/update_api.py (make update-api). Do not edit: change the pin and re-run it.",
            'syntax = "proto3";',
            "",
            f"package {self.fd.package};",
            "",
        ]
        if imports:
            head.extend(f'import "{i}";' for i in imports)
            head.append("")
        return "\n".join(head + body).rstrip("\n") + "\n"


PIN_NAME = "scalekit-sdk-python"


def included_files(files: dict[str, descriptor_pb2.FileDescriptorProto]) -> list[str]:
    """Files with a ``scalekit.v1`` service, plus the ``scalekit.v1`` files whose types they reach."""
    symbols = Symbols(files)
    todo = [n for n, fd in files.items() if fd.package.startswith("scalekit.v1") and fd.service]
    seen = set(todo)
    while todo:
        fd = files[todo.pop()]
        refs = [t for s in fd.service for r in s.method for t in (r.input_type, r.output_type)]
        refs += _field_types(fd.message_type)
        for ref in refs:
            file = symbols.file_of.get(ref.lstrip("."))
            if file and file not in seen and files[file].package.startswith("scalekit.v1"):
                seen.add(file)
                todo.append(file)
    return sorted(seen)


def _field_types(msgs: object) -> list[str]:
    out: list[str] = []
    for m in msgs:  # type: ignore[attr-defined]
        out.extend(f.type_name for f in m.field if f.type_name)
        out.extend(_field_types(m.nested_type))
    return out


def render_all(files: dict[str, descriptor_pb2.FileDescriptorProto], version: str) -> dict[str, str]:
    """``{our file name: .proto source}`` for every included file."""
    symbols = Symbols(files)
    opts = OptionReader(files)
    names = included_files(files)
    return {our_name(name): FileWriter(files[name], symbols, opts).render(version) for name in names}
