"""The directory data an identity provider pushes, simulated from Python, plus storage helpers.

The admin API cannot create directory users and groups; :func:`add_directory_user` /
:func:`add_directory_group` (and the ``remove_`` twins) play the IdP's part for tests and demos, and
:func:`verify_directory_secret` checks a SCIM bearer secret. :mod:`.directories` re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.directories import directories_pb2 as pb
from scalekit_py.emulator.indexes import group_name_tag
from scalekit_py.emulator.services._base import new_id, timestamp
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx, secret_digest

KIND = "directory"
USER = "directory_user"
GROUP = "directory_group"
SECRET = "directory_secret"
SETTINGS = "org_settings"
M = TypeVar("M", pb.DirectoryUser, pb.DirectoryGroup)


def _selection_id(org_id: str, dir_id: str) -> str:
    return f"{org_id}:directory_groups:{dir_id}"


def _ns(ts: Timestamp) -> int:
    return ts.ToNanoseconds()


def _external_id(group: pb.DirectoryGroup) -> str:
    value = group.group_detail.fields.get("external_id")
    return value.string_value if value is not None else ""


def _group(tx: Tx, directory_id: str, group_id: str) -> pb.DirectoryGroup:
    """A group of this directory; KeyError when there is none."""
    group = tx.get(GROUP, group_id, pb.DirectoryGroup)
    if group is None or tx.parent_of(GROUP, group_id) != directory_id:
        raise KeyError(group_id)
    return group


def delete_directory_tree(tx: Tx, dir_id: str) -> None:
    """Remove a directory with its users, groups, secrets and group selection."""
    org_id = tx.parent_of(KIND, dir_id) or ""
    for user in tx.all(USER, pb.DirectoryUser, parent=dir_id):
        tx.delete(USER, user.id)
    for group in tx.all(GROUP, pb.DirectoryGroup, parent=dir_id):
        tx.delete(GROUP, group.id)
    for secret in tx.all(SECRET, pb.Secret, parent=dir_id):
        tx.delete(SECRET, secret.id)
    tx.delete(SETTINGS, _selection_id(org_id, dir_id))
    tx.delete(KIND, dir_id)


# --- the identity provider's side (Python helpers) -----------------------------------------------------


def _pushable(tx: Tx, directory_id: str) -> pb.Directory:
    directory = tx.get(KIND, directory_id, pb.Directory)
    if directory is None:
        raise KeyError(directory_id)
    if not directory.enabled:
        raise ValueError(f"directory {directory_id} is disabled: the IdP's pushes are refused")
    return directory


def _store(
    tx: Tx,
    kind: str,
    doc: pb.DirectoryUser | pb.DirectoryGroup,
    directory: pb.Directory,
    new: bool,
    unique: dict[str, str],
) -> None:
    """Save a pushed user or group (with its unique key within the directory: what a later push is
    matched by) and mark the directory as just synced."""
    if new:
        tx.insert(kind, doc.id, doc, parent=directory.id, unique=unique)
    else:
        tx.update(kind, doc.id, doc, unique=unique)
    _touch_synced(tx, directory, doc.updated_at.ToNanoseconds() / 1e9)


def _touch_synced(tx: Tx, directory: pb.Directory, now: float) -> None:
    directory.last_synced_at.CopyFrom(timestamp(now))
    directory.status = "COMPLETED"
    tx.update(KIND, directory.id, directory)


def _emit(state: EmulatorState, event: str, directory: pb.Directory, **ids: str) -> None:
    data = {"directory_id": directory.id, "organization_id": directory.organization_id, **ids}
    state.emit(f"organization.directory.{event}", data)


def add_directory_group(
    state: EmulatorState,
    directory_id: str,
    display_name: str,
    *,
    external_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> pb.DirectoryGroup:
    """Simulate the IdP creating (or updating) a group, matched by ``external_id``, else by name.

    Args: ``directory_id`` of an enabled directory; ``external_id`` is the IdP's id of the group (one is
    generated when absent); ``detail`` is returned as ``group_detail`` when ``include_detail`` is asked.

    Returns: the stored group.  Raises: KeyError (no such directory), ValueError (directory disabled).
    """
    with state.store.transaction() as tx:
        directory = _pushable(tx, directory_id)
        if external_id:
            found = tx.find(GROUP, "external_id", f"{directory_id}:{external_id}", pb.DirectoryGroup)
            same = [found] if found is not None else []
        else:
            same = tx.select(GROUP, pb.DirectoryGroup, Match(group_name_tag(directory_id, display_name)))
        group = same[0] if same else pb.DirectoryGroup(id=new_id("dirgroup"))
        ext = external_id or _external_id(group) or new_id("ext")
        group.display_name = display_name
        group.updated_at.CopyFrom(timestamp(state.clock()))
        group.group_detail.Clear()
        group.group_detail.update({**(detail or {}), "external_id": ext})
        _store(tx, GROUP, group, directory, not same, {"external_id": f"{directory_id}:{ext}"})
    _emit(state, "group_updated" if same else "group_created", directory, group_id=group.id)
    return group


def add_directory_user(
    state: EmulatorState,
    directory_id: str,
    email: str,
    *,
    given_name: str = "",
    family_name: str = "",
    preferred_username: str = "",
    emails: Iterable[str] = (),
    groups: Iterable[str] = (),
    detail: Mapping[str, Any] | None = None,
) -> pb.DirectoryUser:
    """Simulate the IdP provisioning (or updating) a user, matched by email case-insensitively.

    Args: ``directory_id`` of an enabled directory; profile fields (empty keeps the stored value);
    ``emails`` further addresses; ``groups`` ids (``dirgroup_…``) of this directory's groups the user is
    in (replacing the previous list); ``detail`` is returned as ``user_detail`` with ``include_detail``.

    Returns: the stored user.  Raises: KeyError (no such directory or group), ValueError (disabled).
    """
    with state.store.transaction() as tx:
        directory = _pushable(tx, directory_id)
        refs = [
            pb.DirectoryGroup(id=g, display_name=_group(tx, directory_id, g).display_name)
            for g in dict.fromkeys(groups)
        ]
        key = f"{directory_id}:{email.lower()}"
        found = tx.find(USER, "email", key, pb.DirectoryUser)
        same = [found] if found is not None else []
        user = same[0] if same else pb.DirectoryUser(id=new_id("diruser"))
        user.email = email
        user.given_name = given_name or user.given_name
        user.family_name = family_name or user.family_name
        user.preferred_username = preferred_username or user.preferred_username or email
        del user.emails[:], user.groups[:]
        user.emails.extend(dict.fromkeys([email, *emails]))
        user.groups.extend(refs)
        user.updated_at.CopyFrom(timestamp(state.clock()))
        user.user_detail.Clear()
        profile = {"email": email, "given_name": user.given_name, "family_name": user.family_name}
        user.user_detail.update({**profile, **(detail or {})})
        _store(tx, USER, user, directory, not same, {"email": key})
    _emit(state, "user_updated" if same else "user_created", directory, user_id=user.id)
    return user


def remove_directory_user(state: EmulatorState, directory_id: str, user_id: str) -> bool:
    """Simulate the IdP deprovisioning a user; False when it was not there."""
    with state.store.transaction() as tx:
        directory = _pushable(tx, directory_id)
        if tx.parent_of(USER, user_id) != directory_id:
            return False
        tx.delete(USER, user_id)
    _emit(state, "user_deleted", directory, user_id=user_id)
    return True


def remove_directory_group(state: EmulatorState, directory_id: str, group_id: str) -> bool:
    """Simulate the IdP deleting a group (members stay; reads drop the stale reference); False if absent."""
    with state.store.transaction() as tx:
        directory = _pushable(tx, directory_id)
        if tx.parent_of(GROUP, group_id) != directory_id:
            return False
        tx.delete(GROUP, group_id)
    _emit(state, "group_deleted", directory, group_id=group_id)
    return True


def verify_directory_secret(state: EmulatorState, directory_id: str, plain_secret: str) -> bool:
    """Whether ``plain_secret`` is the directory's active bearer secret (what a SCIM endpoint checks)."""
    with state.store.transaction() as tx:
        secret = tx.find(SECRET, "hash", secret_digest(plain_secret), pb.Secret)
        if secret is None or secret.directory_id != directory_id or secret.status != pb.ACTIVE:
            return False
        secret.last_used_time.CopyFrom(timestamp(state.clock()))
        tx.update(SECRET, secret.id, secret)
    return True
