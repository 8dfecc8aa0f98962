"""Short, non-reversible fingerprints of secrets for ``repr`` and messages."""

from __future__ import annotations

__all__ = ["fingerprint"]


def fingerprint(secret: str | None) -> str:
    """``'<sha256:1a2b3c4d>'`` for a secret (enough to tell two apart, useless to an attacker).

    Args:
        secret: the secret, or ``None``.

    Returns:
        ``'None'`` for ``None``, else the first 8 hex digits of the secret's SHA-256, bracketed.
    """
    if secret is None:
        return "None"
    import hashlib  # on first use: keeps importing the options cheap

    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
    return f"<sha256:{digest[:8]}>"
