"""Test-only: send proxied requests with the official `scalekit-sdk-python` ``actions.request``; print one
JSON line with what the upstream echoed.

The connection and identifier come from INTEROP_PROXY_CONNECTOR / INTEROP_PROXY_IDENTIFIER; the requests
are the ones tests/interop/test_official_proxy_parity.py also sends with scalekit_py.
"""

import json
import os

from scalekit import ScalekitClient


def main() -> None:
    sc = ScalekitClient(
        os.environ["SCALEKIT_ENV_URL"], os.environ["SCALEKIT_CLIENT_ID"], os.environ["SCALEKIT_CLIENT_SECRET"]
    )
    connector, who = os.environ["INTEROP_PROXY_CONNECTOR"], os.environ["INTEROP_PROXY_IDENTIFIER"]
    out = {}
    calls = {
        "get": {"path": "/items", "query_params": {"page": "2", "q": "a b"}, "headers": {"X-Trace": "t-1"}},
        "json": {"path": "/items", "method": "POST", "body": {"name": "widget", "n": 1}},
        "form": {"path": "/forms", "method": "PUT", "form_data": {"a": "1", "b": "x y"}},
    }
    for name, kwargs in calls.items():
        answer = sc.actions.request(connector, who, **kwargs)
        out[name] = {"status": answer.status_code, "echo": answer.json()["echo"]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
