"""RPC handles of ``scalekit.v1.organizations.OrganizationService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.organizations import organizations_pb2 as pb
from scalekit_py._transport.rpc import Reconcile
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.organizations.OrganizationService"

UPDATE_ORGANIZATION = rpc(
    _SERVICE, "UpdateOrganization", pb.UpdateOrganizationRequest, pb.UpdateOrganizationResponse
)
GET_ORGANIZATION = rpc(_SERVICE, "GetOrganization", pb.GetOrganizationRequest, pb.GetOrganizationResponse)
GET_ORGANIZATION_BY_EXTERNAL_ID = rpc(
    _SERVICE, "GetOrganizationByExternalId", pb.GetOrganizationRequest, pb.GetOrganizationResponse
)


def _by_external_id(request: pb.CreateOrganizationRequest) -> pb.GetOrganizationRequest | None:
    external_id = request.organization.external_id
    return pb.GetOrganizationRequest(external_id=external_id) if external_id else None


def _created(
    request: pb.CreateOrganizationRequest, found: pb.GetOrganizationResponse
) -> pb.CreateOrganizationResponse:
    return pb.CreateOrganizationResponse(organization=found.organization)


# A retried create with an external id looks the organization up first (see Reconcile).
CREATE_ORGANIZATION = rpc(
    _SERVICE,
    "CreateOrganization",
    pb.CreateOrganizationRequest,
    pb.CreateOrganizationResponse,
    reconcile=Reconcile(GET_ORGANIZATION_BY_EXTERNAL_ID, _by_external_id, _created),
)
LIST_ORGANIZATION = rpc(
    _SERVICE, "ListOrganization", pb.ListOrganizationsRequest, pb.ListOrganizationsResponse
)
SEARCH_ORGANIZATION = rpc(
    _SERVICE, "SearchOrganization", pb.SearchOrganizationsRequest, pb.SearchOrganizationsResponse
)
DELETE_ORGANIZATION = rpc(_SERVICE, "DeleteOrganization", pb.DeleteOrganizationRequest, empty_pb2.Empty)
GENERATE_PORTAL_LINK = rpc(
    _SERVICE, "GeneratePortalLink", pb.GeneratePortalLinkRequest, pb.GeneratePortalLinkResponse
)
DELETE_PORTAL_LINK_BY_ID = rpc(
    _SERVICE, "DeletePortalLinkByID", pb.DeletePortalLinkByIdRequest, empty_pb2.Empty
)
UPDATE_ORGANIZATION_SETTINGS = rpc(
    _SERVICE, "UpdateOrganizationSettings", pb.UpdateOrganizationSettingsRequest, pb.GetOrganizationResponse
)
UPDATE_ORGANIZATION_SESSION_POLICY = rpc(
    _SERVICE,
    "UpdateOrganizationSessionPolicy",
    pb.UpdateOrganizationSessionPolicyRequest,
    pb.UpdateOrganizationSessionPolicyResponse,
)
GET_ORGANIZATION_SESSION_POLICY = rpc(
    _SERVICE,
    "GetOrganizationSessionPolicy",
    pb.GetOrganizationSessionPolicyRequest,
    pb.GetOrganizationSessionPolicyResponse,
)
GET_ORGANIZATION_BRANDING = rpc(
    _SERVICE, "GetOrganizationBranding", pb.GetOrganizationBrandingRequest, pb.GetOrganizationBrandingResponse
)
UPDATE_ORGANIZATION_BRANDING = rpc(
    _SERVICE,
    "UpdateOrganizationBranding",
    pb.UpdateOrganizationBrandingRequest,
    pb.UpdateOrganizationBrandingResponse,
)
UPSERT_USER_MANAGEMENT_SETTINGS = rpc(
    _SERVICE,
    "UpsertUserManagementSettings",
    pb.UpsertUserManagementSettingsRequest,
    pb.UpsertUserManagementSettingsResponse,
)
GET_ORGANIZATION_USER_MANAGEMENT_SETTING = rpc(
    _SERVICE,
    "GetOrganizationUserManagementSetting",
    pb.GetOrganizationUserManagementSettingsRequest,
    pb.GetOrganizationUserManagementSettingsResponse,
)
GET_APPLICATION_SESSION_POLICY = rpc(
    _SERVICE,
    "GetApplicationSessionPolicy",
    pb.GetApplicationSessionPolicyRequest,
    pb.GetApplicationSessionPolicyResponse,
)
