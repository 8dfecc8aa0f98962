"""DirectoryService: SCIM/LDAP/poll directories of an organization, with their users, groups and secrets.

Directories are ``directory`` documents (parent = organization id). What an identity provider pushes lives
in ``directory_user`` and ``directory_group`` documents (parent = directory id); the admin API cannot
create those, so :func:`add_directory_user` / :func:`add_directory_group` (and the ``remove_`` twins)
simulate the IdP from Python. Bearer secrets are ``directory_secret`` documents (a :class:`Secret` with
only the last four characters; the SHA-256 of the plain secret is the unique key ``hash``, dropped when
the secret is regenerated, so :func:`verify_directory_secret` rejects the old one). The groups chosen with
``AssignGroupsForDirectory`` are kept as an ``org_settings`` document ``<org_id>:directory_groups:<dir_id>``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from google.protobuf.empty_pb2 import Empty
from google.protobuf.message import Message

from scalekit_api.v1.directories import directories_connect
from scalekit_api.v1.directories import directories_pb2 as pb
from scalekit_api.v1.roles import roles_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, org_id_for, require_fields
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Page, Tx, secret_digest

__all__ = [
    "DirectoryService",
    "add_directory_group",
    "add_directory_user",
    "create_app",
    "delete_directory_tree",
    "remove_directory_group",
    "remove_directory_user",
    "verify_directory_secret",
]

from scalekit_py.emulator.services._directory_idp import (
    GROUP,
    KIND,
    SECRET,
    SETTINGS,
    USER,
    M,
    _external_id,
    _ns,
    _selection_id,
    _touch_synced,
    add_directory_group,
    add_directory_user,
    delete_directory_tree,
    remove_directory_group,
    remove_directory_user,
    verify_directory_secret,
)

# --- the admin API ---------------------------------------------------------------------------------------


def _page(tx: Tx, kind: str, msg_type: type[M], request: Any, match: Match) -> Page:
    size, token = request.page_size, request.page_token
    return tx.page(kind, msg_type, page_size=size, page_token=token, match=match, max_size=30)


class DirectoryService(Service, directories_connect.DirectoryService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    def _dir(self, tx: Tx, org_id: str, dir_id: str, field: str = "id") -> pb.Directory:
        require_fields(**{field: dir_id})
        org_id = org_id_for(tx, org_id)
        directory = tx.get(KIND, dir_id, pb.Directory)
        if directory is None or directory.organization_id != org_id:
            raise _status.not_found("directory", dir_id)
        return directory

    def _save(self, tx: Tx, directory: pb.Directory) -> None:
        tx.update(KIND, directory.id, directory)

    def _hydrate(self, tx: Tx, d: pb.Directory) -> pb.Directory:
        """The directory with its counts, stats and secrets filled in from the documents under it."""
        out = pb.Directory()
        out.CopyFrom(d)
        # From the list index: counts and the newest update time, without reading the users.
        members = Match(f"dir:{d.id}")
        out.total_users = out.stats.total_users = tx.count(USER, members)
        out.total_groups = out.stats.total_groups = tx.count(GROUP, members)
        if (user_ns := tx.max_num(USER, members)) is not None:
            out.stats.user_updated_at.FromNanoseconds(user_ns)
        if (group_ns := tx.max_num(GROUP, members)) is not None:
            out.stats.group_updated_at.FromNanoseconds(group_ns)
        del out.secrets[:]
        out.secrets.extend(tx.all(SECRET, pb.Secret, parent=d.id))
        return out

    def _selection(self, tx: Tx, d: pb.Directory) -> set[str] | None:
        doc = tx.get(SETTINGS, _selection_id(d.organization_id, d.id), pb.AssignGroupsForDirectoryRequest)
        return set(doc.external_ids) if doc is not None and d.groups_tracked == "SELECTED" else None

    def _select(self, tx: Tx, d: pb.Directory, external_ids: Iterable[str]) -> None:
        doc = pb.AssignGroupsForDirectoryRequest(
            id=d.id, organization_id=d.organization_id, external_ids=list(dict.fromkeys(external_ids))
        )
        doc_id = _selection_id(d.organization_id, d.id)
        if tx.get(SETTINGS, doc_id, pb.AssignGroupsForDirectoryRequest) is None:
            tx.insert(SETTINGS, doc_id, doc, parent=d.organization_id)
        else:
            tx.update(SETTINGS, doc_id, doc)
        d.groups_tracked = "SELECTED"

    def _event(self, events: Events, name: str, d: pb.Directory) -> None:
        data = {"directory_id": d.id, "organization_id": d.organization_id}
        events.append((f"organization.directory_{name}", data))

    # --- directories -----------------------------------------------------------------------------------

    @handler
    async def create_directory(
        self, request: pb.CreateDirectoryRequest, ctx: Any, events: Events
    ) -> pb.CreateDirectoryResponse:
        src = request.directory
        provider = src.directory_provider
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id)
            dir_id = new_id("dir")
            label = pb.DirectoryProvider.Name(provider).replace("_", " ").title() if provider else "Directory"
            directory = pb.Directory(
                id=dir_id,
                name=f"{label} {pb.DirectoryType.Name(src.directory_type)}",
                directory_type=src.directory_type,
                organization_id=org_id,
                # As the real service: a directory created for a known provider and type is enabled.
                enabled=bool(provider and src.directory_type),
                directory_provider=provider,
                directory_endpoint=f"{self.state.env_url}/api/v1/directorysync/{dir_id}/scim/v2",
                status="DRAFT",
                groups_tracked="ALL",
            )
            tx.insert(KIND, dir_id, directory, parent=org_id)
            out = self._hydrate(tx, directory)
        self._event(events, "created", directory)
        if directory.enabled:  # the service announces both, created first
            self._event(events, "enabled", directory)
        return pb.CreateDirectoryResponse(directory=out)

    @handler
    async def update_directory(
        self, request: pb.UpdateDirectoryRequest, ctx: Any, events: Events
    ) -> pb.UpdateDirectoryResponse:
        src = request.directory
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.id)
            if src.name:
                d.name = src.name
            if src.directory_type:
                d.directory_type = src.directory_type
            if src.directory_provider:
                d.directory_provider = src.directory_provider
            if src.status:
                d.status = pb.DirectoryStatus.Name(src.status)
            if src.enabled and not d.enabled:  # implicit presence: only "true" can be told apart from unset
                d.enabled = True
                self._event(events, "enabled", d)
            if src.mappings:
                del d.attribute_mappings.attributes[:]
                d.attribute_mappings.attributes.extend(
                    pb.AttributeMapping(key=m.key, map_to=m.map_to) for m in src.mappings
                )
            if src.groups:
                self._select(tx, d, (g.external_id for g in src.groups))
            self._save(tx, d)
            out = self._hydrate(tx, d)
        self._event(events, "updated", d)
        return pb.UpdateDirectoryResponse(directory=out)

    @handler
    async def get_directory(
        self, request: pb.GetDirectoryRequest, ctx: Any, events: Events
    ) -> pb.GetDirectoryResponse:
        with self.state.store.transaction() as tx:
            return pb.GetDirectoryResponse(
                directory=self._hydrate(tx, self._dir(tx, request.organization_id, request.id))
            )

    @handler
    async def list_directories(
        self, request: pb.ListDirectoriesRequest, ctx: Any, events: Events
    ) -> pb.ListDirectoriesResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id)
            return pb.ListDirectoriesResponse(
                directories=[self._hydrate(tx, d) for d in tx.all(KIND, pb.Directory, parent=org_id)]
            )

    @handler
    async def delete_directory(self, request: pb.DeleteDirectoryRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.id)
            delete_directory_tree(tx, d.id)
        self._event(events, "deleted", d)
        return Empty()

    async def _toggle(
        self, request: pb.ToggleDirectoryRequest, enabled: bool, events: Events
    ) -> pb.ToggleDirectoryResponse:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.id)
            if d.enabled != enabled:
                d.enabled = enabled
                self._save(tx, d)
                self._event(events, "enabled" if enabled else "disabled", d)
        return pb.ToggleDirectoryResponse(enabled=enabled)

    @handler
    async def enable_directory(
        self, request: pb.ToggleDirectoryRequest, ctx: Any, events: Events
    ) -> pb.ToggleDirectoryResponse:
        return await self._toggle(request, True, events)

    @handler
    async def disable_directory(
        self, request: pb.ToggleDirectoryRequest, ctx: Any, events: Events
    ) -> pb.ToggleDirectoryResponse:
        return await self._toggle(request, False, events)

    @handler
    async def trigger_directory_sync(
        self, request: pb.TriggerDirectorySyncRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.directory_id, "directory_id")
            if not d.enabled:
                raise _status.failed_precondition(f"directory {d.id} is disabled", "DIRECTORY_DISABLED")
            _touch_synced(tx, d, self.state.clock())
        self._event(events, "sync_triggered", d)
        return Empty()

    # --- groups, roles, attributes -------------------------------------------------------------------

    @handler
    async def assign_groups_for_directory(
        self, request: pb.AssignGroupsForDirectoryRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.id)
            self._select(tx, d, request.external_ids)
            self._save(tx, d)
        self._event(events, "updated", d)
        return Empty()

    @handler
    async def assign_roles(
        self, request: pb.AssignRolesRequest, ctx: Any, events: Events
    ) -> pb.AssignRolesResponse:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.id)
            assignments = pb.RoleAssignments()
            for i, a in enumerate(request.role_assignments.assignments):
                if tx.parent_of(GROUP, a.group_id) != d.id:
                    raise _status.not_found("directory_group", a.group_id)
                scopes = (f"{d.organization_id}:{a.role_name}", f":{a.role_name}")  # org role, else env role
                role = next(
                    filter(None, (tx.find("role", "scope_name", k, roles_pb2.Role) for k in scopes)), None
                )
                if role is None:
                    raise _status.not_found("role", a.role_name)
                if a.role_id and a.role_id != role.id:
                    raise _status.invalid_argument(
                        [(f"role_assignments.assignments[{i}].role_id", "does not match role_name", "match")]
                    )
                assignments.assignments.add(group_id=a.group_id, role_name=role.name, role_id=role.id)
            d.role_assignments.CopyFrom(assignments)
            self._save(tx, d)
        self._event(events, "updated", d)
        return pb.AssignRolesResponse(role_assignments=assignments)

    @handler
    async def update_attributes(
        self, request: pb.UpdateAttributesRequest, ctx: Any, events: Events
    ) -> pb.UpdateAttributesResponse:
        seen: set[str] = set()
        duplicates = []
        for i, a in enumerate(request.attribute_mapping.attributes):
            if a.key in seen:
                duplicates.append((f"attribute_mapping.attributes[{i}].key", "duplicate key", "unique"))
            seen.add(a.key)
        if duplicates:
            raise _status.invalid_argument(duplicates)
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.id)
            d.attribute_mappings.CopyFrom(request.attribute_mapping)
            self._save(tx, d)
        self._event(events, "updated", d)
        return pb.UpdateAttributesResponse(attribute_mappings=d.attribute_mappings)

    # --- users and groups ------------------------------------------------------------------------------

    @handler
    async def list_directory_users(
        self, request: pb.ListDirectoryUsersRequest, ctx: Any, events: Events
    ) -> pb.ListDirectoryUsersResponse:
        after = _ns(request.updated_after) if request.HasField("updated_after") else None
        group_id = request.directory_group_id if request.HasField("directory_group_id") else None
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.directory_id, "directory_id")
            if group_id is not None and tx.parent_of(GROUP, group_id) != d.id:
                raise _status.not_found("directory_group", group_id)
            tag = f"dir:{d.id}" if group_id is None else f"dir:{d.id}/group:{group_id}"
            page = _page(tx, USER, pb.DirectoryUser, request, Match(tag, num_above=after))
            groups = self._groups_of(tx, d, page.items)
        users = []
        for item in page.items:
            assert isinstance(item, pb.DirectoryUser)
            refs = [groups[g.id] for g in item.groups if g.id in groups]  # current names, stale ones dropped
            del item.groups[:]
            item.groups.extend(pb.DirectoryGroup(id=g.id, display_name=g.display_name) for g in refs)
            if not request.include_detail:
                item.ClearField("user_detail")
            users.append(item)
        return pb.ListDirectoryUsersResponse(users=users, **page.cursor())

    def _groups_of(self, tx: Tx, d: pb.Directory, users: Iterable[Message]) -> dict[str, pb.DirectoryGroup]:
        """The current groups of this directory that the users refer to, by id."""
        out: dict[str, pb.DirectoryGroup] = {}
        for user in users:
            assert isinstance(user, pb.DirectoryUser)
            for ref in user.groups:
                if ref.id not in out and tx.parent_of(GROUP, ref.id) == d.id:
                    group = tx.get(GROUP, ref.id, pb.DirectoryGroup)
                    if group is not None:
                        out[ref.id] = group
        return out

    def _user_count(self, tx: Tx, d: pb.Directory, group_id: str) -> int:
        return tx.count(USER, Match(f"dir:{d.id}/group:{group_id}"))

    def _group_rows(self, tx: Tx, d: pb.Directory) -> list[pb.DirectoryGroup]:
        selection = self._selection(tx, d)
        return [
            g
            for g in tx.all(GROUP, pb.DirectoryGroup, parent=d.id)
            if selection is None or _external_id(g) in selection or g.id in selection
        ]

    @handler
    async def list_directory_groups(
        self, request: pb.ListDirectoryGroupsRequest, ctx: Any, events: Events
    ) -> pb.ListDirectoryGroupsResponse:
        after = _ns(request.updated_after) if request.HasField("updated_after") else None
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.directory_id, "directory_id")
            selection = None if request.include_external_groups else self._selection(tx, d)
            match = Match(
                f"dir:{d.id}", num_above=after, any_of=None if selection is None else frozenset(selection)
            )
            page = _page(tx, GROUP, pb.DirectoryGroup, request, match)
            groups = []
            for item in page.items:
                assert isinstance(item, pb.DirectoryGroup)
                item.total_users = self._user_count(tx, d, item.id)
                if not request.include_detail:
                    item.ClearField("group_detail")
                groups.append(item)
        return pb.ListDirectoryGroupsResponse(groups=groups, **page.cursor())

    @handler
    async def list_directory_groups_summary(
        self, request: pb.ListDirectoryGroupsSummaryRequest, ctx: Any, events: Events
    ) -> pb.ListDirectoryGroupsResponse:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.directory_id, "directory_id")
            summary = [
                pb.DirectoryGroup(
                    id=g.id, display_name=g.display_name, total_users=self._user_count(tx, d, g.id)
                )
                for g in self._group_rows(tx, d)
            ]
        return pb.ListDirectoryGroupsResponse(groups=summary, total_size=len(summary))

    # --- secrets -----------------------------------------------------------------------------------------

    def _issue(self, tx: Tx, d: pb.Directory) -> tuple[str, pb.Secret]:
        plain = f"scim_{secrets.token_urlsafe(32)}"
        secret = pb.Secret(id=new_id("sec"), create_time=self.now(), status=pb.ACTIVE, directory_id=d.id)
        secret.secret_suffix = plain[-4:]
        tx.insert(SECRET, secret.id, secret, parent=d.id, unique={"hash": secret_digest(plain)})
        if d.status == "DRAFT":
            d.status = "IN_PROGRESS"
            self._save(tx, d)
        return plain, secret

    def _active(self, tx: Tx, d: pb.Directory) -> list[pb.Secret]:
        return [s for s in tx.all(SECRET, pb.Secret, parent=d.id) if s.status == pb.ACTIVE]

    @handler
    async def create_directory_secret(
        self, request: pb.CreateDirectorySecretRequest, ctx: Any, events: Events
    ) -> pb.CreateDirectorySecretResponse:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.directory_id, "directory_id")
            if self._active(tx, d):
                raise _status.failed_precondition(
                    f"directory {d.id} already has an active secret; regenerate it instead",
                    "DIRECTORY_SECRET_EXISTS",
                )
            plain, secret = self._issue(tx, d)
        return pb.CreateDirectorySecretResponse(plain_secret=plain, secret=secret)

    @handler
    async def regenerate_directory_secret(
        self, request: pb.RegenerateDirectorySecretRequest, ctx: Any, events: Events
    ) -> pb.RegenerateDirectorySecretResponse:
        with self.state.store.transaction() as tx:
            d = self._dir(tx, request.organization_id, request.directory_id, "directory_id")
            active = self._active(tx, d)
            if not active:
                raise _status.not_found("directory_secret", d.id)
            for old in active:
                old.status = pb.INACTIVE
                old.expire_time.CopyFrom(self.now())
                tx.update(SECRET, old.id, old, unique={})  # drops the hash: the old secret stops working
            plain, secret = self._issue(tx, d)
        return pb.RegenerateDirectorySecretResponse(plain_secret=plain, secret=secret)


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return directories_connect.DirectoryServiceASGIApplication(
        DirectoryService(state), interceptors=interceptors
    )
