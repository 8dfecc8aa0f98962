"""The asyncio facades, one module per service; the blocking twins in ``_sync`` are generated from these.

Each class wraps an ``AsyncCaller`` and is reached through a client attribute (``client.organization``
and so on); see :mod:`scalekit_py.services` for the conventions every method follows.
"""
