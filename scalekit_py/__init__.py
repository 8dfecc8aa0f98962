"""scalekit_py: typed sync and async client for the Scalekit admin and OAuth/OIDC API."""

__version__ = "0.1.0"
