"""DomainService: names that are not domain names are INVALID_ARGUMENT (as the real service does)."""

from __future__ import annotations

import uuid

import grpc
import pytest

from scalekit_api.v1.domains import domains_pb2 as pb
from scalekit_api.v1.domains import domains_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_py import errors
from scalekit_py._errmap import from_rpc_error
from scalekit_py.emulator.services.domains import is_domain_name

NOT_DOMAINS = [
    "acme",
    "a..com",
    "-acme.com",
    "acme-.com",
    "https://acme.com",
    "acme.com/x",
    "ac me.com",
    "acme.123",
]


@pytest.mark.parametrize("name", ["", *NOT_DOMAINS])
def test_what_is_not_a_domain_name(name: str) -> None:
    assert not is_domain_name(name)


@pytest.mark.parametrize("name", ["acme.com", "a.b.c.example.co.uk", "x-1.io", "xn--bcher-kva.example"])
def test_domain_names(name: str) -> None:
    assert is_domain_name(name)


@pytest.fixture
def org_id(grpc_channel: grpc.Channel) -> str:
    orgs = organizations_pb2_grpc.OrganizationServiceStub(grpc_channel)
    created = orgs.CreateOrganization(
        organizations_pb2.CreateOrganizationRequest(
            organization=organizations_pb2.CreateOrganization(display_name=f"d-{uuid.uuid4().hex[:8]}")
        )
    )
    return str(created.organization.id)


@pytest.mark.parametrize("name", NOT_DOMAINS)
def test_create_domain_refuses_it(grpc_channel: grpc.Channel, org_id: str, name: str) -> None:
    stub = domains_pb2_grpc.DomainServiceStub(grpc_channel)
    request = pb.CreateDomainRequest(organization_id=org_id, domain=pb.CreateDomain(domain=name))
    with pytest.raises(grpc.RpcError) as info:
        stub.CreateDomain(request)
    err = from_rpc_error(info.value)
    assert isinstance(err, errors.BadRequestError)
    assert [v.field for v in err.field_violations] == ["domain.domain"]
    listed = stub.ListDomains(pb.ListDomainRequest(organization_id=org_id))
    assert list(listed.domains) == []  # nothing written


def test_create_domain_accepts_a_domain(grpc_channel: grpc.Channel, org_id: str) -> None:
    stub = domains_pb2_grpc.DomainServiceStub(grpc_channel)
    name = f"{uuid.uuid4().hex[:8]}.example.com"
    request = pb.CreateDomainRequest(organization_id=org_id, domain=pb.CreateDomain(domain=name))
    assert stub.CreateDomain(request).domain.domain == name
