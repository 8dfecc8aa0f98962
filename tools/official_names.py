#!/usr/bin/env python3
"""Write tests/fixtures/official_python_sdk_methods.json: the public method names of the official SDK.

Run with the interpreter of the interop venv, where the official Python SDK is installed
(``make official-names``). Only names are recorded: for each attribute the official
``ScalekitClient`` sets in its constructor, the public callables of that attribute's class, and the
client's own public methods under ``""``. ``tests/client/test_migration_surface.py`` checks that both
of our clients have a same-named counterpart for every one.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "official_python_sdk_methods.json"
SKIP = {"core_client"}  # transport plumbing, not part of the user-facing surface


def public(cls: type) -> list[str]:
    return sorted(
        name
        for name, value in inspect.getmembers(cls)
        if not name.startswith("_") and callable(value) and not inspect.isclass(value)
    )


def main() -> int:
    import scalekit.client as official

    init = inspect.getsource(official.ScalekitClient.__init__)
    attributes = {}
    for attr, cls_name in re.findall(r"self\.(\w+)\s*=\s*(\w+)\(", init):
        if attr in SKIP:
            continue
        cls = vars(official).get(cls_name)
        if cls is None:
            print(f"cannot resolve {cls_name} for {attr}", file=sys.stderr)
            return 1
        attributes[attr] = public(cls)
    data = {
        "package": f"scalekit-sdk-python=={metadata.version('scalekit-sdk-python')}",
        "client": public(official.ScalekitClient),
        "attributes": dict(sorted(attributes.items())),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    total = len(data["client"]) + sum(len(v) for v in attributes.values())
    print(f"wrote {OUT.name}: {len(attributes)} attributes, {total} methods")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
