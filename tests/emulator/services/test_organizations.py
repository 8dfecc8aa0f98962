"""OrganizationService through the generated gRPC stubs: CRUD, paging, search, cascade delete, portal links,
feature settings, session policy, branding and user-management settings."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.struct_pb2 import Struct
from google.protobuf.wrappers_pb2 import BoolValue, Int32Value

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.connections import connections_pb2, connections_pb2_grpc
from scalekit_api.v1.directories import directories_pb2, directories_pb2_grpc
from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2 as pb
from scalekit_api.v1.organizations import organizations_pb2_grpc
from scalekit_api.v1.roles import roles_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.services.directories import add_directory_group, add_directory_user
from scalekit_py.emulator.services.organizations import APPLICATION_SESSION_POLICY, PORTAL_LINK_TTL
from scalekit_py.emulator.store import new_id

Stub = organizations_pb2_grpc.OrganizationServiceStub


@pytest.fixture
def stub(grpc_channel: grpc.Channel) -> Stub:
    return organizations_pb2_grpc.OrganizationServiceStub(grpc_channel)


@pytest.fixture
def emitted(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(emulator.state, "emit", lambda kind, data: seen.append((kind, data)))
    return seen


def uid(prefix: str = "o") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def fails(call: Callable[[Any], Any], request: Any) -> errors.APIError:
    with pytest.raises(grpc.RpcError) as info:
        call(request)
    mapped = from_rpc_error(info.value)
    assert isinstance(mapped, errors.APIError)
    return mapped


def violated(err: errors.APIError) -> set[str]:
    return {v.field for v in err.field_violations}


def create(stub: Stub, name: str = "", **kw: Any) -> pb.Organization:
    spec = pb.CreateOrganization(display_name=name or uid("Acme "), **kw)
    return stub.CreateOrganization(pb.CreateOrganizationRequest(organization=spec)).organization


def add_member(emulator: Emulator, *org_ids: str) -> str:
    user = users_pb2.User(id=new_id("usr"), email=f"{uid('u')}@example.com")
    for org_id in org_ids:
        user.memberships.add(organization_id=org_id, membership_status=commons_pb2.ACTIVE)
    with emulator.state.store.transaction() as tx:
        tx.insert("user", user.id, user, unique={"email": user.email})
    return user.id


# ----- create / get -----


def test_create_and_get(stub: Stub, emitted: list[tuple[str, dict[str, Any]]]) -> None:
    ext = uid("ext-")
    org = create(stub, "Acme Inc", external_id=ext, metadata={"plan": "gold"}, slug="acme-inc")
    assert org.id.startswith("org_")
    assert org.display_name == "Acme Inc"
    assert org.external_id == ext
    assert dict(org.metadata) == {"plan": "gold"}
    assert org.slug == "acme-inc"
    assert org.create_time.seconds > 0
    assert {(f.name, f.enabled) for f in org.settings.features} == {("sso", False), ("dir_sync", False)}
    assert ("organization.created", {"organization_id": org.id}) in emitted
    assert stub.GetOrganization(pb.GetOrganizationRequest(id=org.id)).organization == org
    by_ext = stub.GetOrganizationByExternalId(pb.GetOrganizationRequest(external_id=ext))
    assert by_ext.organization.id == org.id


def test_create_errors(stub: Stub) -> None:
    empty = fails(stub.CreateOrganization, pb.CreateOrganizationRequest(organization=pb.CreateOrganization()))
    assert empty.grpc_code == "INVALID_ARGUMENT"
    assert "organization.display_name" in violated(empty)
    bad_meta = pb.CreateOrganization(display_name="x", metadata={"k": "v"})
    assert fails(stub.CreateOrganization, pb.CreateOrganizationRequest(organization=bad_meta)).grpc_code == (
        "INVALID_ARGUMENT"
    )
    bad_slug = pb.CreateOrganization(display_name="x", slug="Not A Slug")
    assert "organization.slug" in violated(
        fails(stub.CreateOrganization, pb.CreateOrganizationRequest(organization=bad_slug))
    )
    assert "organization" in violated(fails(stub.CreateOrganization, pb.CreateOrganizationRequest()))
    ext = uid()
    create(stub, external_id=ext)
    dup = fails(
        stub.CreateOrganization,
        pb.CreateOrganizationRequest(organization=pb.CreateOrganization(display_name="y", external_id=ext)),
    )
    assert dup.grpc_code == "ALREADY_EXISTS"
    assert dup.error_code == "ALREADY_EXISTS"


def test_get_errors(stub: Stub) -> None:
    missing = fails(stub.GetOrganization, pb.GetOrganizationRequest(id="org_404"))
    assert missing.grpc_code == "NOT_FOUND"
    assert missing.error_code == "NOT_FOUND"
    assert fails(
        stub.GetOrganizationByExternalId, pb.GetOrganizationRequest(external_id=uid())
    ).grpc_code == ("NOT_FOUND")
    no_ext = fails(stub.GetOrganizationByExternalId, pb.GetOrganizationRequest(id="org_1"))
    assert violated(no_ext) == {"external_id"}
    assert fails(stub.GetOrganization, pb.GetOrganizationRequest()).grpc_code == "INVALID_ARGUMENT"


# ----- update -----


def test_update_changes_only_sent_fields(stub: Stub, emitted: list[tuple[str, dict[str, Any]]]) -> None:
    org = create(stub, "Before", external_id=uid(), metadata={"tier": "one"})
    new_ext = uid()
    upd = pb.UpdateOrganization(display_name="After", external_id=new_ext)
    out = stub.UpdateOrganization(pb.UpdateOrganizationRequest(id=org.id, organization=upd)).organization
    assert (out.display_name, out.external_id, dict(out.metadata)) == ("After", new_ext, {"tier": "one"})
    assert out.update_time.ToNanoseconds() >= org.update_time.ToNanoseconds()
    assert ("organization.updated", {"organization_id": org.id}) in emitted
    # by external id, and an explicitly empty optional clears it
    out = stub.UpdateOrganization(
        pb.UpdateOrganizationRequest(external_id=new_ext, organization=pb.UpdateOrganization(external_id=""))
    ).organization
    assert not out.HasField("external_id")
    assert out.display_name == "After"
    with pytest.raises(grpc.RpcError):
        stub.GetOrganizationByExternalId(pb.GetOrganizationRequest(external_id=new_ext))


def test_update_with_mask(stub: Stub) -> None:
    org = create(stub, "Masked", metadata={"keep": "no"}, slug="masked")
    req = pb.UpdateOrganizationRequest(
        id=org.id,
        organization=pb.UpdateOrganization(display_name="Ignored", metadata={"new": "yes"}),
        update_mask=FieldMask(paths=["metadata", "slug"]),
    )
    out = stub.UpdateOrganization(req).organization
    assert out.display_name == "Masked"  # not in the mask
    assert dict(out.metadata) == {"new": "yes"}
    assert not out.HasField("slug")  # masked but absent: cleared
    bad = fails(
        stub.UpdateOrganization,
        pb.UpdateOrganizationRequest(
            id=org.id, organization=pb.UpdateOrganization(), update_mask=FieldMask(paths=["id"])
        ),
    )
    assert violated(bad) == {"update_mask"}


def test_update_errors(stub: Stub) -> None:
    a, b = create(stub, external_id=uid()), create(stub)
    taken = fails(
        stub.UpdateOrganization,
        pb.UpdateOrganizationRequest(id=b.id, organization=pb.UpdateOrganization(external_id=a.external_id)),
    )
    assert taken.grpc_code == "ALREADY_EXISTS"
    missing = pb.UpdateOrganizationRequest(id="org_404", organization=pb.UpdateOrganization(display_name="x"))
    assert fails(stub.UpdateOrganization, missing).grpc_code == "NOT_FOUND"
    empty_name = pb.UpdateOrganizationRequest(id=a.id, organization=pb.UpdateOrganization(display_name=""))
    assert "organization.display_name" in violated(fails(stub.UpdateOrganization, empty_name))
    assert "organization" in violated(fails(stub.UpdateOrganization, pb.UpdateOrganizationRequest(id=a.id)))


# ----- list / search -----


def test_list_pages_through_everything(stub: Stub, emulator: Emulator) -> None:
    mine = {create(stub).id for _ in range(5)}
    seen: list[str] = []
    token = ""
    while True:
        page = stub.ListOrganization(pb.ListOrganizationsRequest(page_size=2, page_token=token))
        assert len(page.organizations) <= 2
        seen += [o.id for o in page.organizations]
        token = page.next_page_token
        if not token:
            break
    with emulator.state.store.transaction() as tx:
        stored = [o.id for o in tx.all("organization", pb.Organization)]
    assert seen == stored[::-1]  # newest first (as the real service), no repeats, nothing skipped
    assert mine <= set(seen)
    assert page.total_size == len(stored)
    # The previous page of the last one is the page before it, in the same order.
    second = stub.ListOrganization(pb.ListOrganizationsRequest(page_size=2, page_token=page.prev_page_token))
    last = len(page.organizations)
    assert [o.id for o in second.organizations] == seen[-last - 2 : -last]


def test_list_filters_and_bad_token(stub: Stub) -> None:
    ext = uid()
    org = create(stub, external_id=ext)
    only = stub.ListOrganization(pb.ListOrganizationsRequest(external_id=ext))
    assert [o.id for o in only.organizations] == [org.id]
    assert only.total_size == 1
    bad = fails(stub.ListOrganization, pb.ListOrganizationsRequest(page_token="garbage"))
    assert violated(bad) == {"page_token"}


def test_search(stub: Stub) -> None:
    token = uid("zq")
    a = create(stub, f"Alpha {token}")
    b = create(stub, f"Beta {token.upper()}")
    c = create(stub, "Gamma", external_id=f"ext-{token}")
    create(stub, "Unrelated")
    first = stub.SearchOrganization(pb.SearchOrganizationsRequest(query=token, page_size=2))
    assert first.total_size == 3
    second = stub.SearchOrganization(
        pb.SearchOrganizationsRequest(query=token, page_size=2, page_token=first.next_page_token)
    )
    assert [o.id for o in [*first.organizations, *second.organizations]] == [a.id, b.id, c.id]
    assert not second.next_page_token
    by_id = stub.SearchOrganization(pb.SearchOrganizationsRequest(query=a.id))
    assert [o.id for o in by_id.organizations] == [a.id]
    assert "query" in violated(fails(stub.SearchOrganization, pb.SearchOrganizationsRequest(query="ab")))
    too_big = pb.SearchOrganizationsRequest(query=token, page_size=31)
    assert "page_size" in violated(fails(stub.SearchOrganization, too_big))


# ----- delete -----


def test_delete_cascades(stub: Stub, emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    org, other = create(stub), create(stub)
    domains = domains_pb2_grpc.DomainServiceStub(grpc_channel)
    dom = domains.CreateDomain(
        domains_pb2.CreateDomainRequest(
            organization_id=org.id, domain=domains_pb2.CreateDomain(domain=f"{uid()}.example.com")
        )
    ).domain
    conn = (
        connections_pb2_grpc.ConnectionServiceStub(grpc_channel)
        .CreateConnection(
            connections_pb2.CreateConnectionRequest(
                organization_id=org.id,
                connection=connections_pb2.CreateConnection(
                    type=connections_pb2.SAML, provider=connections_pb2.OKTA
                ),
            )
        )
        .connection
    )
    dirs = directories_pb2_grpc.DirectoryServiceStub(grpc_channel)
    directory = dirs.CreateDirectory(
        directories_pb2.CreateDirectoryRequest(
            organization_id=org.id,
            directory=directories_pb2.CreateDirectory(directory_type=directories_pb2.SCIM),
        )
    ).directory
    dirs.EnableDirectory(directories_pb2.ToggleDirectoryRequest(organization_id=org.id, id=directory.id))
    group = add_directory_group(emulator.state, directory.id, "Engineers")
    dir_user = add_directory_user(emulator.state, directory.id, f"{uid()}@example.com", groups=[group.id])
    role = roles_pb2.Role(id=new_id("role"), name="auditor", display_name="Auditor")
    with emulator.state.store.transaction() as tx:
        tx.insert("role", role.id, role, parent=org.id, unique={"scope_name": f"{org.id}:auditor"})
    link = stub.GeneratePortalLink(pb.GeneratePortalLinkRequest(id=org.id)).link
    stub.UpdateOrganizationBranding(
        pb.UpdateOrganizationBrandingRequest(organization_id=org.id, source=pb.BRANDING_SOURCE_CUSTOM)
    )
    user_id = add_member(emulator, org.id, other.id)

    stub.DeleteOrganization(pb.DeleteOrganizationRequest(id=org.id))

    assert fails(stub.GetOrganization, pb.GetOrganizationRequest(id=org.id)).grpc_code == "NOT_FOUND"
    with emulator.state.store.transaction() as tx:
        assert tx.get("domain", dom.id, domains_pb2.Domain) is None
        assert tx.get("connection", conn.id, connections_pb2.Connection) is None
        assert tx.get("directory", directory.id, directories_pb2.Directory) is None
        assert tx.get("directory_user", dir_user.id, directories_pb2.DirectoryUser) is None
        assert tx.get("directory_group", group.id, directories_pb2.DirectoryGroup) is None
        assert tx.get("role", role.id, roles_pb2.Role) is None
        assert tx.get("portal_link", link.id, pb.Link) is None
        assert tx.get("org_settings", f"{org.id}:branding", pb.OrganizationBranding) is None
        user = tx.get("user", user_id, users_pb2.User)
        assert tx.find("domain", "domain", dom.domain, domains_pb2.Domain) is None
    assert user is not None
    assert [m.organization_id for m in user.memberships] == [other.id]
    assert stub.GetOrganization(pb.GetOrganizationRequest(id=other.id)).organization.id == other.id


def test_delete_by_external_id_and_errors(stub: Stub, emitted: list[tuple[str, dict[str, Any]]]) -> None:
    ext = uid()
    org = create(stub, external_id=ext)
    stub.DeleteOrganization(pb.DeleteOrganizationRequest(external_id=ext))
    assert ("organization.deleted", {"organization_id": org.id}) in emitted
    assert fails(stub.DeleteOrganization, pb.DeleteOrganizationRequest(id=org.id)).grpc_code == "NOT_FOUND"
    create(stub, external_id=ext)  # the external id is free again


# ----- portal links -----


def test_portal_links(stub: Stub, emulator: Emulator) -> None:
    org = create(stub)
    before = emulator.state.clock()
    link = stub.GeneratePortalLink(
        pb.GeneratePortalLinkRequest(id=org.id, features=[pb.sso, pb.dir_sync])
    ).link
    assert link.id.startswith("lnk_")
    assert link.location.startswith(f"{emulator.env_url}/magicLink/")
    assert link.location.endswith("?features=dir_sync,sso")
    assert (
        before + PORTAL_LINK_TTL - 5 <= link.expire_time.seconds <= emulator.state.clock() + PORTAL_LINK_TTL
    )
    other = stub.GeneratePortalLink(pb.GeneratePortalLinkRequest(id=org.id, sso=True)).link
    assert other.location != link.location
    assert other.location.endswith("?features=sso")
    stub.DeletePortalLinkByID(pb.DeletePortalLinkByIdRequest(id=org.id, link_id=link.id))
    again = fails(stub.DeletePortalLinkByID, pb.DeletePortalLinkByIdRequest(id=org.id, link_id=link.id))
    assert again.grpc_code == "NOT_FOUND"
    foreign = create(stub)
    wrong_org = pb.DeletePortalLinkByIdRequest(id=foreign.id, link_id=other.id)
    assert fails(stub.DeletePortalLinkByID, wrong_org).grpc_code == "NOT_FOUND"


def test_portal_link_errors(stub: Stub) -> None:
    assert fails(stub.GeneratePortalLink, pb.GeneratePortalLinkRequest(id="org_404")).grpc_code == "NOT_FOUND"
    assert violated(fails(stub.GeneratePortalLink, pb.GeneratePortalLinkRequest(id="acme"))) == {"id"}
    bad = pb.DeletePortalLinkByIdRequest(id="org_1", link_id="link_1")
    assert violated(fails(stub.DeletePortalLinkByID, bad)) == {"link_id"}


# ----- settings -----


def test_update_settings_toggles_features(stub: Stub) -> None:
    org = create(stub)
    settings = pb.OrganizationSettings(features=[pb.OrganizationSettingsFeature(name="sso", enabled=True)])
    out = stub.UpdateOrganizationSettings(pb.UpdateOrganizationSettingsRequest(id=org.id, settings=settings))
    assert {(f.name, f.enabled) for f in out.organization.settings.features} == {
        ("sso", True),
        ("dir_sync", False),
    }
    got = stub.GetOrganization(pb.GetOrganizationRequest(id=org.id)).organization
    assert {(f.name, f.enabled) for f in got.settings.features} == {("sso", True), ("dir_sync", False)}
    bogus = pb.OrganizationSettings(features=[pb.OrganizationSettingsFeature(name="billing", enabled=True)])
    bad = fails(
        stub.UpdateOrganizationSettings, pb.UpdateOrganizationSettingsRequest(id=org.id, settings=bogus)
    )
    assert violated(bad) == {"settings.features[0].name"}
    missing = pb.UpdateOrganizationSettingsRequest(id="org_404", settings=settings)
    assert fails(stub.UpdateOrganizationSettings, missing).grpc_code == "NOT_FOUND"
    no_settings = fails(stub.UpdateOrganizationSettings, pb.UpdateOrganizationSettingsRequest(id=org.id))
    assert "settings" in violated(no_settings)


def test_session_policy_defaults_to_application(stub: Stub) -> None:
    org = create(stub)
    policy = stub.GetOrganizationSessionPolicy(
        pb.GetOrganizationSessionPolicyRequest(organization_id=org.id)
    ).policy
    assert policy.policy_source == pb.APPLICATION
    assert policy.absolute_session_timeout.value == APPLICATION_SESSION_POLICY.absolute_session_timeout
    app = stub.GetApplicationSessionPolicy(pb.GetApplicationSessionPolicyRequest(organization_id=org.id))
    assert app.application_policy == APPLICATION_SESSION_POLICY
    missing = pb.GetApplicationSessionPolicyRequest(organization_id="org_404")
    assert fails(stub.GetApplicationSessionPolicy, missing).grpc_code == "NOT_FOUND"
    assert violated(fails(stub.GetApplicationSessionPolicy, pb.GetApplicationSessionPolicyRequest())) == {
        "organization_id"
    }


def test_session_policy_custom_and_back(stub: Stub) -> None:
    org = create(stub)
    custom = stub.UpdateOrganizationSessionPolicy(
        pb.UpdateOrganizationSessionPolicyRequest(
            organization_id=org.id,
            policy_source=pb.CUSTOM,
            absolute_session_timeout=Int32Value(value=12),
            absolute_session_timeout_unit=commons_pb2.HOURS,
            idle_session_timeout_enabled=BoolValue(value=True),
            idle_session_timeout=Int32Value(value=45),
            idle_session_timeout_unit=commons_pb2.MINUTES,
        )
    ).policy
    assert (custom.policy_source, custom.absolute_session_timeout.value) == (pb.CUSTOM, 12)
    # a partial update keeps the rest (source stays CUSTOM when not sent)
    partial = stub.UpdateOrganizationSessionPolicy(
        pb.UpdateOrganizationSessionPolicyRequest(
            organization_id=org.id, idle_session_timeout=Int32Value(value=60)
        )
    ).policy
    assert (
        partial.policy_source,
        partial.absolute_session_timeout.value,
        partial.idle_session_timeout.value,
    ) == (
        pb.CUSTOM,
        12,
        60,
    )
    read = stub.GetOrganizationSessionPolicy(
        pb.GetOrganizationSessionPolicyRequest(organization_id=org.id)
    ).policy
    assert read == partial
    back = stub.UpdateOrganizationSessionPolicy(
        pb.UpdateOrganizationSessionPolicyRequest(organization_id=org.id, policy_source=pb.APPLICATION)
    ).policy
    assert back.policy_source == pb.APPLICATION
    assert back.absolute_session_timeout.value == APPLICATION_SESSION_POLICY.absolute_session_timeout


def test_session_policy_errors(stub: Stub) -> None:
    org = create(stub)
    app_with_values = pb.UpdateOrganizationSessionPolicyRequest(
        organization_id=org.id, policy_source=pb.APPLICATION, idle_session_timeout=Int32Value(value=5)
    )
    assert violated(fails(stub.UpdateOrganizationSessionPolicy, app_with_values)) == {"policy_source"}
    idle_too_long = pb.UpdateOrganizationSessionPolicyRequest(
        organization_id=org.id,
        policy_source=pb.CUSTOM,
        absolute_session_timeout=Int32Value(value=1),
        absolute_session_timeout_unit=commons_pb2.HOURS,
        idle_session_timeout_enabled=BoolValue(value=True),
        idle_session_timeout=Int32Value(value=2),
        idle_session_timeout_unit=commons_pb2.HOURS,
    )
    assert violated(fails(stub.UpdateOrganizationSessionPolicy, idle_too_long)) == {"idle_session_timeout"}
    zero = pb.UpdateOrganizationSessionPolicyRequest(
        organization_id=org.id, policy_source=pb.CUSTOM, absolute_session_timeout=Int32Value(value=0)
    )
    assert violated(fails(stub.UpdateOrganizationSessionPolicy, zero)) == {"absolute_session_timeout"}
    # nothing was stored by the failed calls
    policy = stub.GetOrganizationSessionPolicy(
        pb.GetOrganizationSessionPolicyRequest(organization_id=org.id)
    ).policy
    assert policy.policy_source == pb.APPLICATION
    missing = pb.GetOrganizationSessionPolicyRequest(organization_id="org_404")
    assert fails(stub.GetOrganizationSessionPolicy, missing).grpc_code == "NOT_FOUND"
    bad_id = pb.UpdateOrganizationSessionPolicyRequest(organization_id="acme")
    assert violated(fails(stub.UpdateOrganizationSessionPolicy, bad_id)) == {"organization_id"}


def test_branding(stub: Stub) -> None:
    org = create(stub)
    default = stub.GetOrganizationBranding(pb.GetOrganizationBrandingRequest(organization_id=org.id)).branding
    assert default.source == pb.BRANDING_SOURCE_ENVIRONMENT
    look = Struct()
    look.update({"primary_color": "#123456", "logo": "https://example.com/logo.png"})
    custom = stub.UpdateOrganizationBranding(
        pb.UpdateOrganizationBrandingRequest(
            organization_id=org.id, source=pb.BRANDING_SOURCE_CUSTOM, customization_settings=look
        )
    ).branding
    assert custom.customization_settings == look
    read = stub.GetOrganizationBranding(pb.GetOrganizationBrandingRequest(organization_id=org.id)).branding
    assert (read.source, read.customization_settings) == (pb.BRANDING_SOURCE_CUSTOM, look)
    no_source = pb.UpdateOrganizationBrandingRequest(organization_id=org.id)
    assert violated(fails(stub.UpdateOrganizationBranding, no_source)) == {"source"}
    missing = pb.GetOrganizationBrandingRequest(organization_id="org_404")
    assert fails(stub.GetOrganizationBranding, missing).grpc_code == "NOT_FOUND"


def test_user_management_settings(stub: Stub, emulator: Emulator) -> None:
    org = create(stub)
    get = pb.GetOrganizationUserManagementSettingsRequest(organization_id=org.id)
    assert not stub.GetOrganizationUserManagementSetting(get).settings.HasField("max_allowed_users")
    upsert = pb.UpsertUserManagementSettingsRequest(
        organization_id=org.id,
        settings=pb.OrganizationUserManagementSettings(max_allowed_users=Int32Value(value=3)),
    )
    assert stub.UpsertUserManagementSettings(upsert).settings.max_allowed_users.value == 3
    assert stub.GetOrganizationUserManagementSetting(get).settings.max_allowed_users.value == 3
    for _ in range(2):
        add_member(emulator, org.id)
    upsert.settings.max_allowed_users.value = 1
    below = fails(stub.UpsertUserManagementSettings, upsert)
    assert (below.grpc_code, below.error_code) == ("FAILED_PRECONDITION", "MAX_USERS_BELOW_MEMBER_COUNT")
    upsert.settings.max_allowed_users.value = -1
    assert violated(fails(stub.UpsertUserManagementSettings, upsert)) == {"settings.max_allowed_users"}
    upsert.settings.max_allowed_users.value = 0  # 0 lifts the limit
    assert not stub.UpsertUserManagementSettings(upsert).settings.HasField("max_allowed_users")
    missing = pb.GetOrganizationUserManagementSettingsRequest(organization_id="org_404")
    assert fails(stub.GetOrganizationUserManagementSetting, missing).grpc_code == "NOT_FOUND"
    no_settings = pb.UpsertUserManagementSettingsRequest(organization_id=org.id)
    assert violated(fails(stub.UpsertUserManagementSettings, no_settings)) == {"settings"}
