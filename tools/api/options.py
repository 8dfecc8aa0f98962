"""Read the options that do not change the wire (REST bindings, auth, field behaviour, field rules).

The options of an upstream descriptor are extensions we do not link into our process. They are
decoded in a private ``DescriptorPool`` that holds only the option definitions (descriptor.proto,
google.api, buf.validate and the upstream's scalekit options file), so no ``scalekit.v1`` message
is ever registered in the default pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    field_mask_pb2,
    message_factory,
    text_format,
    timestamp_pb2,
)

_OPTION_FILES = (
    "buf/validate/validate.proto",
    "scalekit/v1/options/options.proto",
)


def _builtin(module: object) -> descriptor_pb2.FileDescriptorProto:
    return descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RpcOptions:
    http: tuple[str, ...]
    auth_type: str | None = None
    auth_value: int = 0
    permissions: tuple[str, ...] = ()
    policy: str = ""

    @property
    def client_credentials_ok(self) -> bool:
        """The CLIENT bit of the authentication type: callable with client credentials."""
        return bool(self.auth_value & 4)

    @property
    def auth(self) -> str | None:
        """The contract's ``auth=`` text."""
        if self.auth_type is None:
            return None
        perms = f" permissions={list(self.permissions)!r}" if self.permissions else ""
        ok = "yes" if self.client_credentials_ok else "no"
        return f"{self.auth_type}({self.auth_value}) client_credentials_ok={ok}{perms} policy={self.policy}"

    @property
    def comment(self) -> str | None:
        """A short comment for the .proto file."""
        if self.auth_type is None:
            return None
        text = f"{self.auth_type}; client credentials: {'yes' if self.client_credentials_ok else 'no'}"
        return text + (f"; scopes: {', '.join(self.permissions)}" if self.permissions else "")


class OptionReader:
    """Decodes MethodOptions / FieldOptions bytes of upstream descriptors."""

    def __init__(self, files: dict[str, descriptor_pb2.FileDescriptorProto]) -> None:
        from google.api import annotations_pb2, field_behavior_pb2, http_pb2

        self.pool = descriptor_pool.DescriptorPool()
        for mod in (descriptor_pb2, duration_pb2, timestamp_pb2, field_mask_pb2, http_pb2):
            self.pool.Add(_builtin(mod))
        for mod in (annotations_pb2, field_behavior_pb2):
            self.pool.Add(_builtin(mod))
        for name in _OPTION_FILES:
            if name in files:
                self.pool.Add(files[name])
        self._method = message_factory.GetMessageClass(
            self.pool.FindMessageTypeByName("google.protobuf.MethodOptions")
        )
        self._field = message_factory.GetMessageClass(
            self.pool.FindMessageTypeByName("google.protobuf.FieldOptions")
        )
        self._ext = {}
        for name in (
            "google.api.http",
            "google.api.field_behavior",
            "buf.validate.field",
            "scalekit.v1.options.auth_option",
        ):
            try:
                self._ext[name] = self.pool.FindExtensionByName(name)
            except KeyError:
                continue

    def rpc(self, method: descriptor_pb2.MethodDescriptorProto) -> RpcOptions:
        opts = self._method.FromString(method.options.SerializeToString())
        http: list[str] = []
        ext = self._ext.get("google.api.http")
        if ext is not None and opts.HasExtension(ext):
            rule = opts.Extensions[ext]
            http.append(_http_rule(rule))
            http.extend("+ " + _http_rule(extra) for extra in rule.additional_bindings)
        auth_ext = self._ext.get("scalekit.v1.options.auth_option")
        if auth_ext is None or not opts.HasExtension(auth_ext):
            return RpcOptions(tuple(http))
        auth = opts.Extensions[auth_ext]
        kind = auth.DESCRIPTOR.fields_by_name["authentication_type"].enum_type
        policy = auth.DESCRIPTOR.fields_by_name["policy"].enum_type
        type_value = auth.authentication_type
        type_name = kind.values_by_number[type_value].name if type_value in kind.values_by_number else "?"
        policy_name = policy.values_by_number[auth.policy].name
        return RpcOptions(tuple(http), type_name, type_value, tuple(auth.permissions), policy_name)

    def field(self, field: descriptor_pb2.FieldDescriptorProto) -> tuple[str | None, str | None]:
        """(``behavior``, ``validate``) as the contract writes them, or None."""
        opts = self._field.FromString(field.options.SerializeToString())
        behavior = validate = None
        ext = self._ext.get("google.api.field_behavior")
        if ext is not None and len(opts.Extensions[ext]):
            enum = ext.enum_type
            behavior = ",".join(enum.values_by_number[v].name for v in opts.Extensions[ext])
        ext = self._ext.get("buf.validate.field")
        if ext is not None and opts.HasExtension(ext):
            rules = text_format.MessageToString(opts.Extensions[ext], as_one_line=True, as_utf8=True)
            validate = "{" + rules + "}"
        return behavior, validate


def _http_rule(rule: object) -> str:
    for verb in ("get", "put", "post", "delete", "patch"):
        path = getattr(rule, verb)
        if path:
            out = f"{verb.upper()} {path}"
            break
    else:
        custom = rule.custom  # type: ignore[attr-defined]
        out = f"{custom.kind} {custom.path}"
    body = rule.body  # type: ignore[attr-defined]
    return f"{out} body={body}" if body else out
