"""RPC handles of ``scalekit.v1.domains.DomainService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.domains import domains_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.domains.DomainService"

CREATE_DOMAIN = rpc(_SERVICE, "CreateDomain", pb.CreateDomainRequest, pb.CreateDomainResponse)
UPDATE_DOMAIN = rpc(_SERVICE, "UpdateDomain", pb.UpdateDomainRequest, pb.UpdateDomainResponse)
VERIFY_DOMAIN = rpc(_SERVICE, "VerifyDomain", pb.VerifyDomainRequest, pb.VerifyDomainResponse)
GET_DOMAIN = rpc(_SERVICE, "GetDomain", pb.GetDomainRequest, pb.GetDomainResponse)
DELETE_DOMAIN = rpc(_SERVICE, "DeleteDomain", pb.DeleteDomainRequest, empty_pb2.Empty)
LIST_DOMAINS = rpc(_SERVICE, "ListDomains", pb.ListDomainRequest, pb.ListDomainResponse)
