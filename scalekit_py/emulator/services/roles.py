"""RolesService: environment and organization roles, inheritance, default roles and permissions.

The model (scopes, shadowing, ``extends``, effective permissions) lives in :mod:`._rbac`; this module
holds the RPC handlers. Behaviour choices (the public API leaves them open):

- A missing base role or unknown permission name is INVALID_ARGUMENT with a field violation; a change
  that would make inheritance circular is FAILED_PRECONDITION ``ROLE_INHERITANCE_CYCLE``.
- Deleting a role that is a default role, that other roles extend, or that users hold is
  FAILED_PRECONDITION (``ROLE_IS_DEFAULT`` / ``ROLE_HAS_DEPENDENTS`` / ``ROLE_IN_USE``) unless
  ``reassign_role_name`` names another role: holders then get that role, dependents extend it and the
  default flags move to it.
- ``include`` shapes ``Role.permissions``: nothing by default, the direct permissions with
  ``"permissions"``, the effective ones with ``"permissions:all"``. Create/update responses carry the
  direct permissions. A non-empty ``UpdateRole.permissions`` replaces the direct permissions.
- Deleting a permission removes it from every role that grants it.
- ``ListOrganizationRoles`` lists the environment roles the organization sees (those it does not shadow)
  followed by its own roles; ``GetOrganizationRole`` falls back to the environment role likewise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.protobuf.empty_pb2 import Empty

from scalekit_api.v1.roles import roles_connect
from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.services import _rbac
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, org_id_for
from scalekit_py.emulator.services._rbac import default_member_role, effective_permissions
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

__all__ = ["RolesService", "create_app", "default_member_role", "effective_permissions"]

KIND, PERM = _rbac.KIND, _rbac.PERMISSION_KIND
RoleSpec = pb.CreateRole | pb.CreateOrganizationRole


def _include(request: Any) -> str:
    return str(request.include) if request.HasField("include") else ""


class RolesService(Service, roles_connect.RolesService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    # ----- shared role logic (scope = organization id, '' = environment) -----

    def _create(self, tx: Tx, spec: RoleSpec, scope: str, events: Events) -> pb.Role:
        role = pb.Role(
            id=new_id("role"),
            name=spec.name,
            display_name=spec.display_name,
            description=spec.description,
            is_org_role=bool(scope),
            default_member=bool(scope) and _rbac.org_default_choice(tx, scope) == spec.name,
            permissions=_rbac.permission_refs(tx, spec.permissions, "role.permissions"),
        )
        if spec.HasField("extends"):
            role.extends = spec.extends
        _rbac.check_base(tx, role, scope, "role.extends")
        tx.insert(
            KIND, role.id, role, parent=scope, unique={"scope_name": _rbac.scope_name(scope, role.name)}
        )
        _rbac.check_acyclic(tx, role, scope)
        events.append(("role.created", {"id": role.id, "name": role.name, "organization_id": scope}))
        return _rbac.role_view(tx, role, scope, "permissions")

    def _update(self, tx: Tx, name: str, scope: str, upd: pb.UpdateRole, events: Events) -> pb.Role:
        role = _rbac.get_role(tx, name, scope)
        if upd.HasField("display_name"):
            role.display_name = upd.display_name
        if upd.HasField("description"):
            role.description = upd.description
        if upd.permissions:
            del role.permissions[:]
            role.permissions.extend(_rbac.permission_refs(tx, upd.permissions, "role.permissions"))
        if upd.HasField("extends"):
            role.extends = upd.extends
            _rbac.check_base(tx, role, scope, "role.extends")
        tx.update(KIND, role.id, role)
        _rbac.check_acyclic(tx, role, scope)
        events.append(("role.updated", {"id": role.id, "name": role.name, "organization_id": scope}))
        return _rbac.role_view(tx, role, scope, "permissions")

    def _delete(self, tx: Tx, name: str, scope: str, reassign: str, events: Events) -> None:
        role = _rbac.get_role(tx, name, scope)
        deps = _rbac.dependents(tx, role, scope)
        users = _rbac.holders(tx, role, scope)
        default_for = _rbac.orgs_defaulting_to(tx, role, scope)
        if not reassign:
            problem = None
            if ((role.default_creator or role.default_member) and not scope) or default_for:
                problem = ("ROLE_IS_DEFAULT", "role cannot be deleted as it is a default role")
            elif deps:
                problem = ("ROLE_HAS_DEPENDENTS", f"role cannot be deleted as {len(deps)} role(s) extend it")
            elif users:
                problem = ("ROLE_IN_USE", "role cannot be deleted as it is assigned to users")
            if problem:
                raise _status.failed_precondition(
                    f"{problem[1]} (role {name!r}; pass reassign_role_name to move them)", problem[0]
                )
            tx.delete(KIND, role.id)
        else:
            found = _rbac.resolve_role(tx, reassign, scope)
            if found is None and tx.parent_of(KIND, reassign) in ("", scope):  # the deprecated id form
                by_id = tx.get(KIND, reassign, pb.Role)
                found = (by_id, tx.parent_of(KIND, reassign) or "") if by_id is not None else None
            if found is None or found[0].id == role.id:
                raise _status.invalid_argument(
                    [("reassign_role_name", f"{reassign!r} is not another existing role", "role.exists")]
                )
            target = found[0]
            _rbac.reassign_holders(tx, role, scope, target)
            self._move_defaults(tx, role, scope, target)
            tx.delete(KIND, role.id)
            for dep, dep_scope in deps:
                dep.extends = target.name
                tx.update(KIND, dep.id, dep)
                _rbac.check_acyclic(tx, dep, dep_scope)
        events.append(("role.deleted", {"id": role.id, "name": role.name, "organization_id": scope}))

    def _move_defaults(self, tx: Tx, role: pb.Role, scope: str, target: pb.Role) -> None:
        """Hand the deleted role's default duties (environment flags, org default member) to ``target``."""
        if not scope and (role.default_creator or role.default_member):
            target.default_creator = target.default_creator or role.default_creator
            target.default_member = target.default_member or role.default_member
            tx.update(KIND, target.id, target)
        for org_id in _rbac.orgs_defaulting_to(tx, role, scope):
            _rbac.set_org_default_member(tx, org_id, target.name)

    def _remove_base(self, tx: Tx, name: str, scope: str, events: Events) -> None:
        role = _rbac.get_role(tx, name, scope)
        if not role.HasField("extends"):
            raise _status.failed_precondition(f"role {name!r} extends no role", "ROLE_HAS_NO_BASE")
        role.ClearField("extends")
        tx.update(KIND, role.id, role)
        events.append(("role.updated", {"id": role.id, "name": role.name, "organization_id": scope}))

    # ----- environment roles -----

    @handler
    async def create_role(
        self, request: pb.CreateRoleRequest, ctx: Any, events: Events
    ) -> pb.CreateRoleResponse:
        with self.state.store.transaction() as tx:
            return pb.CreateRoleResponse(role=self._create(tx, request.role, "", events))

    @handler
    async def update_role(
        self, request: pb.UpdateRoleRequest, ctx: Any, events: Events
    ) -> pb.UpdateRoleResponse:
        with self.state.store.transaction() as tx:
            return pb.UpdateRoleResponse(role=self._update(tx, request.role_name, "", request.role, events))

    @handler
    async def get_role(self, request: pb.GetRoleRequest, ctx: Any, events: Events) -> pb.GetRoleResponse:
        with self.state.store.transaction() as tx:
            role = _rbac.get_role(tx, request.role_name)
            return pb.GetRoleResponse(role=_rbac.role_view(tx, role, "", _include(request)))

    @handler
    async def list_roles(
        self, request: pb.ListRolesRequest, ctx: Any, events: Events
    ) -> pb.ListRolesResponse:
        with self.state.store.transaction() as tx:
            roles = tx.all(KIND, pb.Role, parent="")
            return pb.ListRolesResponse(roles=[_rbac.role_view(tx, r, "", _include(request)) for r in roles])

    @handler
    async def delete_role(self, request: pb.DeleteRoleRequest, ctx: Any, events: Events) -> Empty:
        reassign = request.reassign_role_name or request.reassign_role_id
        with self.state.store.transaction() as tx:
            self._delete(tx, request.role_name, "", reassign, events)
        return Empty()

    # ----- organization roles -----

    @handler
    async def create_organization_role(
        self, request: pb.CreateOrganizationRoleRequest, ctx: Any, events: Events
    ) -> pb.CreateOrganizationRoleResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.org_id)
            return pb.CreateOrganizationRoleResponse(role=self._create(tx, request.role, org_id, events))

    @handler
    async def update_organization_role(
        self, request: pb.UpdateOrganizationRoleRequest, ctx: Any, events: Events
    ) -> pb.UpdateOrganizationRoleResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.org_id)
            role = self._update(tx, request.role_name, org_id, request.role, events)
            return pb.UpdateOrganizationRoleResponse(role=role)

    @handler
    async def get_organization_role(
        self, request: pb.GetOrganizationRoleRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationRoleResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.org_id)
            found = _rbac.resolve_role(tx, request.role_name, org_id)
            if found is None:
                raise _status.not_found("role", request.role_name)
            view = _rbac.role_view(tx, *found, _include(request), org_ctx=org_id)
            return pb.GetOrganizationRoleResponse(role=view)

    @handler
    async def list_organization_roles(
        self, request: pb.ListOrganizationRolesRequest, ctx: Any, events: Events
    ) -> pb.ListOrganizationRolesResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.org_id)
            own = tx.all(KIND, pb.Role, parent=org_id)
            names = {r.name for r in own}
            seen: list[_rbac.ScopedRole] = [
                (r, "") for r in tx.all(KIND, pb.Role, parent="") if r.name not in names
            ]
            seen += [(r, org_id) for r in own]
            views = [_rbac.role_view(tx, r, s, _include(request), org_ctx=org_id) for r, s in seen]
            return pb.ListOrganizationRolesResponse(roles=views)

    @handler
    async def delete_organization_role(
        self, request: pb.DeleteOrganizationRoleRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.org_id)
            self._delete(tx, request.role_name, org_id, request.reassign_role_name, events)
        return Empty()

    # ----- users, defaults, dependents, bases -----

    @handler
    async def get_role_users_count(
        self, request: pb.GetRoleUsersCountRequest, ctx: Any, events: Events
    ) -> pb.GetRoleUsersCountResponse:
        with self.state.store.transaction() as tx:
            role = _rbac.get_role(tx, request.role_name)
            return pb.GetRoleUsersCountResponse(count=len(_rbac.holders(tx, role, "")))

    @handler
    async def get_organization_role_users_count(
        self, request: pb.GetOrganizationRoleUsersCountRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationRoleUsersCountResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.org_id)
            found = _rbac.resolve_role(tx, request.role_name, org_id)
            if found is None:
                raise _status.not_found("role", request.role_name)
            count = len(_rbac.holders(tx, found[0], org_id))
            return pb.GetOrganizationRoleUsersCountResponse(count=count)

    def _default_target(
        self, tx: Tx, plain: str | None, legacy: pb.UpdateDefaultRole | None, field: str
    ) -> pb.Role | None:
        if plain is None and legacy is None:
            return None
        if plain is None and legacy is not None and not legacy.HasField("name") and legacy.id:
            role = tx.get(KIND, legacy.id, pb.Role)
            if role is None or tx.parent_of(KIND, legacy.id):
                raise _status.not_found("role", legacy.id)
            return role
        name = plain if plain is not None else (legacy.name if legacy is not None else "")
        if not name:
            raise _status.invalid_argument([(field, "a role name is required", "required")])
        return _rbac.get_role(tx, name)

    @handler
    async def update_default_roles(
        self, request: pb.UpdateDefaultRolesRequest, ctx: Any, events: Events
    ) -> pb.UpdateDefaultRolesResponse:
        with self.state.store.transaction() as tx:
            creator = self._default_target(
                tx,
                request.default_creator_role if request.HasField("default_creator_role") else None,
                request.default_creator if request.HasField("default_creator") else None,
                "default_creator_role",
            )
            member = self._default_target(
                tx,
                request.default_member_role if request.HasField("default_member_role") else None,
                request.default_member if request.HasField("default_member") else None,
                "default_member_role",
            )
            if creator is None and member is None:
                raise _status.invalid_argument(
                    [("default_member_role", "name a default creator or member role", "required")]
                )
            response = pb.UpdateDefaultRolesResponse()
            for role in tx.all(KIND, pb.Role, parent=""):
                before = (role.default_creator, role.default_member)
                if creator is not None:
                    role.default_creator = role.id == creator.id
                if member is not None:
                    role.default_member = role.id == member.id
                if (role.default_creator, role.default_member) != before:
                    tx.update(KIND, role.id, role)
                if role.default_creator:
                    response.default_creator.CopyFrom(_rbac.role_view(tx, role, ""))
                if role.default_member:
                    response.default_member.CopyFrom(_rbac.role_view(tx, role, ""))
        events.append(
            (
                "role.defaults_updated",
                {
                    "default_creator": response.default_creator.name,
                    "default_member": response.default_member.name,
                },
            )
        )
        return response

    @handler
    async def update_default_organization_roles(
        self, request: pb.UpdateDefaultOrganizationRolesRequest, ctx: Any, events: Events
    ) -> pb.UpdateDefaultOrganizationRolesResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.org_id)
            found = _rbac.resolve_role(tx, request.default_member_role, org_id)
            if found is None:
                raise _status.not_found("role", request.default_member_role)
            _rbac.set_org_default_member(tx, org_id, found[0].name)
            role = tx.get(KIND, found[0].id, pb.Role) or found[0]
            view = _rbac.role_view(tx, role, found[1], org_ctx=org_id)
        events.append(
            ("organization.default_roles_updated", {"organization_id": org_id, "default_member": view.name})
        )
        return pb.UpdateDefaultOrganizationRolesResponse(default_member=view)

    @handler
    async def list_dependent_roles(
        self, request: pb.ListDependentRolesRequest, ctx: Any, events: Events
    ) -> pb.ListDependentRolesResponse:
        with self.state.store.transaction() as tx:
            role = _rbac.get_role(tx, request.role_name)
            deps = _rbac.dependents(tx, role, "")
            return pb.ListDependentRolesResponse(roles=[_rbac.role_view(tx, r, s) for r, s in deps])

    @handler
    async def delete_role_base(self, request: pb.DeleteRoleBaseRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            self._remove_base(tx, request.role_name, "", events)
        return Empty()

    @handler
    async def delete_organization_role_base(
        self, request: pb.DeleteOrganizationRoleBaseRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            self._remove_base(tx, request.role_name, org_id_for(tx, request.org_id), events)
        return Empty()

    # ----- permissions -----

    @handler
    async def create_permission(
        self, request: pb.CreatePermissionRequest, ctx: Any, events: Events
    ) -> pb.CreatePermissionResponse:
        now = self.now()
        perm = pb.Permission(
            id=new_id("perm"),
            name=request.permission.name,
            description=request.permission.description,
            create_time=now,
            update_time=now,
        )
        with self.state.store.transaction() as tx:
            tx.insert(PERM, perm.id, perm, unique={"name": perm.name})
        events.append(("permission.created", {"id": perm.id, "name": perm.name}))
        return pb.CreatePermissionResponse(permission=perm)

    @handler
    async def get_permission(
        self, request: pb.GetPermissionRequest, ctx: Any, events: Events
    ) -> pb.GetPermissionResponse:
        with self.state.store.transaction() as tx:
            return pb.GetPermissionResponse(permission=_rbac.get_permission(tx, request.permission_name))

    @handler
    async def update_permission(
        self, request: pb.UpdatePermissionRequest, ctx: Any, events: Events
    ) -> pb.UpdatePermissionResponse:
        with self.state.store.transaction() as tx:
            perm = _rbac.get_permission(tx, request.permission_name)
            if perm.is_scalekit_permission:
                raise _status.failed_precondition(
                    "Scalekit permissions cannot be changed", "SCALEKIT_PERMISSION"
                )
            old_name, perm.name = perm.name, request.permission.name
            perm.description = request.permission.description
            perm.update_time.CopyFrom(self.now())
            tx.update(PERM, perm.id, perm, unique={"name": perm.name})
            if perm.name != old_name:
                for role in tx.all(KIND, pb.Role):
                    for ref in role.permissions:
                        if ref.name == old_name:
                            ref.name = perm.name
                            tx.update(KIND, role.id, role)
        events.append(("permission.updated", {"id": perm.id, "name": perm.name}))
        return pb.UpdatePermissionResponse(permission=perm)

    @handler
    async def list_permissions(
        self, request: pb.ListPermissionsRequest, ctx: Any, events: Events
    ) -> pb.ListPermissionsResponse:
        tag = {pb.ALL: "", pb.SCALEKIT: "type:scalekit"}.get(request.type, "type:custom")
        with self.state.store.transaction() as tx:
            page = tx.page(
                PERM,
                pb.Permission,
                page_size=request.page_size if request.HasField("page_size") else 0,
                page_token=request.page_token if request.HasField("page_token") else "",
                match=Match(tag),
            )
        return pb.ListPermissionsResponse(
            permissions=[p for p in page.items if isinstance(p, pb.Permission)],
            **page.cursor(),
        )

    @handler
    async def delete_permission(self, request: pb.DeletePermissionRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            perm = _rbac.get_permission(tx, request.permission_name)
            if perm.is_scalekit_permission:
                raise _status.failed_precondition(
                    "Scalekit permissions cannot be deleted", "SCALEKIT_PERMISSION"
                )
            for role in tx.all(KIND, pb.Role):
                kept = [r for r in role.permissions if r.name != perm.name]
                if len(kept) != len(role.permissions):
                    del role.permissions[:]
                    role.permissions.extend(kept)
                    tx.update(KIND, role.id, role)
            tx.delete(PERM, perm.id)
        events.append(("permission.deleted", {"id": perm.id, "name": perm.name}))
        return Empty()

    @handler
    async def list_role_permissions(
        self, request: pb.ListRolePermissionsRequest, ctx: Any, events: Events
    ) -> pb.ListRolePermissionsResponse:
        with self.state.store.transaction() as tx:
            role = _rbac.get_role(tx, request.role_name)
            return pb.ListRolePermissionsResponse(
                permissions=_rbac.permissions_named(tx, [p.name for p in role.permissions])
            )

    @handler
    async def add_permissions_to_role(
        self, request: pb.AddPermissionsToRoleRequest, ctx: Any, events: Events
    ) -> pb.AddPermissionsToRoleResponse:
        with self.state.store.transaction() as tx:
            role = _rbac.get_role(tx, request.role_name)
            refs = _rbac.permission_refs(tx, request.permission_names, "permission_names")
            have = {p.name for p in role.permissions}
            role.permissions.extend(r for r in refs if r.name not in have)
            tx.update(KIND, role.id, role)
            perms = _rbac.permissions_named(tx, [p.name for p in role.permissions])
        events.append(("role.updated", {"id": role.id, "name": role.name, "organization_id": ""}))
        return pb.AddPermissionsToRoleResponse(permissions=perms)

    @handler
    async def remove_permission_from_role(
        self, request: pb.RemovePermissionFromRoleRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            role = _rbac.get_role(tx, request.role_name)
            _rbac.get_permission(tx, request.permission_name)
            kept = [p for p in role.permissions if p.name != request.permission_name]
            if len(kept) == len(role.permissions):
                raise _status.not_found("role permission", f"{request.role_name}/{request.permission_name}")
            del role.permissions[:]
            role.permissions.extend(kept)
            tx.update(KIND, role.id, role)
        events.append(("role.updated", {"id": role.id, "name": role.name, "organization_id": ""}))
        return Empty()

    @handler
    async def list_effective_role_permissions(
        self, request: pb.ListEffectiveRolePermissionsRequest, ctx: Any, events: Events
    ) -> pb.ListEffectiveRolePermissionsResponse:
        with self.state.store.transaction() as tx:
            role = _rbac.get_role(tx, request.role_name)
            names = [name for name, _ in _rbac.effective(tx, role, "")]
            return pb.ListEffectiveRolePermissionsResponse(permissions=_rbac.permissions_named(tx, names))


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return roles_connect.RolesServiceASGIApplication(RolesService(state), interceptors=interceptors)
