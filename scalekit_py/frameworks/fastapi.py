"""Scalekit login for FastAPI: drop-in for the official ``scalekit.frameworks.fastapi``.

See :mod:`scalekit_py.frameworks.starlette` (FastAPI apps are Starlette apps) and ``docs/frameworks.md``.
"""

from __future__ import annotations

from scalekit_py.frameworks.starlette import LoginRequired, ScalekitAuth

__all__ = ["LoginRequired", "ScalekitAuth"]
