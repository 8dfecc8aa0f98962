"""``scalekit_py.frameworks.fastapi.ScalekitAuth`` accepts everything the official
``scalekit.frameworks.fastapi.ScalekitAuth`` (scalekit-sdk-python 2.21.0, in .interop/venv) does, so an app
changes only its import. The official signature is read from its source with ``ast`` (nothing imported)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from scalekit_py.frameworks.fastapi import ScalekitAuth

ROOT = Path(__file__).resolve().parents[2]


def _official_class() -> ast.ClassDef:
    found = sorted(
        (ROOT / ".interop" / "venv").glob("lib/python*/site-packages/scalekit/frameworks/fastapi.py")
    )
    assert found, "run `make setup` first (creates .interop/venv with scalekit-sdk-python)"
    tree = ast.parse(found[0].read_text())
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ScalekitAuth"]
    assert len(classes) == 1
    return classes[0]


def test_constructor_accepts_every_official_keyword_with_the_same_defaults() -> None:
    official = _official_class()
    init = next(n for n in official.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    names = [a.arg for a in init.args.kwonlyargs]
    defaults = {a.arg: d for a, d in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True)}
    assert "redirect_uri" in names
    ours = inspect.signature(ScalekitAuth.__init__).parameters
    for name in names:
        assert name in ours, name
        default = defaults[name]
        if isinstance(default, ast.Constant):
            assert ours[name].default == default.value, name
    assert ours["cookie_name"].default == "sk_session"  # the official DEFAULT_COOKIE_NAME


def test_public_methods_of_the_official_class_exist() -> None:
    official = _official_class()
    public = {
        n.name
        for n in official.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")
    }
    assert {"install", "get_session", "requires_auth"} <= public
    for name in public:
        assert callable(getattr(ScalekitAuth, name, None)), name
    assert inspect.iscoroutinefunction(ScalekitAuth.requires_auth)
