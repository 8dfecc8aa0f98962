"""RPC handles of ``scalekit.v1.clients.ClientService``: API resources, their clients and user consents."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.clients.ClientService"

CREATE_RESOURCE = rpc(_SERVICE, "CreateResource", pb.CreateResourceRequest, pb.CreateResourceResponse)
GET_RESOURCE = rpc(_SERVICE, "GetResource", pb.GetResourceRequest, pb.GetResourceResponse)
LIST_RESOURCES = rpc(_SERVICE, "ListResources", pb.ListResourcesRequest, pb.ListResourcesResponse)
UPDATE_RESOURCE = rpc(_SERVICE, "UpdateResource", pb.UpdateResourceRequest, pb.UpdateResourceResponse)
DELETE_RESOURCE = rpc(_SERVICE, "DeleteResource", pb.DeleteResourceRequest, empty_pb2.Empty)
DELETE_RESOURCE_PROVIDER = rpc(
    _SERVICE, "DeleteResourceProvider", pb.DeleteResourceProviderRequest, pb.GetResourceResponse
)
CREATE_RESOURCE_CLIENT = rpc(
    _SERVICE, "CreateResourceClient", pb.CreateResourceClientRequest, pb.CreateResourceClientResponse
)
UPDATE_RESOURCE_CLIENT = rpc(
    _SERVICE, "UpdateResourceClient", pb.UpdateResourceClientRequest, pb.UpdateResourceClientResponse
)
GET_RESOURCE_CLIENT = rpc(
    _SERVICE, "GetResourceClient", pb.GetResourceClientRequest, pb.GetResourceClientResponse
)
LIST_RESOURCE_CLIENTS = rpc(
    _SERVICE, "ListResourceClients", pb.ListResourceClientsRequest, pb.ListResourceClientsResponse
)
LIST_RESOURCE_USER_CONSENTS = rpc(
    _SERVICE,
    "ListResourceUserConsents",
    pb.ListResourceUserConsentsRequest,
    pb.ListResourceUserConsentsResponse,
)
DELETE_RESOURCE_CLIENT = rpc(
    _SERVICE, "DeleteResourceClient", pb.DeleteResourceClientRequest, pb.DeleteResourceClientResponse
)
REVOKE_USER_CONSENT = rpc(
    _SERVICE, "RevokeUserConsent", pb.RevokeUserConsentRequest, pb.RevokeUserConsentResponse
)
ENSURE_RESOURCE_CONNECTION = rpc(
    _SERVICE,
    "EnsureResourceConnection",
    pb.EnsureResourceConnectionRequest,
    pb.EnsureResourceConnectionResponse,
)
