"""Test-only: drive the official `scalekit-sdk-python`'s API-token and events clients against the
emulator; print one JSON line (run by tests/interop/test_official_tokens_events.py, over TLS)."""

import json
import os

from scalekit import ScalekitClient
from scalekit.common.exceptions import ScalekitValidateTokenFailureException
from scalekit.v1.events.events_pb2 import EventFilter
from scalekit.v1.organizations.organizations_pb2 import CreateOrganization
from scalekit.v1.users.users_pb2 import CreateUser


def _msg(result):  # some official methods return (message, call) tuples
    return result[0] if isinstance(result, tuple) else result


def main() -> None:
    sc = ScalekitClient(
        os.environ["SCALEKIT_ENV_URL"], os.environ["SCALEKIT_CLIENT_ID"], os.environ["SCALEKIT_CLIENT_SECRET"]
    )
    suffix = os.environ["INTEROP_SUFFIX"]
    out = {}
    org_id = _msg(
        sc.organization.create_organization(CreateOrganization(display_name=f"Py Tok {suffix}"))
    ).organization.id
    user = _msg(
        sc.users.create_user_and_membership(
            org_id, CreateUser(email=f"py-tok-{suffix}@example.com"), send_invitation_email=False
        )
    ).user
    out["org_id"], out["user_id"] = org_id, user.id
    created = _msg(
        sc.tokens.create_token(org_id, user_id=user.id, custom_claims={"env": "ci"}, description="py")
    )
    out["token_id"] = created.token_id
    out["token_is_opaque"] = bool(created.token) and created.token != created.token_id
    info = _msg(sc.tokens.validate_token(created.token)).token_info
    out["validated"] = {
        "organization_id": info.organization_id,
        "user_id": info.user_id,
        "claims": dict(info.custom_claims),
    }
    # The official SDK merges claims on its side: it validates, merges, then sends the whole map.
    updated = _msg(
        sc.tokens.update_token(created.token, custom_claims={"team": "core"}, description="py2")
    ).token_info
    out["updated"] = {"claims": dict(updated.custom_claims), "description": updated.description}
    listed = _msg(sc.tokens.list_tokens(org_id, user_id=user.id, page_size=30))
    out["listed"] = [t.token_id for t in listed.tokens]
    out["listed_total"] = listed.total_count
    sc.tokens.invalidate_token(created.token_id)
    try:
        sc.tokens.validate_token(created.token)
        out["rejected_after_invalidate"] = False
    except ScalekitValidateTokenFailureException:
        out["rejected_after_invalidate"] = True
    page = _msg(sc.events.list_events_paginated(page_size=50, filter=EventFilter(organization_id=org_id)))
    out["event_types"] = [e.type for e in page.events]
    out["event_ids"] = [e.id for e in page.events]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
