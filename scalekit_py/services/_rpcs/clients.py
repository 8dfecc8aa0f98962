"""RPC handles of ``scalekit.v1.clients.ClientService``: environment clients, secrets, login URIs."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.clients import clients_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.clients.ClientService"

LIST_CLIENTS = rpc(_SERVICE, "ListClient", pb.ListClientsRequest, pb.ListClientsResponse)
CREATE_CLIENT = rpc(_SERVICE, "CreateClient", pb.CreateClientRequest, pb.CreateClientResponse)
GET_CLIENT = rpc(_SERVICE, "GetClient", pb.GetClientRequest, pb.GetClientResponse)
UPDATE_CLIENT = rpc(_SERVICE, "UpdateClient", pb.UpdateClientRequest, pb.UpdateClientResponse)
ADD_ENVIRONMENT_REDIRECT_URI = rpc(
    _SERVICE,
    "AddEnvironmentRedirectUri",
    pb.AddEnvironmentRedirectUriRequest,
    pb.EnvironmentLoginUrisResponse,
)
REMOVE_ENVIRONMENT_REDIRECT_URI = rpc(
    _SERVICE,
    "RemoveEnvironmentRedirectUri",
    pb.RemoveEnvironmentRedirectUriRequest,
    pb.EnvironmentLoginUrisResponse,
)
SET_ENVIRONMENT_INITIATE_LOGIN_URI = rpc(
    _SERVICE,
    "SetEnvironmentInitiateLoginUri",
    pb.SetEnvironmentInitiateLoginUriRequest,
    pb.EnvironmentLoginUrisResponse,
)
DELETE_CLIENT = rpc(_SERVICE, "DeleteClient", pb.DeleteClientRequest, empty_pb2.Empty)
CREATE_CLIENT_SECRET = rpc(
    _SERVICE, "CreateClientSecret", pb.CreateClientSecretRequest, pb.CreateClientSecretResponse
)
UPDATE_CLIENT_SECRET = rpc(
    _SERVICE, "UpdateClientSecret", pb.UpdateClientSecretRequest, pb.UpdateClientSecretResponse
)
DELETE_CLIENT_SECRET = rpc(_SERVICE, "DeleteClientSecret", pb.DeleteClientSecretRequest, empty_pb2.Empty)
