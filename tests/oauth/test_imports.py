"""Importing the OAuth helpers and webhook verification stays cheap: no httpx, PyJWT, cryptography
or asyncio until a client actually does I/O or verifies a token."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("httpx", "jwt", "cryptography", "asyncio")

SCRIPT = f"""
import json, sys
import scalekit_py
before = set(sys.modules)
import scalekit_py.oauth, scalekit_py.webhooks
from scalekit_py.oauth import (AuthorizationUrlOptions, OAuthClient, AsyncOAuthClient, TokenValidationOptions,
    generate_pkce_pair, JwksCache)
from scalekit_py.webhooks import verify_webhook_payload
OAuthClient("https://acme.scalekit.dev", "skc_1", "sks_1").get_authorization_url("https://app/cb")
generate_pkce_pair()
new = {{m.split(".")[0] for m in set(sys.modules) - before}}
print(json.dumps(sorted(new & set({HEAVY!r}))))
"""


def test_imports_and_pure_calls_load_no_heavy_modules() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []
