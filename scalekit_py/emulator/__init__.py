"""Local emulator of the Scalekit service (install the ``emulator`` extra).

``Emulator`` serves the gRPC admin API and the OAuth/OIDC endpoints on one port, from a background
thread, for tests and local development; ``python -m scalekit_py.emulator`` runs it from a shell.
Importing this package is cheap: the server stack is imported by :meth:`Emulator.start`.
"""

from scalekit_py.emulator._emulator import Emulator

__all__ = ["Emulator"]
