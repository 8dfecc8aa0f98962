"""RPC handles of ``scalekit.v1.providers.ProviderService``."""

from __future__ import annotations

from scalekit_api.v1.providers import providers_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.providers.ProviderService"

CREATE_PROVIDER = rpc(_SERVICE, "CreateProvider", pb.CreateProviderRequest, pb.CreateProviderResponse)
CREATE_CUSTOM_PROVIDER = rpc(
    _SERVICE, "CreateCustomProvider", pb.CreateCustomProviderRequest, pb.CreateProviderResponse
)
UPDATE_PROVIDER = rpc(_SERVICE, "UpdateProvider", pb.UpdateProviderRequest, pb.UpdateProviderResponse)
UPDATE_CUSTOM_PROVIDER = rpc(
    _SERVICE, "UpdateCustomProvider", pb.UpdateCustomProviderRequest, pb.UpdateProviderResponse
)
DELETE_PROVIDER = rpc(_SERVICE, "DeleteProvider", pb.DeleteProviderRequest, pb.DeleteProviderResponse)
DELETE_CUSTOM_PROVIDER = rpc(
    _SERVICE, "DeleteCustomProvider", pb.DeleteProviderRequest, pb.DeleteProviderResponse
)
LIST_PROVIDERS = rpc(_SERVICE, "ListProviders", pb.ListProvidersRequest, pb.ListProvidersResponse)
