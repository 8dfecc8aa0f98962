"""OrganizationService: organizations, admin-portal links and the small per-organization settings.

Organizations are ``organization`` documents (unique ``external_id``); their feature toggles live in the
message's own ``settings``. Session policy, branding and user-management settings are ``org_settings``
documents with ids ``<org_id>:session_policy``, ``<org_id>:branding`` and ``<org_id>:user_management``
(other services may read them, e.g. to enforce ``max_allowed_users``). Deleting an organization removes
everything that hangs off it: domains, connections, directories (with their users, groups and secrets),
organization roles, portal links, settings, and the organization's memberships inside users.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from google.protobuf.empty_pb2 import Empty
from google.protobuf.wrappers_pb2 import BoolValue, Int32Value

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.connections import connections_pb2
from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.domains import domains_pb2
from scalekit_api.v1.organizations import organizations_connect
from scalekit_api.v1.organizations import organizations_pb2 as pb
from scalekit_api.v1.roles import roles_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, org_id_for, timestamp
from scalekit_py.emulator.services.connections import delete_connection_tree
from scalekit_py.emulator.services.directories import delete_directory_tree
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

__all__ = [
    "APPLICATION_SESSION_POLICY",
    "FEATURES",
    "PORTAL_LINK_TTL",
    "OrganizationService",
    "create_app",
    "member_count",
    "settings_id",
]

KIND = "organization"
SETTINGS = "org_settings"
LINK = "portal_link"
FEATURES = ("sso", "dir_sync")
PORTAL_LINK_TTL = 7 * 24 * 3600
UPDATABLE = ("display_name", "external_id", "metadata", "slug", "logo_url")
# Known org_settings names (``default_member_role`` belongs to the roles service).
_SETTING_NAMES = ("session_policy", "branding", "user_management", "default_member_role")
_MINUTES = {commons_pb2.MINUTES: 1, commons_pb2.HOURS: 60, commons_pb2.DAYS: 24 * 60}

# The environment's session policy: what organizations on policy_source APPLICATION get.
APPLICATION_SESSION_POLICY = pb.ApplicationSessionPolicySettings(
    absolute_session_timeout=7,
    absolute_session_timeout_unit=commons_pb2.DAYS,
    idle_session_timeout_enabled=False,
    idle_session_timeout=30,
    idle_session_timeout_unit=commons_pb2.MINUTES,
    access_token_expiry=300,
)


def settings_id(org_id: str, name: str) -> str:
    """The ``org_settings`` document id of one organization's setting (``"<org_id>:<name>"``)."""
    return f"{org_id}:{name}"


def member_count(tx: Tx, org_id: str) -> int:
    """How many users hold a membership in the organization."""
    return tx.count("user", Match(f"org:{org_id}"))


def _app_policy_as_org() -> pb.OrganizationSessionPolicySettings:
    app = APPLICATION_SESSION_POLICY
    return pb.OrganizationSessionPolicySettings(
        policy_source=pb.APPLICATION,
        absolute_session_timeout=Int32Value(value=app.absolute_session_timeout),
        absolute_session_timeout_unit=app.absolute_session_timeout_unit,
        idle_session_timeout_enabled=BoolValue(value=app.idle_session_timeout_enabled),
        idle_session_timeout=Int32Value(value=app.idle_session_timeout),
        idle_session_timeout_unit=app.idle_session_timeout_unit,
    )


_POLICY_FIELDS = (
    "absolute_session_timeout",
    "absolute_session_timeout_unit",
    "idle_session_timeout_enabled",
    "idle_session_timeout",
    "idle_session_timeout_unit",
)


def _check_policy(policy: pb.OrganizationSessionPolicySettings) -> None:
    bad: list[tuple[str, str, str]] = []
    absolute = policy.absolute_session_timeout.value
    idle = policy.idle_session_timeout.value
    if absolute <= 0:
        bad.append(("absolute_session_timeout", "must be greater than 0", "gt"))
    if policy.idle_session_timeout_enabled.value and idle <= 0:
        bad.append(("idle_session_timeout", "must be greater than 0", "gt"))
    if not bad and policy.idle_session_timeout_enabled.value:
        idle_min = idle * _MINUTES.get(policy.idle_session_timeout_unit, 1)
        absolute_min = absolute * _MINUTES.get(policy.absolute_session_timeout_unit, 1)
        if idle_min > absolute_min:
            bad.append(
                ("idle_session_timeout", "must not exceed the absolute session timeout", "lte_absolute")
            )
    if bad:
        raise _status.invalid_argument(bad)


class OrganizationService(Service, organizations_connect.OrganizationService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    def _org(self, tx: Tx, org_id: str = "", external_id: str = "") -> pb.Organization:
        org = tx.get(KIND, org_id_for(tx, org_id, external_id), pb.Organization)
        assert org is not None
        return org

    def _save(self, tx: Tx, org: pb.Organization) -> None:
        org.update_time.CopyFrom(self.now())
        tx.update(KIND, org.id, org, unique={"external_id": org.external_id})

    # --- organizations -------------------------------------------------------------------------------

    @handler
    async def create_organization(
        self, request: pb.CreateOrganizationRequest, ctx: Any, events: Events
    ) -> pb.CreateOrganizationResponse:
        src = request.organization
        now = self.now()
        org = pb.Organization(
            id=new_id("org"),
            create_time=now,
            update_time=now,
            display_name=src.display_name,
            region_code=src.region_code or commons_pb2.US,
            metadata=dict(src.metadata),
            settings=pb.OrganizationSettings(
                features=[pb.OrganizationSettingsFeature(name=f, enabled=False) for f in FEATURES]
            ),
        )
        for name in ("external_id", "slug", "logo_url"):
            if src.HasField(name) and getattr(src, name):
                setattr(org, name, getattr(src, name))
        with self.state.store.transaction() as tx:
            tx.insert(KIND, org.id, org, unique={"external_id": org.external_id})
        events.append(("organization.created", {"organization_id": org.id}))
        return pb.CreateOrganizationResponse(organization=org)

    @handler
    async def update_organization(
        self, request: pb.UpdateOrganizationRequest, ctx: Any, events: Events
    ) -> pb.UpdateOrganizationResponse:
        src = request.organization
        paths = [p.removeprefix("organization.") for p in request.update_mask.paths]
        unknown = [p for p in paths if p not in UPDATABLE]
        if unknown:
            raise _status.invalid_argument(
                [("update_mask", f"unknown or read-only path {p!r}", "update_mask") for p in unknown]
            )
        if "display_name" in paths and not src.display_name:
            raise _status.invalid_argument([("organization.display_name", "is required", "required")])
        with self.state.store.transaction() as tx:
            org = self._org(tx, request.id, request.external_id)
            fields = paths or [
                f
                for f in UPDATABLE
                if (src.metadata if f == "metadata" else src.HasField(f))  # type: ignore[arg-type]
            ]
            for f in fields:
                if f == "metadata":
                    org.metadata.clear()
                    org.metadata.update(src.metadata)
                elif src.HasField(f) and getattr(src, f):  # type: ignore[arg-type]
                    setattr(org, f, getattr(src, f))
                else:  # sent empty (or masked but absent): clear it
                    org.ClearField(f)  # type: ignore[arg-type]
            self._save(tx, org)
        events.append(("organization.updated", {"organization_id": org.id}))
        return pb.UpdateOrganizationResponse(organization=org)

    @handler
    async def get_organization(
        self, request: pb.GetOrganizationRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationResponse:
        with self.state.store.transaction() as tx:
            return pb.GetOrganizationResponse(organization=self._org(tx, request.id, request.external_id))

    @handler
    async def get_organization_by_external_id(
        self, request: pb.GetOrganizationRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationResponse:
        if not request.external_id:
            raise _status.invalid_argument([("external_id", "is required", "required")])
        with self.state.store.transaction() as tx:
            return pb.GetOrganizationResponse(organization=self._org(tx, external_id=request.external_id))

    @handler
    async def list_organization(
        self, request: pb.ListOrganizationsRequest, ctx: Any, events: Events
    ) -> pb.ListOrganizationsResponse:
        external_id = request.external_id if request.HasField("external_id") else None
        with self.state.store.transaction() as tx:
            page = tx.page(
                KIND,
                pb.Organization,
                page_size=request.page_size,
                page_token=request.page_token,
                match=Match("") if external_id is None else Match(f"ext:{external_id}"),
                newest_first=True,  # as the real service lists them
            )
        return pb.ListOrganizationsResponse(
            organizations=page.items,  # type: ignore[arg-type]
            **page.cursor(),
        )

    @handler
    async def search_organization(
        self, request: pb.SearchOrganizationsRequest, ctx: Any, events: Events
    ) -> pb.SearchOrganizationsResponse:
        with self.state.store.transaction() as tx:
            page = tx.page(
                KIND,
                pb.Organization,
                page_size=request.page_size,
                page_token=request.page_token,
                match=Match("", contains=request.query.lower()),
                max_size=30,
            )
        return pb.SearchOrganizationsResponse(
            organizations=page.items,  # type: ignore[arg-type]
            **page.cursor(),
        )

    @handler
    async def delete_organization(
        self, request: pb.DeleteOrganizationRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            org = self._org(tx, request.id, request.external_id)
            self._cascade(tx, org.id, events)
            tx.delete(KIND, org.id)
        events.append(("organization.deleted", {"organization_id": org.id}))
        return Empty()

    def _cascade(self, tx: Tx, org_id: str, events: Events) -> None:
        for domain in tx.all("domain", domains_pb2.Domain, parent=org_id):
            tx.delete("domain", domain.id)
        for conn_id in [c.id for c in tx.all("connection", connections_pb2.Connection, parent=org_id)]:
            delete_connection_tree(tx, conn_id)
        for dir_id in [d.id for d in tx.all("directory", directories_pb2.Directory, parent=org_id)]:
            delete_directory_tree(tx, dir_id)
        for role in tx.all("role", roles_pb2.Role, parent=org_id):
            tx.delete("role", role.id)
        for link in tx.all(LINK, pb.Link, parent=org_id):
            tx.delete(LINK, link.id)
        for name in _SETTING_NAMES:
            tx.delete(SETTINGS, settings_id(org_id, name))
        now = self.now()
        for user in tx.select("user", users_pb2.User, Match(f"org:{org_id}")):
            kept = [m for m in user.memberships if m.organization_id != org_id]
            del user.memberships[:]
            user.memberships.extend(kept)
            user.update_time.CopyFrom(now)
            tx.update("user", user.id, user)
            events.append(
                ("organization.membership_deleted", {"organization_id": org_id, "user_id": user.id})
            )

    # --- portal links --------------------------------------------------------------------------------

    @handler
    async def generate_portal_link(
        self, request: pb.GeneratePortalLinkRequest, ctx: Any, events: Events
    ) -> pb.GeneratePortalLinkResponse:
        features = {pb.Feature.Name(f) for f in request.features if f}
        if request.HasField("sso") and request.sso:
            features.add("sso")
        if request.HasField("directory_sync") and request.directory_sync:
            features.add("dir_sync")
        location = f"{self.state.env_url}/magicLink/{secrets.token_urlsafe(24)}"
        if features:
            location += "?features=" + ",".join(sorted(features))
        link = pb.Link(
            id=new_id("lnk"),
            location=location,
            expire_time=timestamp(self.state.clock() + PORTAL_LINK_TTL),
        )
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.id)
            tx.insert(LINK, link.id, link, parent=org_id)
        return pb.GeneratePortalLinkResponse(link=link)

    @handler
    async def delete_portal_link_by_id(
        self, request: pb.DeletePortalLinkByIdRequest, ctx: Any, events: Events
    ) -> Empty:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.id)
            if tx.parent_of(LINK, request.link_id) != org_id:
                raise _status.not_found("portal_link", request.link_id)
            tx.delete(LINK, request.link_id)
        return Empty()

    # --- settings --------------------------------------------------------------------------------------

    @handler
    async def update_organization_settings(
        self, request: pb.UpdateOrganizationSettingsRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationResponse:
        bad = [
            (f"settings.features[{i}].name", f"must be one of {list(FEATURES)}", "in")
            for i, f in enumerate(request.settings.features)
            if f.name not in FEATURES
        ]
        if bad:
            raise _status.invalid_argument(bad)
        with self.state.store.transaction() as tx:
            org = self._org(tx, request.id)
            current = {f.name: f.enabled for f in org.settings.features}
            current.update({f.name: f.enabled for f in request.settings.features})
            del org.settings.features[:]
            org.settings.features.extend(
                pb.OrganizationSettingsFeature(name=n, enabled=e) for n, e in current.items()
            )
            self._save(tx, org)
        events.append(("organization.updated", {"organization_id": org.id}))
        return pb.GetOrganizationResponse(organization=org)

    @handler
    async def get_organization_session_policy(
        self, request: pb.GetOrganizationSessionPolicyRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationSessionPolicyResponse:
        with self.state.store.transaction() as tx:
            return pb.GetOrganizationSessionPolicyResponse(policy=self._policy(tx, request.organization_id))

    def _policy(self, tx: Tx, org_id: str) -> pb.OrganizationSessionPolicySettings:
        org_id_for(tx, org_id)
        stored = tx.get(SETTINGS, settings_id(org_id, "session_policy"), pb.OrganizationSessionPolicySettings)
        if stored is None or stored.policy_source != pb.CUSTOM:
            return _app_policy_as_org()
        return stored

    @handler
    async def update_organization_session_policy(
        self, request: pb.UpdateOrganizationSessionPolicyRequest, ctx: Any, events: Events
    ) -> pb.UpdateOrganizationSessionPolicyResponse:
        sent = [f for f in _POLICY_FIELDS if request.HasField(f)]  # type: ignore[arg-type]
        with self.state.store.transaction() as tx:
            current = self._policy(tx, request.organization_id)
            source = request.policy_source or current.policy_source
            if source == pb.APPLICATION:
                if sent:
                    raise _status.invalid_argument(
                        [("policy_source", "timeouts can only be set with policy_source CUSTOM", "custom")]
                    )
                policy = _app_policy_as_org()
            else:
                policy = pb.OrganizationSessionPolicySettings()
                policy.CopyFrom(current)
                policy.policy_source = pb.CUSTOM
                for f in sent:
                    value = getattr(request, f)
                    if isinstance(value, int):
                        setattr(policy, f, value)
                    else:
                        getattr(policy, f).CopyFrom(value)
                _check_policy(policy)
            doc_id = settings_id(request.organization_id, "session_policy")
            stored = pb.OrganizationSessionPolicySettings(policy_source=source)
            if source == pb.CUSTOM:
                stored = policy
            if tx.get(SETTINGS, doc_id, pb.OrganizationSessionPolicySettings) is None:
                tx.insert(SETTINGS, doc_id, stored, parent=request.organization_id)
            else:
                tx.update(SETTINGS, doc_id, stored)
        events.append(("organization.updated", {"organization_id": request.organization_id}))
        return pb.UpdateOrganizationSessionPolicyResponse(policy=policy)

    @handler
    async def get_application_session_policy(
        self, request: pb.GetApplicationSessionPolicyRequest, ctx: Any, events: Events
    ) -> pb.GetApplicationSessionPolicyResponse:
        with self.state.store.transaction() as tx:
            org_id_for(tx, request.organization_id)
        return pb.GetApplicationSessionPolicyResponse(application_policy=APPLICATION_SESSION_POLICY)

    @handler
    async def get_organization_branding(
        self, request: pb.GetOrganizationBrandingRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationBrandingResponse:
        with self.state.store.transaction() as tx:
            org = self._org(tx, request.organization_id)
            branding = tx.get(SETTINGS, settings_id(org.id, "branding"), pb.OrganizationBranding)
        if branding is None:
            branding = pb.OrganizationBranding(
                source=pb.BRANDING_SOURCE_ENVIRONMENT, update_time=org.create_time
            )
        return pb.GetOrganizationBrandingResponse(branding=branding)

    @handler
    async def update_organization_branding(
        self, request: pb.UpdateOrganizationBrandingRequest, ctx: Any, events: Events
    ) -> pb.UpdateOrganizationBrandingResponse:
        doc_id = settings_id(request.organization_id, "branding")
        with self.state.store.transaction() as tx:
            org_id_for(tx, request.organization_id)
            old = tx.get(SETTINGS, doc_id, pb.OrganizationBranding)
            branding = pb.OrganizationBranding(source=request.source, update_time=self.now())
            if request.HasField("customization_settings"):
                branding.customization_settings.CopyFrom(request.customization_settings)
            elif old is not None and request.source == pb.BRANDING_SOURCE_CUSTOM:
                branding.customization_settings.CopyFrom(old.customization_settings)
            if old is None:
                tx.insert(SETTINGS, doc_id, branding, parent=request.organization_id)
            else:
                tx.update(SETTINGS, doc_id, branding)
        events.append(("organization.updated", {"organization_id": request.organization_id}))
        return pb.UpdateOrganizationBrandingResponse(branding=branding)

    @handler
    async def upsert_user_management_settings(
        self, request: pb.UpsertUserManagementSettingsRequest, ctx: Any, events: Events
    ) -> pb.UpsertUserManagementSettingsResponse:
        doc_id = settings_id(request.organization_id, "user_management")
        with self.state.store.transaction() as tx:
            org_id_for(tx, request.organization_id)
            settings = tx.get(SETTINGS, doc_id, pb.OrganizationUserManagementSettings)
            exists = settings is not None
            settings = settings or pb.OrganizationUserManagementSettings()
            if request.settings.HasField("max_allowed_users"):
                limit = request.settings.max_allowed_users.value
                if limit < 0:
                    raise _status.invalid_argument(
                        [("settings.max_allowed_users", "must be 0 (no limit) or greater", "gte")]
                    )
                members = member_count(tx, request.organization_id)
                if 0 < limit < members:
                    raise _status.failed_precondition(
                        f"the organization already has {members} members, more than {limit}",
                        "MAX_USERS_BELOW_MEMBER_COUNT",
                    )
                if limit:
                    settings.max_allowed_users.value = limit
                else:
                    settings.ClearField("max_allowed_users")
            if exists:
                tx.update(SETTINGS, doc_id, settings)
            else:
                tx.insert(SETTINGS, doc_id, settings, parent=request.organization_id)
        return pb.UpsertUserManagementSettingsResponse(settings=settings)

    @handler
    async def get_organization_user_management_setting(
        self, request: pb.GetOrganizationUserManagementSettingsRequest, ctx: Any, events: Events
    ) -> pb.GetOrganizationUserManagementSettingsResponse:
        doc_id = settings_id(request.organization_id, "user_management")
        with self.state.store.transaction() as tx:
            org_id_for(tx, request.organization_id)
            settings = tx.get(SETTINGS, doc_id, pb.OrganizationUserManagementSettings)
        return pb.GetOrganizationUserManagementSettingsResponse(
            settings=settings or pb.OrganizationUserManagementSettings()
        )


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return organizations_connect.OrganizationServiceASGIApplication(
        OrganizationService(state), interceptors=interceptors
    )
