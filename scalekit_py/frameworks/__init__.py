"""Web framework integrations: ``scalekit_py.frameworks.fastapi`` and ``.starlette``.

Each adapter imports its framework lazily (only when the submodule is imported); this package imports
nothing heavy. Shared logic: ``_decide`` (pure decisions), ``_cookie`` (AES-GCM cookies), ``_core`` (the
flow), ``webhooks`` (event verification for webhook routes).
"""
