"""Known third-party apps for environment app connections (``flags.is_app``), as the real service has.

An app connection created for one of these providers (named by ``provider_key``, any case) gets a
``key_id`` of ``<provider>-<random>``, starts enabled, and its OAuth configuration carries the
provider's own authorization and token endpoints (public facts of each provider's OAuth docs).
"""

from __future__ import annotations

import secrets
from typing import NamedTuple

__all__ = ["APP_PROVIDERS", "AppProvider", "app_key_id"]


class AppProvider(NamedTuple):
    authorize_uri: str
    token_uri: str


APP_PROVIDERS: dict[str, AppProvider] = {
    "hubspot": AppProvider(
        "https://app.hubspot.com/oauth/authorize", "https://api.hubapi.com/oauth/v1/token"
    ),
    "salesforce": AppProvider(
        "https://login.salesforce.com/services/oauth2/authorize",
        "https://login.salesforce.com/services/oauth2/token",
    ),
    "slack": AppProvider("https://slack.com/oauth/v2/authorize", "https://slack.com/api/oauth.v2.access"),
    "github": AppProvider(
        "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token"
    ),
    "google": AppProvider(
        "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token"
    ),
}


def app_key_id(provider_key: str) -> str:
    """A fresh ``key_id`` for an app connection: the provider's name and a random 64-bit suffix (32 bits
    collided, ALREADY_EXISTS, about once in four runs that made 50k app connections)."""
    return f"{provider_key.lower()}-{secrets.token_hex(8)}"
