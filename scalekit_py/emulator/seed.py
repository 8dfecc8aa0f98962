"""A usable environment on first start: permissions, roles, one organization and two users.

Created through the services' own handlers (in process, no network), so everything is stored exactly
as the API would store it. Ids are generated; emails and names are fixed:

====================  =======================================================================
permissions           ``organizations:read``, ``organizations:write``, ``users:read``, ``users:write``
environment roles     ``member`` (Member: the ``:read`` permissions; the default member role)
                      ``admin`` (Admin: extends ``member``, adds the ``:write`` permissions; the
                      default creator role)
organization          "Acme Inc", external id ``acme``, domain ``acme.example.com``
users                 ``admin@example.com`` (Ada Admin) — member of Acme with role ``admin``
                      ``member@example.com`` (Max Member) — member of Acme with role ``member``
AgentKit              custom provider "Demo API" (``DEMO_API``, connector ``demo_api``, bearer
                      token, proxy disabled until you point ``proxy_url`` at an upstream), and
                      an ACTIVE connected account of ``admin@example.com`` on the built-in
                      ``notes`` connector (its tools run at once)
====================  =======================================================================

The ids are on ``Emulator.seeded`` (a :class:`Seeded`) and kept in the store's meta table, so a ``--db``
file is seeded once and reports the same ids after a restart.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import json
from dataclasses import dataclass

from scalekit_py.emulator.state import EmulatorState

__all__ = ["ADMIN_EMAIL", "MEMBER_EMAIL", "ORG_EXTERNAL_ID", "Seeded", "seed"]

ADMIN_EMAIL = "admin@example.com"
MEMBER_EMAIL = "member@example.com"
ORG_EXTERNAL_ID = "acme"
ORG_DOMAIN = "acme.example.com"
PERMISSIONS = ("organizations:read", "organizations:write", "users:read", "users:write")
_META_KEY = "emulator.seeded"


@dataclass(frozen=True)
class Seeded:
    """What the seed created.

    Attributes:
        organization_id: the "Acme Inc" organization.
        organization_external_id: its external id (``acme``).
        domain: its domain (``acme.example.com``).
        admin_user_id / admin_email: the admin user (role ``admin`` in the organization).
        member_user_id / member_email: the member user (role ``member``).
        roles: the environment roles (``admin``, ``member``).
        permissions: the permission names.
        agentkit_provider: the seeded custom provider's identifier.
        agentkit_connector / agentkit_identifier / agentkit_account_id: the seeded ACTIVE connected
            account (built-in ``notes`` connector, ``admin@example.com``).
    """

    organization_id: str
    admin_user_id: str
    member_user_id: str
    organization_external_id: str = ORG_EXTERNAL_ID
    domain: str = ORG_DOMAIN
    admin_email: str = ADMIN_EMAIL
    member_email: str = MEMBER_EMAIL
    roles: tuple[str, ...] = ("admin", "member")
    permissions: tuple[str, ...] = PERMISSIONS
    agentkit_provider: str = "DEMO_API"
    agentkit_connector: str = "notes"
    agentkit_identifier: str = ADMIN_EMAIL
    agentkit_account_id: str = ""


async def _create(state: EmulatorState) -> Seeded:
    from scalekit_api.v1.commons import commons_pb2
    from scalekit_api.v1.domains import domains_pb2
    from scalekit_api.v1.organizations import organizations_pb2 as orgs
    from scalekit_api.v1.roles import roles_pb2 as roles
    from scalekit_api.v1.users import users_pb2 as users
    from scalekit_py.emulator.services.domains import DomainService
    from scalekit_py.emulator.services.organizations import OrganizationService
    from scalekit_py.emulator.services.roles import RolesService
    from scalekit_py.emulator.services.users import UserService

    role_svc, org_svc, user_svc = RolesService(state), OrganizationService(state), UserService(state)
    for name in PERMISSIONS:
        description = f"{name.split(':')[1].capitalize()} access to {name.split(':')[0]}"
        await role_svc.create_permission(
            roles.CreatePermissionRequest(
                permission=roles.CreatePermission(name=name, description=description)
            ),
            None,
        )
    await role_svc.create_role(
        roles.CreateRoleRequest(
            role=roles.CreateRole(
                name="member",
                display_name="Member",
                description="Can read organizations and users",
                permissions=[p for p in PERMISSIONS if p.endswith(":read")],
            )
        ),
        None,
    )
    await role_svc.create_role(
        roles.CreateRoleRequest(
            role=roles.CreateRole(
                name="admin",
                display_name="Admin",
                description="Can manage organizations and users",
                extends="member",
                permissions=[p for p in PERMISSIONS if p.endswith(":write")],
            )
        ),
        None,
    )
    await role_svc.update_default_roles(
        roles.UpdateDefaultRolesRequest(default_member_role="member", default_creator_role="admin"), None
    )
    org = await org_svc.create_organization(
        orgs.CreateOrganizationRequest(
            organization=orgs.CreateOrganization(display_name="Acme Inc", external_id=ORG_EXTERNAL_ID)
        ),
        None,
    )
    org_id = org.organization.id
    await DomainService(state).create_domain(
        domains_pb2.CreateDomainRequest(
            organization_id=org_id, domain=domains_pb2.CreateDomain(domain=ORG_DOMAIN)
        ),
        None,
    )
    user_ids = []
    for email, given, family, role in (
        (ADMIN_EMAIL, "Ada", "Admin", "admin"),
        (MEMBER_EMAIL, "Max", "Member", "member"),
    ):
        created = await user_svc.create_user_and_membership(
            users.CreateUserAndMembershipRequest(
                organization_id=org_id,
                send_invitation_email=False,
                user=users.CreateUser(
                    email=email,
                    user_profile=users.CreateUserProfile(
                        given_name=given, family_name=family, name=f"{given} {family}"
                    ),
                    membership=users.CreateMembership(roles=[commons_pb2.Role(name=role)]),
                ),
            ),
            None,
        )
        user_ids.append(created.user.id)
    account_id = await _seed_agentkit(state)
    return Seeded(
        organization_id=org_id,
        admin_user_id=user_ids[0],
        member_user_id=user_ids[1],
        agentkit_account_id=account_id,
    )


async def _seed_agentkit(state: EmulatorState) -> str:
    """The demo custom provider and an ACTIVE ``notes`` account of the admin user; returns its id."""
    import secrets

    from google.protobuf import struct_pb2

    from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as ca
    from scalekit_api.v1.providers import providers_pb2 as prv
    from scalekit_py.emulator.services.connected_accounts import ConnectedAccountService
    from scalekit_py.emulator.services.providers import ProviderService

    patterns = struct_pb2.ListValue()
    patterns.add_struct().update(
        {"type": "BEARER", "display_name": "API token", "fields": [{"field_name": "token"}]}
    )
    await ProviderService(state).create_custom_provider(
        prv.CreateCustomProviderRequest(
            provider=prv.CreateCustomProvider(
                display_name="Demo API",
                description="A custom provider to try the proxy with: set its proxy_url first",
                auth_patterns=patterns,
                proxy_url="https://demo-api.example.com",
                proxy_enabled=False,
            )
        ),
        None,
    )
    token = ca.OauthToken(
        access_token=f"ak_at_{secrets.token_urlsafe(18)}", refresh_token=f"ak_rt_{secrets.token_urlsafe(18)}"
    )
    created = await ConnectedAccountService(state).create_connected_account(
        ca.CreateConnectedAccountRequest(
            connector="notes",
            identifier=ADMIN_EMAIL,
            connected_account=ca.CreateConnectedAccount(
                authorization_details=ca.AuthorizationDetails(oauth_token=token)
            ),
        ),
        None,
    )
    return created.connected_account.id


def seed(state: EmulatorState) -> Seeded:
    """Seed the environment once (a no-op returning the recorded ids when it already was).

    The async handlers run on a private event loop in a worker thread, so this may be called from
    anywhere, including from code running inside an event loop.
    """
    recorded = state.store.get_meta(_META_KEY)
    if recorded:
        data = json.loads(recorded)
        for name in ("roles", "permissions"):
            data[name] = tuple(data[name])
        return Seeded(**data)
    # Seeding is not an event stream: nothing is sent to webhooks for it.
    emit, state.emit = state.emit, lambda event_type, data: None
    try:
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="emulator-seed") as pool:
            result = pool.submit(asyncio.run, _create(state)).result()
    finally:
        state.emit = emit
    state.store.set_meta(_META_KEY, json.dumps(dataclasses.asdict(result)))
    return result
