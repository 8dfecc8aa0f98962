"""Test-only: the official `scalekit-sdk-python` manages an organization (M2M) client on the emulator
and uses its credentials; prints one JSON line (never a secret). See tests/interop/test_official_m2m.py.
"""

import json
import os

from scalekit import ScalekitClient
from scalekit.common.scalekit import TokenValidationOptions
from scalekit.v1.clients.clients_pb2 import CustomClaim, OrganizationClient

AUDIENCE = "https://api.example.com"


def _msg(result):  # the official SDK returns (message, call) tuples
    return result[0] if isinstance(result, tuple) else result


def _refused(call):
    try:
        call()
    except Exception as exc:  # the SDK raises its own exception types
        return type(exc).__name__
    return ""


def main() -> None:
    env_url = os.environ["SCALEKIT_ENV_URL"]
    sc = ScalekitClient(env_url, os.environ["SCALEKIT_CLIENT_ID"], os.environ["SCALEKIT_CLIENT_SECRET"])
    org_id = os.environ["INTEROP_ORG_ID"]
    suffix = os.environ["INTEROP_SUFFIX"]
    out = {}
    created = _msg(
        sc.m2m_client.create_organization_client(
            org_id,
            OrganizationClient(
                name=f"py-m2m-{suffix}",
                scopes=["deploy:apps"],
                audience=[AUDIENCE],
                custom_claims=[CustomClaim(key="team", value="ops")],
                expiry=900,
            ),
        )
    )
    client_id, secret = created.client.client_id, created.plain_secret
    out["client_id"] = client_id
    out["secret_shown"] = bool(secret)
    fetched = _msg(sc.m2m_client.get_organization_client(org_id, client_id)).client
    out["secret_hidden_later"] = secret not in str(fetched)

    token = sc.generate_client_token(client_id, secret)
    claims = sc.validate_token(
        token,
        options=TokenValidationOptions(issuer=env_url, audience=[AUDIENCE], required_scopes=["deploy:apps"]),
    )
    out["oid"] = claims["oid"]
    out["scopes"] = claims["scopes"]
    out["team"] = claims["team"]
    out["lifetime"] = claims["exp"] - claims["iat"]
    out["wrong_scope_valid"] = sc.validate_access_token(
        token, TokenValidationOptions(audience=[AUDIENCE], required_scopes=["admin:all"])
    )
    out["wrong_audience_valid"] = sc.validate_access_token(
        token, TokenValidationOptions(audience=["https://x.example"])
    )

    as_org_client = ScalekitClient(env_url, client_id, secret)
    out["admin_call_refused"] = _refused(lambda: as_org_client.organization.get_organization(org_id))

    first_id = fetched.secrets[0].id
    added = _msg(sc.m2m_client.add_organization_client_secret(org_id, client_id))
    sc.m2m_client.remove_organization_client_secret(org_id, client_id, first_id)
    out["removed_secret_refused"] = _refused(lambda: sc.generate_client_token(client_id, secret))
    out["new_secret_works"] = bool(sc.generate_client_token(client_id, added.plain_secret))
    listed = _msg(sc.m2m_client.list_organization_clients(org_id, page_size=100))
    out["listed"] = any(c.client_id == client_id for c in listed.clients)
    sc.m2m_client.delete_organization_client(org_id, client_id)
    out["deleted_client_refused"] = _refused(lambda: sc.generate_client_token(client_id, added.plain_secret))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
