"""Fill every paged list of an in-process emulator with ``size`` documents, as its own handlers would.

Used by ``benchmarks/list_paging.py``. Two ways of writing, chosen per list:

- **through the handler**: the service's own ``async`` handler is awaited in this process (as
  ``scalekit_py/emulator/seed.py`` does), without gRPC. Exactly what the RPC writes, at ~0.1-0.3 ms a
  document. Events are not recorded while seeding (``state.muted``, as for the emulator's own seed).
- **through the emulator's module-level functions** where a list has no create RPC of its own (IdP
  directory pushes, consents recorded by ``/oauth/authorize``, sessions, connected accounts, events):
  ``add_directory_user`` / ``add_directory_group``, ``m2m.record_consent``, ``create_session``,
  ``accounts.create``, ``event_log.record``.

:func:`prepare` creates the parents (an organization, a directory, a user, a resource, ...) before the
driver reads each list's baseline; the ``fill_*`` functions then add ``size`` documents. Every
generated attribute that a measured filter selects on cycles with ``i % len(TEAMS)`` or ``i % 2``, so
the driver knows how many documents each filter matches (:func:`share`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

from google.protobuf import struct_pb2

from scalekit_api.v1.clients import clients_pb2
from scalekit_api.v1.connected_accounts import connected_accounts_pb2
from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.domains import domains_pb2
from scalekit_api.v1.mcp import mcp_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.providers import providers_pb2
from scalekit_api.v1.roles import roles_pb2
from scalekit_api.v1.tokens import tokens_pb2
from scalekit_api.v1.tools import tools_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import Emulator, event_log, m2m
from scalekit_py.emulator.agentkit import accounts
from scalekit_py.emulator.services import _directory_idp
from scalekit_py.emulator.services.clients import ClientService
from scalekit_py.emulator.services.connected_accounts import ConnectedAccountService
from scalekit_py.emulator.services.connections import ConnectionService
from scalekit_py.emulator.services.directories import DirectoryService, add_directory_group
from scalekit_py.emulator.services.domains import DomainService
from scalekit_py.emulator.services.mcp import McpService
from scalekit_py.emulator.services.organizations import OrganizationService
from scalekit_py.emulator.services.providers import ProviderService
from scalekit_py.emulator.services.roles import RolesService
from scalekit_py.emulator.services.sessions import REVOKED, create_session, end_session
from scalekit_py.emulator.services.tokens import ApiTokenService
from scalekit_py.emulator.services.tools import ToolService
from scalekit_py.emulator.services.users import UserService

__all__ = [
    "BATCH",
    "FILLS",
    "TEAMS",
    "Parents",
    "muted",
    "prepare",
    "share",
]

T = TypeVar("T")

TEAMS = ("alpha", "bravo", "charlie", "delta")
"""The attribute the searches select on: document ``i`` belongs to ``TEAMS[i % 4]`` (a search for one
team matches a quarter of the list)."""
CONNECTION_PROVIDERS = (
    connections_pb2.OKTA,
    connections_pb2.GOOGLE,
    connections_pb2.MICROSOFT_AD,
    connections_pb2.AUTH0,
)
APP_KEYS = ("hubspot", "salesforce", "slack", "github", "google")
EVENT_TYPES = (
    "organization.membership_created",
    "organization.directory.user_created",
    "organization.sso_created",
    "organization.updated",
)
BATCH = 2_000
"""Documents per store transaction when writing straight into the store."""


def share(size: int, k: int, n: int) -> int:
    """How many of ``range(size)`` are ``k`` modulo ``n`` (the documents a cycling filter matches)."""
    return len(range(k, size, n))


def _run(coro: Awaitable[T]) -> T:
    async def wrap() -> T:
        return await coro

    return asyncio.run(wrap())


def _each(size: int, make: Callable[[int], Awaitable[Any]]) -> None:
    """Await ``make(i)`` for ``i`` in ``range(size)`` on one event loop."""

    async def go() -> None:
        for i in range(size):
            await make(i)

    asyncio.run(go())


@contextlib.contextmanager
def muted(emu: Emulator) -> Iterator[None]:
    """Record no events while seeding (as the emulator's own seed): only :func:`fill_events` writes
    the event log, so ``ListEvents`` counts what the benchmark put there."""
    before, emu.state.muted = emu.state.muted, True
    try:
        yield
    finally:
        emu.state.muted = before


@dataclasses.dataclass(frozen=True)
class Parents:
    """What the lists hang off, created by :func:`prepare` before the baselines are read.

    Attributes:
        org_id: the organization of every organization-scoped list.
        dir_id, group_id: a SCIM directory of it (enabled) and one of its groups.
        user_id: a member of ``org_id``: owner of the sessions and of half the API tokens.
        resource_id, resource_client_id: a resource and its client (the consents' target).
        scoped_identifier: a connected-account identifier with ACTIVE accounts on ``BENCH_A`` and
            ``BENCH_B`` (the custom providers that own the seeded tools).
        config_names: two MCP configurations the seeded instances alternate between.
    """

    org_id: str
    dir_id: str
    group_id: str
    user_id: str
    resource_id: str
    resource_client_id: str
    scoped_identifier: str
    config_names: tuple[str, str]


def _oauth() -> connected_accounts_pb2.CreateConnectedAccount:
    token = connected_accounts_pb2.OauthToken(access_token="bench-access", refresh_token="bench-refresh")
    return connected_accounts_pb2.CreateConnectedAccount(
        authorization_details=connected_accounts_pb2.AuthorizationDetails(oauth_token=token)
    )


def prepare(emu: Emulator) -> Parents:
    """Create, through the handlers, the parents of the organization-, directory-, user- and
    resource-scoped lists, the two custom providers ``BENCH_A``/``BENCH_B``, the scoped identifier's two
    accounts and two MCP configurations (mapping the built-in ``notes`` connector)."""
    state = emu.state
    orgs, users, dirs = OrganizationService(state), UserService(state), DirectoryService(state)
    clients, providers = ClientService(state), ProviderService(state)
    ca, mcp = ConnectedAccountService(state), McpService(state)

    async def go() -> Parents:
        org = await orgs.create_organization(
            organizations_pb2.CreateOrganizationRequest(
                organization=organizations_pb2.CreateOrganization(
                    display_name="Bench Lists Inc", external_id="bench-lists"
                )
            ),
            None,
        )
        org_id = org.organization.id
        spec = directories_pb2.CreateDirectory(
            directory_type=directories_pb2.SCIM, directory_provider=directories_pb2.OKTA
        )
        directory = await dirs.create_directory(
            directories_pb2.CreateDirectoryRequest(organization_id=org_id, directory=spec), None
        )
        user = await users.create_user_and_membership(
            users_pb2.CreateUserAndMembershipRequest(
                organization_id=org_id,
                user=users_pb2.CreateUser(email="session.owner@bench.example.com"),
            ),
            None,
        )
        resource = await clients.create_resource(
            clients_pb2.CreateResourceRequest(
                resource=clients_pb2.CreateResource(
                    name="Bench API",
                    resource_uri="https://consents.bench.example.com",
                    resource_type=clients_pb2.WEB,
                )
            ),
            None,
        )
        resource_client = await clients.create_resource_client(
            clients_pb2.CreateResourceClientRequest(
                resource_id=resource.resource.id, client=clients_pb2.ResourceClient(name="Bench agent")
            ),
            None,
        )
        patterns = struct_pb2.ListValue()
        patterns.add_struct().update({"type": "OAUTH"})
        for name in ("Bench A", "Bench B"):
            await providers.create_custom_provider(
                providers_pb2.CreateCustomProviderRequest(
                    provider=providers_pb2.CreateCustomProvider(display_name=name, auth_patterns=patterns)
                ),
                None,
            )
        for connector in ("bench_a", "bench_b"):
            await ca.create_connected_account(
                connected_accounts_pb2.CreateConnectedAccountRequest(
                    connector=connector, identifier="scoped@bench.example.com", connected_account=_oauth()
                ),
                None,
            )
        names = ("bench-instances-a", "bench-instances-b")
        for name in names:
            await mcp.create_mcp_config(_config_request(name, "instances"), None)
        return Parents(
            org_id=org_id,
            dir_id=directory.directory.id,
            group_id="",
            user_id=user.user.id,
            resource_id=resource.resource.id,
            resource_client_id=resource_client.client.client_id,
            scoped_identifier="scoped@bench.example.com",
            config_names=names,
        )

    with muted(emu):
        parents = _run(go())
        group = add_directory_group(state, parents.dir_id, "Engineering", external_id="bench-engineering")
    return dataclasses.replace(parents, group_id=group.id)


def _config_request(name: str, description: str) -> mcp_pb2.CreateMcpConfigRequest:
    mapping = mcp_pb2.McpConfigConnectionToolMapping(connection_name="notes", tools=["notes_list"])
    config = mcp_pb2.McpConfig(name=name, description=description, connection_tool_mappings=[mapping])
    return mcp_pb2.CreateMcpConfigRequest(config=config)


# --- through the handlers ---------------------------------------------------------------------------------


def fill_organizations(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateOrganization`` x size: display name ``"<Team> Traders <i>"``, external id ``bench-org-<i>``
    (``SearchOrganization`` for a team matches a quarter)."""
    svc = OrganizationService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        spec = organizations_pb2.CreateOrganization(
            display_name=f"{TEAMS[i % 4].title()} Traders {i}", external_id=f"bench-org-{i}"
        )
        return svc.create_organization(organizations_pb2.CreateOrganizationRequest(organization=spec), None)

    _each(size, make)


def fill_org_connections(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateConnection`` x size in the bench organization: SAML, provider cycling OKTA, GOOGLE,
    MICROSOFT_AD, AUTH0 (a search for ``okta`` matches a quarter)."""
    svc = ConnectionService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        spec = connections_pb2.CreateConnection(
            type=connections_pb2.SAML, provider=CONNECTION_PROVIDERS[i % len(CONNECTION_PROVIDERS)]
        )
        return svc.create_connection(
            connections_pb2.CreateConnectionRequest(organization_id=p.org_id, connection=spec), None
        )

    _each(size, make)


def fill_app_connections(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateEnvironmentConnection`` x size: OAUTH app connections (``flags.is_app``), provider key
    cycling hubspot, salesforce, slack, github, google; the emulator makes up each ``key_id``."""
    svc = ConnectionService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        key = APP_KEYS[i % len(APP_KEYS)]
        spec = connections_pb2.CreateConnection(type=connections_pb2.OAUTH, provider_key=key)
        request = connections_pb2.CreateEnvironmentConnectionRequest(
            connection=spec, flags=connections_pb2.Flags(is_app=True)
        )
        return svc.create_environment_connection(request, None)

    _each(size, make)


def fill_domains(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateDomain`` x size in the bench organization, ``d<i>.bench-lists.example.com``, type
    alternating ORGANIZATION_DOMAIN (even i) and ALLOWED_EMAIL_DOMAIN."""
    svc = DomainService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        kind = domains_pb2.ORGANIZATION_DOMAIN if i % 2 == 0 else domains_pb2.ALLOWED_EMAIL_DOMAIN
        spec = domains_pb2.CreateDomain(domain=f"d{i}.bench-lists.example.com", domain_type=kind)
        return svc.create_domain(domains_pb2.CreateDomainRequest(organization_id=p.org_id, domain=spec), None)

    _each(size, make)


def fill_users(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateUserAndMembership`` x size in the bench organization (default member role): given name
    ``Bench``, family name the team of ``i`` (``SearchUsers``/``SearchOrganizationUsers`` for a team match
    a quarter), email ``<team>.user<i>@bench.example.com``, external id ``bench-user-<i>``."""
    svc = UserService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        team = TEAMS[i % 4]
        spec = users_pb2.CreateUser(
            email=f"{team}.user{i}@bench.example.com",
            external_id=f"bench-user-{i}",
            user_profile=users_pb2.CreateUserProfile(given_name="Bench", family_name=team.title()),
        )
        request = users_pb2.CreateUserAndMembershipRequest(organization_id=p.org_id, user=spec)
        return svc.create_user_and_membership(request, None)

    _each(size, make)


def fill_permissions(emu: Emulator, p: Parents, size: int) -> None:
    """``CreatePermission`` x size, ``bench:perm<i>`` (environment permissions)."""
    svc = RolesService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        spec = roles_pb2.CreatePermission(name=f"bench:perm{i}", description=f"Bench permission {i}")
        return svc.create_permission(roles_pb2.CreatePermissionRequest(permission=spec), None)

    _each(size, make)


def fill_tokens(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateToken`` x size in the bench organization, every other one a user token of ``p.user_id``,
    no expiry."""
    svc = ApiTokenService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        spec = tokens_pb2.CreateToken(organization_id=p.org_id, description=f"bench token {i}")
        if i % 2:
            spec.user_id = p.user_id
        return svc.create_token(tokens_pb2.CreateTokenRequest(token=spec), None)

    _each(size, make)


def fill_org_clients(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateOrganizationClient`` x size in the bench organization (one secret each)."""
    svc = ClientService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        spec = clients_pb2.OrganizationClient(name=f"bench client {i}", scopes=["read"])
        request = clients_pb2.CreateOrganizationClientRequest(organization_id=p.org_id, client=spec)
        return svc.create_organization_client(request, None)

    _each(size, make)


def fill_resources(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateResource`` x size, ``resource_type`` alternating MCP_SERVER (even i) and WEB, unique
    ``resource_uri``."""
    svc = ClientService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        spec = clients_pb2.CreateResource(
            name=f"Bench resource {i}",
            resource_uri=f"https://r{i}.bench.example.com",
            resource_type=clients_pb2.MCP_SERVER if i % 2 == 0 else clients_pb2.WEB,
        )
        return svc.create_resource(clients_pb2.CreateResourceRequest(resource=spec), None)

    _each(size, make)


def fill_env_clients(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateClient`` x size (one secret each), ``client_type`` alternating ``API`` (even i) and
    ``WEB``."""
    svc = ClientService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        spec = clients_pb2.CreateClient(name=f"bench app {i}", client_type="API" if i % 2 == 0 else "WEB")
        return svc.create_client(clients_pb2.CreateClientRequest(client=spec), None)

    _each(size, make)


def fill_mcp_configs(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateMcpConfig`` x size, ``bench-config-<i>`` described by its team (a search for a team
    matches a quarter), mapping ``notes`` / ``notes_list``. Run before the tools and providers grow:
    the handler reads the whole catalogue to check the mapping."""
    svc = McpService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        return svc.create_mcp_config(_config_request(f"bench-config-{i}", f"{TEAMS[i % 4]} workspace"), None)

    _each(size, make)


def fill_mcp_instances(emu: Emulator, p: Parents, size: int) -> None:
    """``EnsureMcpInstance`` x size, one per user ``user<i>@bench.example.com``, alternating between the
    two configurations of :func:`prepare` (even i: the first)."""
    svc = McpService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        request = mcp_pb2.EnsureMcpInstanceRequest(
            config_name=p.config_names[i % 2], user_identifier=f"user{i}@bench.example.com"
        )
        return svc.ensure_mcp_instance(request, None)

    _each(size, make)


# --- through the emulator's module-level helpers ----------------------------------------------------------


def fill_sessions(emu: Emulator, p: Parents, size: int) -> None:
    """``sessions.create_session`` x size for ``p.user_id`` (what a login writes), then
    ``sessions.end_session(status=REVOKED)`` (what ``RevokeSession`` writes) for every odd ``i``: even
    ones stay ACTIVE."""
    ids = [create_session(emu.state, p.user_id, p.org_id).session_id for _ in range(size)]
    for session_id in ids[1::2]:
        assert end_session(emu.state, session_id, REVOKED)


def fill_connected_accounts(emu: Emulator, p: Parents, size: int) -> None:
    """``accounts.create`` (what ``CreateConnectedAccount`` calls) x size, ACTIVE with OAuth credentials:
    identifier ``<team>.member<i>@bench.example.com`` (a search for a team matches a quarter), connector
    alternating ``notes`` / ``toolbox``, owned by the bench organization for even ``i`` (writes the
    ``ak_account`` document and its ``ak_owner`` companion)."""
    for first in range(0, size, BATCH):
        with emu.state.store.transaction() as tx:
            for i in range(first, min(first + BATCH, size)):
                accounts.create(
                    tx,
                    emu.state,
                    connector="notes" if i % 2 == 0 else "toolbox",
                    identifier=f"{TEAMS[i % 4]}.member{i}@bench.example.com",
                    organization_id=p.org_id if i % 2 == 0 else "",
                    user_id=f"bench-user-{i}",
                    body=_oauth(),
                )


def fill_events(emu: Emulator, p: Parents, size: int) -> None:
    """``event_log.record`` (what ``EmulatorState.emit`` calls after every change) x size, for the bench
    organization, type cycling through :data:`EVENT_TYPES`, one second apart ending now."""
    now = emu.state.clock()
    for first in range(0, size, BATCH):
        with emu.state.store.transaction() as tx:
            for i in range(first, min(first + BATCH, size)):
                event_log.record(
                    tx,
                    EVENT_TYPES[i % len(EVENT_TYPES)],
                    {"organization_id": p.org_id, "user_id": f"bench-user-{i}"},
                    occurred_at=now - (size - i),
                    environment_id=emu.state.environment_id,
                )


def fill_directory(emu: Emulator, p: Parents, size: int) -> None:
    """``size`` users and ``size`` groups pushed into the bench directory through the emulator's IdP
    simulation (``add_directory_user`` / ``add_directory_group``, one transaction each, matched by their
    unique keys). Users with an odd ``i`` are members of ``p.group_id``."""
    for i in range(size):
        email = f"{TEAMS[i % 4]}.dir{i}@bench.example.com"
        groups = [p.group_id] if i % 2 else []
        family = TEAMS[i % 4].title()
        _directory_idp.add_directory_user(
            emu.state, p.dir_id, email, given_name="Bench", family_name=family, groups=groups
        )
        name = f"{family} group {i}"
        _directory_idp.add_directory_group(emu.state, p.dir_id, name, external_id=f"bench-group-{i}")


def fill_consents(emu: Emulator, p: Parents, size: int) -> None:
    """``size`` consents of ``p.resource_client_id`` recorded by ``m2m.record_consent`` (what the
    emulator's ``/oauth/authorize`` calls when a user approves), external user id ``<team>-user-<i>``."""
    now = emu.state.clock()
    for first in range(0, size, BATCH):
        with emu.state.store.transaction() as tx:
            for i in range(first, min(first + BATCH, size)):
                m2m.record_consent(tx, p.resource_client_id, f"{TEAMS[i % 4]}-user-{i}", ["read"], now)


def fill_tools(emu: Emulator, p: Parents, size: int) -> None:
    """``CreateTool`` x size: ``bench_tool_<i>`` with a tag cycling the teams, provider alternating
    ``BENCH_A`` (even i) / ``BENCH_B``."""
    svc = ToolService(emu.state)

    def make(i: int) -> Awaitable[Any]:
        tool = tools_pb2.Tool(provider="BENCH_A" if i % 2 == 0 else "BENCH_B", tags=[TEAMS[i % 4]])
        tool.definition.update({"name": f"bench_tool_{i}", "description": f"Bench tool {i}"})
        tool.definition.get_or_create_struct("input_schema").update({"type": "object", "properties": {}})
        return svc.create_tool(tools_pb2.CreateToolRequest(tool=tool), None)

    _each(size, make)


def fill_providers(emu: Emulator, p: Parents, size: int) -> None:
    """``size`` providers: ``CreateCustomProvider`` (even i, ``Bench Provider <i>``) and
    ``CreateProvider`` (odd i, identifier ``BENCH_PROVIDER_<i>``, category productivity), OAUTH."""
    svc = ProviderService(emu.state)
    patterns = struct_pb2.ListValue()
    patterns.add_struct().update({"type": "OAUTH"})

    def make(i: int) -> Awaitable[Any]:
        name, about = f"Bench Provider {i}", f"{TEAMS[i % 4]} provider"
        if i % 2 == 0:
            custom = providers_pb2.CreateCustomProvider(
                display_name=name, description=about, auth_patterns=patterns
            )
            return svc.create_custom_provider(
                providers_pb2.CreateCustomProviderRequest(provider=custom), None
            )
        body = providers_pb2.CreateProvider(
            identifier=f"BENCH_PROVIDER_{i}", display_name=name, description=about, auth_patterns=patterns,
            categories=["productivity"],
        )  # fmt: skip
        return svc.create_provider(providers_pb2.CreateProviderRequest(provider=body), None)

    _each(size, make)


FILLS: tuple[Callable[[Emulator, Parents, int], None], ...] = (
    fill_mcp_configs,
    fill_mcp_instances,
    fill_connected_accounts,
    fill_tools,
    fill_providers,
    fill_organizations,
    fill_org_connections,
    fill_app_connections,
    fill_domains,
    fill_directory,
    fill_users,
    fill_sessions,
    fill_permissions,
    fill_tokens,
    fill_events,
    fill_org_clients,
    fill_resources,
    fill_consents,
    fill_env_clients,
)
"""Every fill, in the order the driver runs them."""


def fill_all(emu: Emulator, p: Parents, size: int, report: Callable[[str, float], None]) -> None:
    """Run every fill in :data:`FILLS` (events muted), reporting each one's seconds."""
    with muted(emu):
        for fill in FILLS:
            started = time.perf_counter()
            fill(emu, p, size)
            report(fill.__name__, time.perf_counter() - started)
