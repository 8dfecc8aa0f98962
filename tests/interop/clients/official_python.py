"""Test-only: drive the official `scalekit-sdk-python` against the emulator; print one JSON line.

Runs in its own virtualenv (the official SDK and our generated code both register the `scalekit.v1.*`
protobuf symbols, so they cannot share one process). It always uses TLS: the caller points
GRPC_DEFAULT_SSL_ROOTS_FILE_PATH and REQUESTS_CA_BUNDLE at the emulator's CA.
"""

import json
import os
import sys

from scalekit import ScalekitClient
from scalekit.v1.organizations.organizations_pb2 import CreateOrganization
from scalekit.v1.users.users_pb2 import CreateUser


def _msg(result):  # the official SDK returns (message, call) tuples
    return result[0] if isinstance(result, tuple) else result


def main() -> None:
    sc = ScalekitClient(
        os.environ["SCALEKIT_ENV_URL"], os.environ["SCALEKIT_CLIENT_ID"], os.environ["SCALEKIT_CLIENT_SECRET"]
    )
    suffix = os.environ["INTEROP_SUFFIX"]
    out = {}
    created = _msg(
        sc.organization.create_organization(
            CreateOrganization(display_name=f"Py Org {suffix}", external_id=f"py-{suffix}")
        )
    )
    org_id = created.organization.id
    out["org_id"] = org_id
    out["org_name"] = _msg(sc.organization.get_organization(org_id)).organization.display_name
    orgs = _msg(sc.organization.list_organizations(page_size=100))
    out["org_listed"] = any(o.id == org_id for o in orgs.organizations)
    made = _msg(
        sc.users.create_user_and_membership(
            org_id, CreateUser(email=f"py-{suffix}@example.com"), send_invitation_email=False
        )
    )
    user_id = made.user.id
    out["user_id"] = user_id
    out["user_email"] = _msg(sc.users.get_user(user_id)).user.email
    users = _msg(sc.users.list_users(page_size=100))
    out["user_listed"] = any(u.id == user_id for u in users.users)
    sc.users.delete_user(user_id)
    try:
        sc.users.get_user(user_id)
        out["user_deleted"] = False
    except Exception:
        out["user_deleted"] = True
    sc.organization.delete_organization(org_id)
    try:
        sc.organization.get_organization(org_id)
        out["org_deleted"] = False
    except Exception:
        out["org_deleted"] = True
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:
        print(f"interop failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
