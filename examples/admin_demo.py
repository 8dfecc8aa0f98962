"""Admin tour: organizations, users and memberships, roles and permissions — sync and async.

Runs against the environment in SCALEKIT_ENV_URL / SCALEKIT_CLIENT_ID / SCALEKIT_CLIENT_SECRET, or, when
those are not set, against a local emulator it starts itself (no cloud account needed):

    python examples/admin_demo.py
"""

from __future__ import annotations

import asyncio
import os
import uuid
from contextlib import ExitStack

from scalekit_api.v1.users.users_pb2 import CreateUser
from scalekit_py import AsyncScalekitClient, NotFoundError, ScalekitClient
from scalekit_py.errors import BadRequestError


def tour(client: ScalekitClient, tag: str) -> str:
    """Create an organization with a user and a role, look them up, and return the organization id."""
    org = client.organization.create_organization(f"Acme {tag}", external_id=f"acme-{tag}")
    print(f"created organization {org.id} ({org.display_name})")

    client.permission.create_permission(f"invoices:read:{tag}", description="Read invoices")
    role = client.role.create_role(
        f"billing_{tag}",
        display_name="Billing",
        description="Reads invoices",
        permissions=[f"invoices:read:{tag}"],
    )
    print(f"created role {role.name} with permissions {[p.name for p in role.permissions]}")

    user = client.user.create_user_and_membership(
        org.id, user=CreateUser(email=f"jane-{tag}@acme.example"), send_invitation_email=False
    )
    client.user.assign_user_roles(org.id, user.id, role_names=[role.name])
    perms = client.user.list_user_permissions(org.id, user.id)
    print(f"user {user.email} in {org.id} may: {sorted(p.name for p in perms.permissions)}")

    members = [u.email for u in client.user.iter_organization_users(org.id, page_size=50)]
    print(f"members of {org.id}: {members}")

    try:
        client.organization.create_organization("")
    except BadRequestError as exc:
        print(f"bad input is a typed error: {exc.grpc_code} {[v.field for v in exc.field_violations]}")
    return org.id


async def async_tour(client: AsyncScalekitClient, org_id: str) -> None:
    """The same surface, awaited: count organizations lazily, then delete the demo organization."""
    count = 0
    async for _org in client.organization.iter_organizations(page_size=10):
        count += 1
    print(f"async: {count} organizations in the environment")
    await client.organization.delete_organization(org_id)
    try:
        await client.organization.get_organization(org_id)
    except NotFoundError as exc:
        print(f"async: deleted {org_id} (get now raises NotFoundError, http {exc.http_status})")


def main() -> None:
    credentials: tuple[str | None, str | None, str | None]
    with ExitStack() as stack:
        if not os.environ.get("SCALEKIT_ENV_URL"):
            from scalekit_py.emulator import Emulator

            emu = stack.enter_context(Emulator())
            print(f"started the local emulator at {emu.env_url}")
            credentials = (emu.env_url, emu.client_id, emu.client_secret)
        else:
            # The clients read SCALEKIT_ENV_URL / _CLIENT_ID / _CLIENT_SECRET themselves.
            credentials = (None, None, None)
        tag = uuid.uuid4().hex[:6]
        with ScalekitClient(*credentials) as client:
            print(f"client: {client!r}")
            org_id = tour(client, tag)

        async def run_async() -> None:
            async with AsyncScalekitClient(*credentials) as aclient:
                await async_tour(aclient, org_id)

        asyncio.run(run_async())
        print("demo finished")


if __name__ == "__main__":
    main()
