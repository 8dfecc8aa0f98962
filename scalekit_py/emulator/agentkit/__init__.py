"""A deterministic, offline AgentKit for the emulator: providers, tools, connected accounts, MCP, proxy.

==============  ======================================================================================
``catalogue``   built-in connectors (``notes``, ``toolbox``) and the created providers and tools
``accounts``    connected-account selection, credentials, third-party token expiry and refresh
``consent``     magic links, the simulated consent page, the user-verify step
``runners``     tool runners: local built-ins, and ``x-http`` tools calling a custom provider's upstream
``upstream``    bounded calls to an upstream (502 unreachable or malformed, 504 too slow)
``schema``      the JSON Schema subset tool inputs are checked against
``mcp``         MCP configurations, instances, auth state, session tokens
``http``        the HTTP routes: consent pages and ``/proxy/*``
==============  ======================================================================================

The gRPC handlers are the thin modules ``emulator/services/{connected_accounts,tools,mcp,providers}.py``.
See docs/emulator.md, "AgentKit".
"""
