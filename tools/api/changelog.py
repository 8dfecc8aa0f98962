"""What changed between two contracts: added / removed / changed, breaking changes flagged."""

from __future__ import annotations

from dataclasses import dataclass, field

from scalekit_py._contract import Contract, FieldSpec


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    breaking: list[str] = field(default_factory=list)
    rules: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.rules)


def _scalar(kind: str) -> bool:
    return "." not in kind or kind.startswith("enum ") or kind.startswith("map<")


def _field_change(msg: str, old: FieldSpec, new: FieldSpec, out: Changes) -> None:
    where = f"field {msg}.{old.name} ({old.number})"
    if old.name != new.name:
        out.changed.append(f"{where}: renamed to {new.name}")
        out.breaking.append(f"{where}: renamed to {new.name}")
    if old.type != new.type:
        out.changed.append(f"{where}: type {old.type} -> {new.type}")
        out.breaking.append(f"{where}: type {old.type} -> {new.type}")
    if old.label != new.label:
        text = f"{where}: label {old.label} -> {new.label}"
        # A message-typed field has presence either way: `optional` only adds a synthetic oneof.
        same_wire = {old.label, new.label} == {"singular", "optional"} and not _scalar(old.type)
        out.changed.append(text + (" (wire-identical)" if same_wire else ""))
        if not same_wire:
            out.breaking.append(text)
    if (old.validate, old.behavior) != (new.validate, new.behavior):
        out.rules += 1


def compare(old: Contract, new: Contract) -> Changes:
    out = Changes()
    for name in sorted(new.services.keys() - old.services.keys()):
        out.added.append(f"service {name} ({len(new.services[name].rpcs)} RPCs)")
    for name in sorted(old.services.keys() - new.services.keys()):
        out.removed.append(f"service {name}")
        out.breaking.append(f"service {name} removed")
    for name in sorted(old.services.keys() & new.services.keys()):
        before = {r.name: r for r in old.services[name].rpcs}
        after = {r.name: r for r in new.services[name].rpcs}
        for rpc in sorted(after.keys() - before.keys()):
            out.added.append(f"rpc /{name}/{rpc}")
        for rpc in sorted(before.keys() - after.keys()):
            out.removed.append(f"rpc /{name}/{rpc}")
            out.breaking.append(f"rpc /{name}/{rpc} removed")
        for rpc in sorted(before.keys() & after.keys()):
            a, b = before[rpc], after[rpc]
            sig_a = (a.input, a.output, a.client_streaming, a.server_streaming)
            sig_b = (b.input, b.output, b.client_streaming, b.server_streaming)
            if sig_a != sig_b:
                out.changed.append(f"rpc /{name}/{rpc}: {sig_a} -> {sig_b}")
                out.breaking.append(f"rpc /{name}/{rpc}: signature changed")
            if a.client_credentials_ok and not b.client_credentials_ok:
                out.changed.append(f"rpc /{name}/{rpc}: no longer callable with client credentials")
                out.breaking.append(f"rpc /{name}/{rpc}: no longer callable with client credentials")
            elif b.client_credentials_ok and not a.client_credentials_ok:
                out.changed.append(f"rpc /{name}/{rpc}: now callable with client credentials")
    for name in sorted(new.messages.keys() - old.messages.keys()):
        out.added.append(f"message {name}")
    for name in sorted(old.messages.keys() - new.messages.keys()):
        out.removed.append(f"message {name}")
        out.breaking.append(f"message {name} removed")
    for name in sorted(old.messages.keys() & new.messages.keys()):
        before_f = {f.number: f for f in old.messages[name].fields}
        after_f = {f.number: f for f in new.messages[name].fields}
        for n in sorted(after_f.keys() - before_f.keys()):
            out.added.append(f"field {name}.{after_f[n].name} ({n}): {after_f[n].type}")
        for n in sorted(before_f.keys() - after_f.keys()):
            out.removed.append(f"field {name}.{before_f[n].name} ({n})")
            out.breaking.append(f"field {name}.{before_f[n].name} ({n}) removed")
        for n in sorted(before_f.keys() & after_f.keys()):
            _field_change(name, before_f[n], after_f[n], out)
    for name in sorted(new.enums.keys() - old.enums.keys()):
        out.added.append(f"enum {name}")
    for name in sorted(old.enums.keys() - new.enums.keys()):
        out.removed.append(f"enum {name}")
        out.breaking.append(f"enum {name} removed")
    for name in sorted(old.enums.keys() & new.enums.keys()):
        before_v, after_v = dict(old.enums[name].values), dict(new.enums[name].values)
        for v in after_v.keys() - before_v.keys():
            out.added.append(f"enum value {name}.{v} = {after_v[v]}")
        for v in before_v.keys() - after_v.keys():
            out.removed.append(f"enum value {name}.{v}")
            out.breaking.append(f"enum value {name}.{v} removed")
        for v in before_v.keys() & after_v.keys():
            if before_v[v] != after_v[v]:
                out.changed.append(f"enum value {name}.{v}: {before_v[v]} -> {after_v[v]}")
                out.breaking.append(f"enum value {name}.{v} renumbered")
    return out


def entry(old_pin: str, new_pin: str, changes: Changes, limit: int = 400) -> str:
    """A markdown section for ``docs/api-changes.md``."""
    lines = [f"## {old_pin} -> {new_pin}", ""]
    summary = (
        f"{len(changes.added)} added, {len(changes.removed)} removed, {len(changes.changed)} changed, "
        f"{len(changes.breaking)} breaking; field rules changed on {changes.rules} fields."
    )
    lines += [summary, ""]
    for title, items in (
        ("Breaking", changes.breaking),
        ("Added", changes.added),
        ("Removed", changes.removed),
        ("Changed", changes.changed),
    ):
        if not items:
            continue
        lines.append(f"### {title} ({len(items)})")
        lines.append("")
        lines.extend(f"- {item}" for item in items[:limit])
        if len(items) > limit:
            lines.append(f"- ... and {len(items) - limit} more")
        lines.append("")
    return "\n".join(lines)
