"""RPC handles of ``scalekit.v1.clients.ClientService``: organization (M2M) clients."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.clients.ClientService"

CREATE_ORGANIZATION_CLIENT = rpc(
    _SERVICE,
    "CreateOrganizationClient",
    pb.CreateOrganizationClientRequest,
    pb.CreateOrganizationClientResponse,
)
GET_ORGANIZATION_CLIENT = rpc(
    _SERVICE, "GetOrganizationClient", pb.GetOrganizationClientRequest, pb.GetOrganizationClientResponse
)
CREATE_ORGANIZATION_CLIENT_SECRET = rpc(
    _SERVICE,
    "CreateOrganizationClientSecret",
    pb.CreateOrganizationClientSecretRequest,
    pb.CreateOrganizationClientSecretResponse,
)
DELETE_ORGANIZATION_CLIENT_SECRET = rpc(
    _SERVICE, "DeleteOrganizationClientSecret", pb.DeleteOrganizationClientSecretRequest, empty_pb2.Empty
)
UPDATE_ORGANIZATION_CLIENT = rpc(
    _SERVICE,
    "UpdateOrganizationClient",
    pb.UpdateOrganizationClientRequest,
    pb.UpdateOrganizationClientResponse,
)
DELETE_ORGANIZATION_CLIENT = rpc(
    _SERVICE, "DeleteOrganizationClient", pb.DeleteOrganizationClientRequest, empty_pb2.Empty
)
LIST_ORGANIZATION_CLIENTS = rpc(
    _SERVICE, "ListOrganizationClients", pb.ListOrganizationClientsRequest, pb.ListOrganizationClientsResponse
)
