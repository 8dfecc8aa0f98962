"""The list index of every filtered listing: which lists each stored document belongs to.

One indexer per document kind (see :mod:`scalekit_py.emulator.store_index` for the mechanism). The store
calls them on every write, in the write's transaction; a list handler names the list with a
:class:`~scalekit_py.emulator.store_index.Match` and pages in SQL. The tags, by kind:

- ``user``: ``""`` (every user) and ``"org:<organization id>"`` per membership; text: the lower-cased id,
  email, external id and profile names (``SearchUsers`` / ``SearchOrganizationUsers``).
- ``organization``: ``""`` with the lower-cased display name, external id and id (``SearchOrganization``),
  and ``"ext:<external id>"`` (``ListOrganization(external_id=...)``).
- ``directory_user``: ``"dir:<directory id>"`` and ``"dir:<directory id>/group:<group id>"`` per group;
  number: the update time in ns (``updated_after``).
- ``directory_group``: ``"dir:<directory id>"``; number: the update time in ns; text: the external id
  (the group selection); and ``"dir:<directory id>/name:<display name>"``.
- ``session``: ``"user:<user id>"``; number: the creation time in ns; text: the status. An active session
  also has ``"active:<user id>"`` with its expiry (the earlier deadline) in ns, so a listing expires only
  the sessions that are due instead of reading every one.
- ``permission``: ``""`` and ``"type:scalekit"`` / ``"type:custom"``.
- ``connection``: ``"org"`` when it belongs to an organization, else ``"env"``.
- ``api_token``: ``"org:<organization id>"`` and, for a user's token, ``"org:<organization id>/user:<user
  id>"``; number: the expiry in ns (:data:`NEVER` when none), so the live tokens are a number range.
- ``domain``: ``"org:<organization id>/type:<domain type number>"`` (``ListDomains(domain_type=...)``).
- ``event``: ``""`` and ``"org:<organization id>"``; number: when it occurred in ns; text: its type
  (``ListEvents`` by types and time range).
- ``env_client``: ``""``; text: the client type number (``ListClient`` by types).
- ``resource``: ``"type:<resource type number>"`` (``ListResources`` by type).

AgentKit (the catalogue lists page over the built-ins in memory, then these; see
:mod:`scalekit_py.emulator.agentkit.paging`):

- ``ak_tool``: ``""`` (every created tool) and ``"provider:<PROVIDER>"`` (upper-cased); text: the tool's
  lower-cased search text (name, description, tags, provider) for ``ListTools(query=...)``.
- ``ak_provider``: ``""``, ``"type:custom"`` / ``"type:default"``, and ``"connector:<name>"`` for both of
  its connection names (the identifier and the connection id, lower-cased), so the provider behind a
  connection name is an index read.
- ``ak_account``: ``"identifier:<identifier>"`` (the accounts of one identifier: one per connector).
- ``ak_owner``: ``"org:<organization id>"`` and ``"user:<user id>"`` (the accounts an owner holds).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf import struct_pb2

from scalekit_api.v1.clients import clients_pb2
from scalekit_api.v1.connected_accounts import connected_accounts_pb2
from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.domains import domains_pb2
from scalekit_api.v1.events import events_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.providers import providers_pb2
from scalekit_api.v1.roles import roles_pb2
from scalekit_api.v1.sessions import sessions_pb2
from scalekit_api.v1.tokens import tokens_pb2
from scalekit_api.v1.tools import tools_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator.agentkit import catalogue
from scalekit_py.emulator.store_index import Entry, Indexer

__all__ = ["INDEXERS", "NEVER", "SEPARATOR", "group_name_tag", "search_text"]

NEVER = 2**62
"""The index number of a time that never comes (a token without expiry)."""

# Joins the searchable fields of one document; a query containing it matches nothing (as a substring of
# one field could not contain it either).
SEPARATOR = "\x1f"


def search_text(*fields: str) -> str:
    """The lower-cased search blob of a document's fields (empty fields left out)."""
    return SEPARATOR.join(f.lower() for f in fields if f)


def _user(user: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(user, users_pb2.User)
    p = user.user_profile
    text = search_text(
        user.id, user.email, user.external_id, p.name, p.given_name, p.family_name, p.preferred_username
    )
    yield Entry("", text=text)
    for m in user.memberships:
        yield Entry(f"org:{m.organization_id}", text=text)


def _organization(org: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(org, organizations_pb2.Organization)
    yield Entry("", text=search_text(org.display_name, org.external_id, org.id))
    yield Entry(f"ext:{org.external_id}")


def group_name_tag(directory_id: str, display_name: str) -> str:
    """The list of a directory's groups with this display name (how an IdP push without an external id
    finds its group)."""
    return f"dir:{directory_id}/name:{display_name}"


def _directory_user(user: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(user, directories_pb2.DirectoryUser)
    updated = user.updated_at.ToNanoseconds()
    yield Entry(f"dir:{parent}", num=updated)
    for group in user.groups:
        yield Entry(f"dir:{parent}/group:{group.id}", num=updated)


def _directory_group(group: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(group, directories_pb2.DirectoryGroup)
    value = group.group_detail.fields.get("external_id")
    external_id = value.string_value if value is not None else ""
    yield Entry(f"dir:{parent}", num=group.updated_at.ToNanoseconds(), text=external_id)
    yield Entry(group_name_tag(parent, group.display_name))


def _session(session: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(session, sessions_pb2.SessionDetails)
    yield Entry(f"user:{parent}", num=session.created_at.ToNanoseconds(), text=session.status)
    if session.status == "ACTIVE":
        deadline = min(session.idle_expires_at.ToNanoseconds(), session.absolute_expires_at.ToNanoseconds())
        yield Entry(f"active:{parent}", num=deadline)


def _permission(perm: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(perm, roles_pb2.Permission)
    yield Entry("")
    yield Entry("type:scalekit" if perm.is_scalekit_permission else "type:custom")


def _connection(conn: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(conn, connections_pb2.Connection)
    yield Entry("org" if conn.HasField("organization_id") else "env")


def _api_token(token: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(token, tokens_pb2.Token)
    expiry = token.expiry.ToNanoseconds() if token.HasField("expiry") else NEVER
    yield Entry(f"org:{token.organization_id}", num=expiry)
    if token.HasField("user_id"):
        yield Entry(f"org:{token.organization_id}/user:{token.user_id}", num=expiry)


def _event(event: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(event, events_pb2.Event)
    when = event.occurred_at.ToNanoseconds()
    yield Entry("", num=when, text=event.type)
    if parent:
        yield Entry(f"org:{parent}", num=when, text=event.type)


def _env_client(client: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(client, clients_pb2.Client)
    yield Entry("", text=str(client.client_type))


def _resource(resource: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(resource, clients_pb2.Resource)
    yield Entry(f"type:{resource.resource_type}")


def _domain(domain: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(domain, domains_pb2.Domain)
    yield Entry(f"org:{parent}/type:{domain.domain_type}")


INDEXERS: dict[str, Indexer] = {
    "user": (users_pb2.User, _user),
    "organization": (organizations_pb2.Organization, _organization),
    "directory_user": (directories_pb2.DirectoryUser, _directory_user),
    "directory_group": (directories_pb2.DirectoryGroup, _directory_group),
    "session": (sessions_pb2.SessionDetails, _session),
    "permission": (roles_pb2.Permission, _permission),
    "connection": (connections_pb2.Connection, _connection),
    "api_token": (tokens_pb2.Token, _api_token),
    "domain": (domains_pb2.Domain, _domain),
    "event": (events_pb2.Event, _event),
    "env_client": (clients_pb2.Client, _env_client),
    "resource": (clients_pb2.Resource, _resource),
}


def _ak_tool(tool: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(tool, tools_pb2.Tool)
    text = catalogue.search_text(tool)
    yield Entry("", text=text)
    yield Entry(f"provider:{tool.provider.upper()}", text=text)


def _ak_provider(provider: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(provider, providers_pb2.Provider)
    yield Entry("")
    yield Entry("type:custom" if provider.is_custom else "type:default")
    yield Entry(f"connector:{catalogue.connector_of(provider)}")
    yield Entry(f"connector:{catalogue.connection_id(provider).lower()}")


def _ak_account(account: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(account, connected_accounts_pb2.ConnectedAccount)
    yield Entry(f"identifier:{account.identifier}")


def _ak_owner(owner: Any, parent: str) -> Iterable[Entry]:
    assert isinstance(owner, struct_pb2.Struct)
    for tag, name in (("org", "organization_id"), ("user", "user_id")):
        value = owner.fields.get(name)
        if value is not None and value.string_value:
            yield Entry(f"{tag}:{value.string_value}")


INDEXERS.update(
    {
        catalogue.TOOL_KIND: (tools_pb2.Tool, _ak_tool),
        catalogue.PROVIDER_KIND: (providers_pb2.Provider, _ak_provider),
        "ak_account": (connected_accounts_pb2.ConnectedAccount, _ak_account),
        "ak_owner": (struct_pb2.Struct, _ak_owner),
    }
)
