"""SDK identity sent to the service: version, ``x-sdk-version`` and the user agent."""

from __future__ import annotations

import platform

__all__ = ["API_VERSION", "SDK_NAME", "__version__", "sdk_version_header", "user_agent"]

__version__ = "0.1.0"
SDK_NAME = "scalekit-py"

# The API revision the official SDKs announce in ``x-api-version`` (YYYYMMDD); the wire contract in
# ``scalekit_py/_contract`` was taken from the same generation of descriptors.
API_VERSION = "20261012"


def sdk_version_header() -> str:
    """Value of the ``x-sdk-version`` header, e.g. ``scalekit-py/0.1.0``."""
    return f"{SDK_NAME}/{__version__}"


def user_agent(suffix: str | None = None) -> str:
    """The user agent of this SDK: name/version, Python version and platform, then ``suffix``.

    Args:
        suffix: appended after a space, e.g. ``"my-app/2.3"``; ``None`` or empty adds nothing.

    Returns:
        e.g. ``"scalekit-py/0.1.0 Python/3.11.7 (Linux; x86_64) my-app/2.3"``.
    """
    base = (
        f"{sdk_version_header()} Python/{platform.python_version()} "
        f"({platform.system() or 'unknown'}; {platform.machine() or 'unknown'})"
    )
    return f"{base} {suffix.strip()}" if suffix and suffix.strip() else base
