"""Tool modifiers: registration, selection and the documented application order (pure logic)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from scalekit_py.agentkit.modifiers import Modifier, ModifierRegistry, apply_modifiers


def test_pre_modifiers_run_in_registration_order_on_a_copy() -> None:
    reg = ModifierRegistry()
    calls: list[str] = []

    @reg.decorator("send", "pre")
    def first(data: dict[str, Any]) -> dict[str, Any]:
        calls.append("first")
        data["trail"] = [*data.get("trail", []), "first"]
        return data

    @reg.decorator(["send", "other"], "pre")
    def second(data: dict[str, Any]) -> dict[str, Any]:
        calls.append("second")
        return {**data, "trail": [*data["trail"], "second"]}

    original: dict[str, Any] = {"to": "a@b.c", "nested": {"k": 1}}
    out = reg.apply_pre("send", original)
    assert calls == ["first", "second"]
    assert out["trail"] == ["first", "second"]
    assert original == {"to": "a@b.c", "nested": {"k": 1}}  # the caller's dict is untouched
    out["nested"]["k"] = 2
    assert original["nested"]["k"] == 1  # deep copy
    assert first.__name__ == "first"  # the decorator returns the function itself


def test_modifiers_apply_only_to_their_tools_and_kind() -> None:
    reg = ModifierRegistry()
    reg.add(Modifier.create("a", "pre", lambda d: {**d, "pre": True}))
    reg.add(Modifier.create("a", "post", lambda d: {**d, "post": True}))
    reg.add(Modifier.create("b", "post", lambda d: {**d, "b": True}))
    assert reg.apply_pre("a", {}) == {"pre": True}
    assert reg.apply_post("a", {}) == {"post": True}
    assert reg.apply_post("c", {"x": 1}) == {"x": 1}
    assert [m.tool_names for m in reg.select("a")] == [("a",), ("a",)]
    assert [m.type for m in reg.select(modifier_type="post")] == ["post", "post"]
    assert len(reg.select("b", "pre")) == 0


def test_a_modifier_must_return_a_dict() -> None:
    reg = ModifierRegistry()

    @reg.decorator("t", "post")
    def forgetful(data: dict[str, Any]) -> dict[str, Any]:
        data["x"] = 1
        return None  # type: ignore[return-value]

    with pytest.raises(TypeError, match=r"post-modifier .*forgetful for tool 't' returned NoneType"):
        reg.apply_post("t", {})


def test_modifier_exceptions_propagate() -> None:
    def boom(data: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("mine")

    with pytest.raises(RuntimeError, match="mine"):
        apply_modifiers("t", {}, [Modifier.create("t", "pre", boom)], "pre")


@pytest.mark.parametrize(
    ("names", "kind", "func", "error"),
    [
        ("", "pre", dict, ValueError),
        ([], "pre", dict, ValueError),
        (["a", ""], "pre", dict, ValueError),
        ("a", "during", dict, ValueError),
        ("a", "pre", "not callable", TypeError),
    ],
)
def test_invalid_modifiers_are_refused(names: Any, kind: Any, func: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        Modifier.create(names, kind, func)


def test_registry_refuses_non_modifiers_and_is_thread_safe() -> None:
    reg = ModifierRegistry()
    with pytest.raises(TypeError):
        reg.add(lambda d: d)  # type: ignore[arg-type]

    def register() -> None:
        for _ in range(100):
            reg.add(Modifier.create("t", "pre", lambda d: d))

    threads = [threading.Thread(target=register) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reg.select("t")) == 400
