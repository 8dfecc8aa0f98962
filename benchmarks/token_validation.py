"""``OAuthClient.validate_access_token`` against raw PyJWT ``jwt.decode`` with the same key and checks.

Why: validating a token must cost about what PyJWT costs (issue 12, item 7: target <= 1.05x). The SDK's
path is: parse the header once, look the key up in the JWKS cache (by ``kid`` and ``alg``), verify the
signature with a reused pyjwt algorithm object, then check the claims.

What it does, in one run: starts an in-process emulator, gets an access token (RS256), warms the client's
JWKS cache, then alternates ``--rounds`` rounds of ``--n`` calls of each (SDK, then PyJWT with
``algorithms``, ``audience`` and ``issuer`` set like the SDK's defaults) and prints the median per-call time
of each and their ratio.

Run: ``python benchmarks/token_validation.py [--n 2000] [--rounds 15]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import jwt

from scalekit_py.emulator import Emulator
from scalekit_py.oauth import OAuthClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with Emulator() as emu, OAuthClient(emu.env_url, emu.client_id, emu.client_secret) as oauth:
        token = emu.access_token()
        claims = oauth.validate_token(token)  # warms the JWKS cache
        header = jwt.get_unverified_header(token)
        (key,) = [k for k in oauth.jwks_cache.state.keys[header["kid"]] if header["alg"] in k.algorithms]
        audience, issuer = emu.client_id, emu.env_url
        assert claims["iss"] == issuer

        def ours() -> None:
            assert oauth.validate_access_token(token)

        def pyjwt() -> None:
            jwt.decode(token, key.key, algorithms=[header["alg"]], audience=audience, issuer=issuer)

        samples: dict[str, list[float]] = {"scalekit_py": [], "pyjwt": []}
        for _ in range(args.rounds):
            for name, fn in (("scalekit_py", ours), ("pyjwt", pyjwt)):
                started = time.perf_counter()
                for _ in range(args.n):
                    fn()
                samples[name].append((time.perf_counter() - started) / args.n * 1e6)
    ours_us, pyjwt_us = (statistics.median(samples[k]) for k in ("scalekit_py", "pyjwt"))
    print(f"validate_access_token {ours_us:.1f} us/call, jwt.decode {pyjwt_us:.1f} us/call")
    print(f"ratio {ours_us / pyjwt_us:.3f}x")


if __name__ == "__main__":
    main()
