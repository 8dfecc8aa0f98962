"""``client.organization`` and ``client.domain`` against the emulator, in both flavours."""

from __future__ import annotations

import pytest

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.domains import domains_pb2
from scalekit_api.v1.organizations import organizations_pb2 as pb
from scalekit_py._client import ScalekitClient
from scalekit_py.emulator import Emulator
from scalekit_py.errors import (
    APIError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
)
from tests.e2e._support import api_error, returns_none, unique, violated_fields

MISSING_ORG = "org_999999999999"


def new_org(client: ScalekitClient, name: str = "E2E Org", **kwargs: object) -> pb.Organization:
    return client.organization.create_organization(name, **kwargs)  # type: ignore[arg-type]


# --- organizations --------------------------------------------------------------------------------


def test_create_get_update_delete(client: ScalekitClient) -> None:
    ext, slug = unique("ext"), unique("acme").replace("_", "-")
    org = new_org(client, "Acme E2E", external_id=ext, metadata={"tier": "gold"}, slug=slug)
    assert isinstance(org, pb.Organization)
    assert org.id.startswith("org_")
    assert (org.display_name, org.external_id, org.slug) == ("Acme E2E", ext, slug)
    assert dict(org.metadata) == {"tier": "gold"}
    assert org.region_code == commons_pb2.US
    assert org.HasField("create_time")

    assert client.organization.get_organization(org.id) == org
    assert client.organization.get_organization_by_external_id(ext).id == org.id

    renamed = client.organization.update_organization(org.id, display_name="Acme Renamed")
    assert isinstance(renamed, pb.Organization)
    assert (renamed.display_name, renamed.external_id, dict(renamed.metadata)) == (
        "Acme Renamed",
        ext,
        {"tier": "gold"},
    )
    by_ext = client.organization.update_organization(external_id=ext, metadata={"tier": "silver"})
    assert dict(by_ext.metadata) == {"tier": "silver"}
    assert by_ext.display_name == "Acme Renamed"
    masked = client.organization.update_organization(
        org.id, organization=pb.UpdateOrganization(), update_mask=["slug"]
    )
    assert not masked.HasField("slug")  # masked but not sent: cleared
    assert client.organization.get_organization(org.id).display_name == "Acme Renamed"

    returns_none(lambda: client.organization.delete_organization(org.id))
    api_error(
        NotFoundError,
        lambda: client.organization.get_organization(org.id),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )


def test_delete_by_external_id(client: ScalekitClient) -> None:
    ext = unique("ext")
    new_org(client, external_id=ext)
    client.organization.delete_organization(external_id=ext)
    api_error(
        NotFoundError,
        lambda: client.organization.get_organization_by_external_id(ext),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )
    api_error(
        NotFoundError, lambda: client.organization.delete_organization(external_id=ext), grpc_code="NOT_FOUND"
    )


def test_errors(client: ScalekitClient) -> None:
    ext = unique("ext")
    new_org(client, external_id=ext)
    err: APIError = api_error(
        ConflictError,
        lambda: new_org(client, "Twin", external_id=ext),
        grpc_code="ALREADY_EXISTS",
        error_code="ALREADY_EXISTS",
    )
    assert ext in str(err)
    err = api_error(
        BadRequestError,
        lambda: new_org(client, ""),
        grpc_code="INVALID_ARGUMENT",
        error_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"organization.display_name"}
    assert err.field_violations[0].constraint == "string.min_len"
    err = api_error(
        BadRequestError,
        lambda: client.organization.update_organization(MISSING_ORG, display_name="x", update_mask=["id"]),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"update_mask"}
    for call in (
        lambda: client.organization.get_organization(MISSING_ORG),
        lambda: client.organization.update_organization(MISSING_ORG, display_name="x"),
        lambda: client.organization.delete_organization(MISSING_ORG),
        lambda: client.organization.generate_portal_link(MISSING_ORG),
    ):
        err = api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
        assert MISSING_ORG in str(err)
    with pytest.raises(TypeError):  # two alternative ids: refused before any call
        client.organization.update_organization(MISSING_ORG, external_id=ext, display_name="x")


def test_list_and_pagers(client: ScalekitClient) -> None:
    mine = {new_org(client, f"Paged {i}").id for i in range(3)}
    first = client.organization.list_organizations(page_size=2)
    assert isinstance(first, pb.ListOrganizationsResponse)
    assert len(first.organizations) == 2
    assert first.next_page_token
    total = first.total_size
    assert total >= 4  # the seeded organization and ours
    second = client.organization.list_organizations(page_size=2, page_token=first.next_page_token)
    assert {o.id for o in first.organizations}.isdisjoint(o.id for o in second.organizations)

    everything = [o.id for o in client.organization.iter_organizations(page_size=2)]
    assert len(everything) == len(set(everything)) == total
    assert mine <= set(everything)
    assert everything[:2] == [o.id for o in first.organizations]

    pager = client.organization.iter_organizations(page_size=2, limit=3)
    head = [o.id for o in pager]
    assert head == everything[:3]
    assert pager.next_page_token  # more to come: resume from here
    rest = [
        o.id for o in client.organization.iter_organizations(page_size=2, page_token=pager.next_page_token)
    ]
    assert head + rest == everything

    pages = list(client.organization.iter_organizations(page_size=2).pages())
    assert all(isinstance(p, pb.ListOrganizationsResponse) for p in pages)
    assert [o.id for p in pages for o in p.organizations] == everything
    assert [len(p.organizations) for p in pages[:-1]] == [2] * (len(pages) - 1)
    assert not pages[-1].next_page_token

    ext = unique("ext")
    only = new_org(client, external_id=ext)
    filtered = client.organization.list_organizations(external_id=ext)
    assert [o.id for o in filtered.organizations] == [only.id]
    assert [o.id for o in client.organization.iter_organizations(external_id=ext)] == [only.id]


def test_search_and_pager(client: ScalekitClient) -> None:
    tag = unique("srch")
    ids = [new_org(client, f"Search {tag} {i}").id for i in range(3)]
    page = client.organization.search_organizations(tag, page_size=2)
    assert isinstance(page, pb.SearchOrganizationsResponse)
    assert page.total_size == 3
    assert [o.id for o in page.organizations] == ids[:2]
    last = client.organization.search_organizations(tag, page_size=2, page_token=page.next_page_token)
    assert [o.id for o in last.organizations] == ids[2:]
    assert not last.next_page_token

    pager = client.organization.iter_search_organizations(tag, page_size=1, limit=2)
    assert [o.id for o in pager] == ids[:2]
    resumed = client.organization.iter_search_organizations(tag, page_token=pager.next_page_token or "")
    assert [o.id for o in resumed] == ids[2:]
    assert resumed.next_page_token is None  # exhausted
    assert list(client.organization.iter_search_organizations(unique("nothing"))) == []


def test_search_pager_with_a_large_limit(client: ScalekitClient) -> None:
    tag = unique("big")
    ids = [new_org(client, f"Big {tag} {i}").id for i in range(3)]
    assert [o.id for o in client.organization.iter_search_organizations(tag, limit=31)] == ids


def test_portal_links(client: ScalekitClient) -> None:
    org = new_org(client)
    link = client.organization.generate_portal_link(org.id, features=[pb.Feature.sso])
    assert isinstance(link, pb.Link)
    assert link.id.startswith("lnk_")
    assert link.location.startswith(client.env_url)
    assert "features=sso" in link.location
    assert link.HasField("expire_time")
    returns_none(lambda: client.organization.delete_portal_link(org.id, link.id))
    api_error(
        NotFoundError,
        lambda: client.organization.delete_portal_link(org.id, link.id),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )


def test_settings(client: ScalekitClient) -> None:
    org = new_org(client)
    updated = client.organization.update_organization_settings(org.id, features={"sso": True})
    assert isinstance(updated, pb.Organization)
    assert updated.id == org.id
    assert {f.name: f.enabled for f in updated.settings.features} == {"sso": True, "dir_sync": False}
    settings = pb.OrganizationSettings(
        features=[pb.OrganizationSettingsFeature(name="dir_sync", enabled=True)]
    )
    both = client.organization.update_organization_settings(org.id, settings=settings)
    assert {f.name: f.enabled for f in both.settings.features} == {"sso": True, "dir_sync": True}
    err = api_error(
        BadRequestError,
        lambda: client.organization.update_organization_settings(org.id, features={"bogus": True}),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"settings.features[0].name"}


def test_session_policies(client: ScalekitClient) -> None:
    org = new_org(client)
    default = client.organization.get_organization_session_policy(org.id)
    assert isinstance(default, pb.OrganizationSessionPolicySettings)
    assert default.policy_source == pb.APPLICATION
    custom = client.organization.update_organization_session_policy(
        org.id,
        policy_source=pb.CUSTOM,
        absolute_session_timeout=8,
        absolute_session_timeout_unit=commons_pb2.HOURS,
        idle_session_timeout_enabled=True,
        idle_session_timeout=30,
        idle_session_timeout_unit=commons_pb2.MINUTES,
    )
    assert isinstance(custom, pb.OrganizationSessionPolicySettings)
    assert custom.policy_source == pb.CUSTOM
    assert (custom.absolute_session_timeout.value, custom.idle_session_timeout.value) == (8, 30)
    assert custom.idle_session_timeout_enabled.value is True
    assert client.organization.get_organization_session_policy(org.id) == custom
    err = api_error(
        BadRequestError,
        lambda: client.organization.update_organization_session_policy(
            org.id, idle_session_timeout=10, idle_session_timeout_unit=commons_pb2.HOURS
        ),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"idle_session_timeout"}
    app = client.organization.get_application_session_policy(org.id)
    assert isinstance(app, pb.ApplicationSessionPolicySettings)
    assert app.absolute_session_timeout > 0
    api_error(
        NotFoundError,
        lambda: client.organization.get_organization_session_policy(MISSING_ORG),
        grpc_code="NOT_FOUND",
    )
    api_error(
        NotFoundError,
        lambda: client.organization.get_application_session_policy(MISSING_ORG),
        grpc_code="NOT_FOUND",
    )


def test_branding(client: ScalekitClient) -> None:
    org = new_org(client)
    default = client.organization.get_organization_branding(org.id)
    assert isinstance(default, pb.OrganizationBranding)
    assert default.source == pb.BRANDING_SOURCE_ENVIRONMENT
    custom = client.organization.update_organization_branding(
        org.id, source=pb.BRANDING_SOURCE_CUSTOM, customization_settings={"primary_color": "#0050ff"}
    )
    assert isinstance(custom, pb.OrganizationBranding)
    assert custom.source == pb.BRANDING_SOURCE_CUSTOM
    assert custom.customization_settings["primary_color"] == "#0050ff"
    assert client.organization.get_organization_branding(org.id) == custom
    api_error(
        NotFoundError,
        lambda: client.organization.get_organization_branding(MISSING_ORG),
        grpc_code="NOT_FOUND",
    )


def test_user_management_settings(client: ScalekitClient, emulator: Emulator) -> None:
    org = new_org(client)
    assert not client.organization.get_user_management_settings(org.id).HasField("max_allowed_users")
    saved = client.organization.upsert_user_management_settings(org.id, max_allowed_users=50)
    assert isinstance(saved, pb.OrganizationUserManagementSettings)
    assert saved.max_allowed_users.value == 50
    assert client.organization.get_user_management_settings(org.id) == saved
    err = api_error(
        BadRequestError,
        lambda: client.organization.upsert_user_management_settings(org.id, max_allowed_users=-1),
        grpc_code="INVALID_ARGUMENT",
    )
    assert violated_fields(err) == {"settings.max_allowed_users"}
    assert emulator.seeded is not None
    seeded_org = emulator.seeded.organization_id  # two members
    api_error(
        PreconditionFailedError,
        lambda: client.organization.upsert_user_management_settings(seeded_org, max_allowed_users=1),
        grpc_code="FAILED_PRECONDITION",
        error_code="MAX_USERS_BELOW_MEMBER_COUNT",
    )
    api_error(
        NotFoundError,
        lambda: client.organization.get_user_management_settings(MISSING_ORG),
        grpc_code="NOT_FOUND",
    )


# --- domains ----------------------------------------------------------------------------------------


def test_domains(client: ScalekitClient) -> None:
    ext = unique("ext")
    org = new_org(client, external_id=ext)
    name = f"{unique('d')}.example.com"
    domain = client.domain.create_domain(org.id, name)
    assert isinstance(domain, domains_pb2.Domain)
    assert domain.id.startswith("dom_")
    assert domain.domain == name
    assert domain.organization_id == org.id
    assert domain.verification_status == domains_pb2.PENDING
    assert domain.domain_type == domains_pb2.ORGANIZATION_DOMAIN
    assert client.domain.get_domain(org.id, domain.id) == domain
    other = client.domain.create_domain(
        None,
        f"{unique('d')}.example.com",
        organization_external_id=ext,
        domain_type=domains_pb2.ALLOWED_EMAIL_DOMAIN,
    )
    assert other.organization_id == org.id
    assert other.domain_type == domains_pb2.ALLOWED_EMAIL_DOMAIN
    assert client.domain.get_domain(None, other.id, organization_external_id=ext).id == other.id

    listed = client.domain.list_domains(org.id)
    assert isinstance(listed, domains_pb2.ListDomainResponse)
    assert [d.id for d in listed.domains] == [domain.id, other.id]
    second = client.domain.list_domains(org.id, page_size=1, page_number=2)
    assert (second.page_number, [d.id for d in second.domains]) == (2, [other.id])
    typed = client.domain.list_domains(
        organization_external_id=ext, domain_type=domains_pb2.ALLOWED_EMAIL_DOMAIN
    )
    assert [d.id for d in typed.domains] == [other.id]

    touched = client.domain.update_domain(org.id, domain.id)
    assert isinstance(touched, domains_pb2.Domain)
    assert touched.id == domain.id
    assert touched.update_time.ToNanoseconds() >= domain.update_time.ToNanoseconds()
    verified = client.domain.verify_domain(org.id, domain.id)
    assert isinstance(verified, domains_pb2.VerifyDomainResponse)
    assert verified.verified is True
    assert client.domain.get_domain(org.id, domain.id).verification_status == domains_pb2.VERIFIED

    returns_none(lambda: client.domain.delete_domain(org.id, domain.id))
    api_error(
        NotFoundError,
        lambda: client.domain.get_domain(org.id, domain.id),
        grpc_code="NOT_FOUND",
        error_code="NOT_FOUND",
    )
    with pytest.raises(TypeError):
        client.domain.get_domain(org.id, other.id, organization_external_id=ext)


def test_domain_errors(client: ScalekitClient) -> None:
    org, stranger = new_org(client), new_org(client)
    name = f"{unique('d')}.example.com"
    domain = client.domain.create_domain(org.id, name)
    api_error(
        ConflictError,
        lambda: client.domain.create_domain(stranger.id, name),
        grpc_code="ALREADY_EXISTS",
        error_code="ALREADY_EXISTS",
    )
    err = api_error(
        BadRequestError, lambda: client.domain.create_domain(org.id, "a.b"), grpc_code="INVALID_ARGUMENT"
    )
    assert violated_fields(err) == {"domain.domain"}
    for call in (  # another organization's domain is not found through this one
        lambda: client.domain.get_domain(stranger.id, domain.id),
        lambda: client.domain.update_domain(stranger.id, domain.id),
        lambda: client.domain.verify_domain(stranger.id, domain.id),
        lambda: client.domain.delete_domain(stranger.id, domain.id),
        lambda: client.domain.list_domains(MISSING_ORG),
    ):
        api_error(NotFoundError, call, grpc_code="NOT_FOUND", error_code="NOT_FOUND")
