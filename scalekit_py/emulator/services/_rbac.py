"""Role and permission model of the emulator: scopes, inheritance, effective permissions, holders.

Pure functions over a store transaction, shared by the RolesService handlers and by other services
(users read :func:`effective_permissions` and :func:`default_member_role`).

Model:
- A role lives in a *scope*: ``""`` for environment roles, an organization id for organization roles
  (kind ``"role"``, parent = scope, unique key ``scope_name`` = ``"<scope>:<name>"``).
- Inside an organization a role name resolves to the organization's own role first, then to the
  environment role of that name (organization roles may shadow environment roles).
- ``extends`` names the base role, resolved in the role's scope; an organization role that extends its
  own name extends the environment role it shadows. Walks never loop, even on corrupt data.
- A role stores its direct permissions as ``RolePermission`` entries holding the permission's id and
  name; descriptions and timestamps are filled in from the ``"permission"`` documents when read.
- The environment's default creator / default member are flags on environment roles; an organization's
  default member role (``UpdateDefaultOrganizationRoles``) is an ``"org_settings"`` document
  ``"<org_id>:default_member_role"`` holding the role name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from google.protobuf.wrappers_pb2 import StringValue

from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.roles import roles_pb2 as pb
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.store import Match, Tx

__all__ = [
    "KIND",
    "PERMISSION_KIND",
    "ScopedRole",
    "all_roles",
    "check_acyclic",
    "check_base",
    "default_member_role",
    "dependents",
    "effective",
    "effective_permissions",
    "find_role",
    "get_permission",
    "get_role",
    "holders",
    "lineage",
    "org_default_choice",
    "orgs_defaulting_to",
    "permission_refs",
    "permissions_named",
    "reassign_holders",
    "resolve_role",
    "role_view",
    "scope_name",
    "set_org_default_member",
]

KIND = "role"
PERMISSION_KIND = "permission"
SETTINGS_KIND = "org_settings"
USER_KIND = "user"

ScopedRole = tuple[pb.Role, str]  # (role, scope: organization id or '' for the environment)


def scope_name(scope: str, name: str) -> str:
    """The unique key of a role name within a scope."""
    return f"{scope}:{name}"


def find_role(tx: Tx, name: str, scope: str = "") -> pb.Role | None:
    """The role named ``name`` defined exactly in ``scope`` (no fallback)."""
    return tx.find(KIND, "scope_name", scope_name(scope, name), pb.Role)


def resolve_role(tx: Tx, name: str, org_id: str = "") -> ScopedRole | None:
    """What ``name`` means inside ``org_id``: the organization's role, else the environment role."""
    if org_id:
        role = find_role(tx, name, org_id)
        if role is not None:
            return role, org_id
    role = find_role(tx, name, "")
    return (role, "") if role is not None else None


def base_of(tx: Tx, role: pb.Role, scope: str) -> ScopedRole | None:
    """The role that ``role`` extends, or None (no base, or a base that no longer exists)."""
    if not role.HasField("extends"):
        return None
    if not scope:
        base = find_role(tx, role.extends, "")
        return (base, "") if base is not None else None
    if role.extends == role.name:
        base = find_role(tx, role.name, "")
        return (base, "") if base is not None else None
    return resolve_role(tx, role.extends, scope)


def lineage(tx: Tx, role: pb.Role, scope: str) -> tuple[list[ScopedRole], bool]:
    """The role followed by its bases, nearest first, and whether the chain runs into a cycle."""
    seen: set[str] = set()
    out: list[ScopedRole] = []
    node: ScopedRole | None = (role, scope)
    while node is not None:
        if node[0].id in seen:
            return out, True
        seen.add(node[0].id)
        out.append(node)
        node = base_of(tx, *node)
    return out, False


def effective(tx: Tx, role: pb.Role, scope: str) -> list[tuple[str, str]]:
    """(permission name, name of the role granting it): own first, then inherited, without repeats."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for r, _ in lineage(tx, role, scope)[0]:
        for p in r.permissions:
            if p.name not in seen:
                seen.add(p.name)
                out.append((p.name, r.name))
    return out


def effective_permissions(tx: Tx, role_name: str, org_id: str = "") -> list[str]:
    """Names of the permissions a holder of ``role_name`` has in ``org_id`` ('' = environment).

    Own permissions first, then those inherited through ``extends``, each once. An organization falls
    back to the environment role of that name when it has no role of its own; an unknown role has none.
    """
    found = resolve_role(tx, role_name, org_id)
    return [] if found is None else [name for name, _ in effective(tx, *found)]


# ----- lookups and checks that answer with API errors -----


def get_role(tx: Tx, name: str, scope: str = "") -> pb.Role:
    """The role defined in exactly ``scope``; NOT_FOUND otherwise (FAILED_PRECONDITION for env roles)."""
    role = find_role(tx, name, scope)
    if role is not None:
        return role
    if scope and find_role(tx, name, "") is not None:
        raise _status.failed_precondition(
            f"role {name!r} is an environment role; change it through the environment", "ENVIRONMENT_ROLE"
        )
    raise _status.not_found("role", name)


def get_permission(tx: Tx, name: str) -> pb.Permission:
    perm = tx.find(PERMISSION_KIND, "name", name, pb.Permission)
    if perm is None:
        raise _status.not_found("permission", name)
    return perm


def permission_refs(tx: Tx, names: Sequence[str], field: str) -> list[pb.RolePermission]:
    """Stored references for permission names, in order and without repeats; unknown ones rejected."""
    refs: list[pb.RolePermission] = []
    missing: list[tuple[str, str, str]] = []
    for i, name in enumerate(names):
        perm = tx.find(PERMISSION_KIND, "name", name, pb.Permission)
        if perm is None:
            missing.append((f"{field}[{i}]", f"permission {name!r} does not exist", "permission.exists"))
        elif all(r.name != name for r in refs):
            refs.append(pb.RolePermission(id=perm.id, name=perm.name))
    if missing:
        raise _status.invalid_argument(missing)
    return refs


def check_base(tx: Tx, role: pb.Role, scope: str, field: str) -> None:
    """``role.extends`` must name an existing role other than the role itself."""
    if not role.HasField("extends"):
        return
    if not scope and role.extends == role.name:
        raise _status.invalid_argument([(field, "a role cannot extend itself", "extends.self")])
    if base_of(tx, role, scope) is None:
        raise _status.invalid_argument(
            [(field, f"base role {role.extends!r} does not exist", "extends.exists")]
        )


def check_acyclic(tx: Tx, role: pb.Role, scope: str) -> None:
    if lineage(tx, role, scope)[1]:
        raise _status.failed_precondition(
            f"role {role.name!r} would inherit from itself through {role.extends!r}", "ROLE_INHERITANCE_CYCLE"
        )


def permissions_named(tx: Tx, names: Sequence[str]) -> list[pb.Permission]:
    out = []
    for name in names:
        perm = tx.find(PERMISSION_KIND, "name", name, pb.Permission)
        if perm is not None:
            out.append(perm)
    return out


def _org_default_doc_id(org_id: str) -> str:
    return f"{org_id}:default_member_role"


def org_default_choice(tx: Tx, org_id: str) -> str | None:
    """The role name an organization chose as its default member role, if it chose one."""
    doc = tx.get(SETTINGS_KIND, _org_default_doc_id(org_id), StringValue)
    return doc.value if doc is not None else None


def default_member_role(tx: Tx, org_id: str = "") -> str | None:
    """Name of the role new members get: the organization's choice, else the environment default."""
    if org_id:
        chosen = org_default_choice(tx, org_id)
        if chosen is not None and resolve_role(tx, chosen, org_id) is not None:
            return chosen
    for role in tx.all(KIND, pb.Role, parent=""):
        if role.default_member:
            return role.name
    return None


def orgs_defaulting_to(tx: Tx, role: pb.Role, scope: str) -> list[str]:
    """Organizations whose chosen default member role is ``role``."""
    if scope:
        return [scope] if org_default_choice(tx, scope) == role.name else []
    return [
        org.id
        for org in tx.all("organization", organizations_pb2.Organization)
        if org_default_choice(tx, org.id) == role.name and find_role(tx, role.name, org.id) is None
    ]


def set_org_default_member(tx: Tx, org_id: str, name: str | None) -> None:
    """Record (or with None, forget) an organization's default member role; keep org role flags in sync."""
    doc_id = _org_default_doc_id(org_id)
    if name is None:
        tx.delete(SETTINGS_KIND, doc_id)
    elif tx.get(SETTINGS_KIND, doc_id, StringValue) is None:
        tx.insert(SETTINGS_KIND, doc_id, StringValue(value=name), parent=org_id)
    else:
        tx.update(SETTINGS_KIND, doc_id, StringValue(value=name))
    for role in tx.all(KIND, pb.Role, parent=org_id):
        if role.default_member != (role.name == name):
            role.default_member = role.name == name
            tx.update(KIND, role.id, role)


def all_roles(tx: Tx) -> list[ScopedRole]:
    """Every role of the environment and of every organization, in creation order."""
    return [(r, tx.parent_of(KIND, r.id) or "") for r in tx.all(KIND, pb.Role)]


def dependents(tx: Tx, role: pb.Role, scope: str) -> list[ScopedRole]:
    """Roles whose ``extends`` resolves to ``role`` (direct dependents only)."""
    out: list[ScopedRole] = []
    for other, other_scope in all_roles(tx):
        if other.id == role.id or not other.HasField("extends"):
            continue
        if other_scope != scope and scope:
            continue
        base = base_of(tx, other, other_scope)
        if base is not None and base[0].id == role.id:
            out.append((other, other_scope))
    return out


def _holds(tx: Tx, membership_org: str, names: Iterable[str], role: pb.Role, scope: str) -> bool:
    if (scope and membership_org != scope) or role.name not in names:
        return False
    found = resolve_role(tx, role.name, membership_org)
    return found is not None and found[0].id == role.id


def holders(tx: Tx, role: pb.Role, scope: str) -> list[users_pb2.User]:
    """Users with a membership whose role names resolve to ``role`` in that membership's organization."""
    # An organization's role can only be held by its members: read those alone (the list index).
    candidates = (
        tx.select(USER_KIND, users_pb2.User, Match(f"org:{scope}"))
        if scope
        else tx.all(USER_KIND, users_pb2.User)
    )
    return [
        user
        for user in candidates
        if any(
            _holds(tx, m.organization_id, [r.name for r in m.roles], role, scope) for m in user.memberships
        )
    ]


def reassign_holders(tx: Tx, role: pb.Role, scope: str, to: pb.Role) -> int:
    """Give every holder of ``role`` the role ``to`` instead; returns how many users changed."""
    users = holders(tx, role, scope)
    for user in users:
        for m in user.memberships:
            if not _holds(tx, m.organization_id, [r.name for r in m.roles], role, scope):
                continue
            kept = [r for r in m.roles if r.name not in (role.name, to.name)]
            del m.roles[:]
            m.roles.add(id=to.id, name=to.name, display_name=to.display_name)
            m.roles.extend(kept)
        tx.update(USER_KIND, user.id, user)
    return len(users)


def _role_permission(tx: Tx, name: str, granted_by: str) -> pb.RolePermission | None:
    perm = tx.find(PERMISSION_KIND, "name", name, pb.Permission)
    if perm is None:
        return None
    return pb.RolePermission(
        id=perm.id,
        name=perm.name,
        description=perm.description,
        create_time=perm.create_time,
        update_time=perm.update_time,
        role_name=granted_by,
    )


def role_view(tx: Tx, role: pb.Role, scope: str, include: str = "", org_ctx: str | None = None) -> pb.Role:
    """The role as an API response shows it.

    Args:
        include: ``""`` no permissions, ``"permissions"`` direct ones, ``"permissions:all"`` effective
            ones (each ``RolePermission.role_name`` names the role that grants it).
        org_ctx: when listing inside an organization, ``default_member`` reflects that organization's
            default member role rather than the environment's.
    """
    view = pb.Role()
    view.CopyFrom(role)
    view.is_org_role = bool(scope)
    view.dependent_roles_count = len(dependents(tx, role, scope))
    del view.permissions[:]
    pairs: Iterable[tuple[str, str]] = ()
    if include == "permissions":
        pairs = [(p.name, role.name) for p in role.permissions]
    elif include == "permissions:all":
        pairs = effective(tx, role, scope)
    for name, granted_by in pairs:
        rp = _role_permission(tx, name, granted_by)
        if rp is not None:
            view.permissions.append(rp)
    if org_ctx is not None:
        view.default_member = role.name == default_member_role(tx, org_ctx)
        view.default_creator = role.default_creator and not scope
    return view
