"""Per-RPC service facades (placeholder docstring)."""
