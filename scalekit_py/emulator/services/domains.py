"""DomainService: organization domains, with DNS-style verification simulated by ``VerifyDomain``."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from google.protobuf.empty_pb2 import Empty

from scalekit_api.v1.domains import domains_connect
from scalekit_api.v1.domains import domains_pb2 as pb
from scalekit_py.emulator import _status
from scalekit_py.emulator.services._base import Events, Service, handler, new_id, org_id_for
from scalekit_py.emulator.state import EmulatorState
from scalekit_py.emulator.store import Match, Tx

KIND = "domain"
# Labels of letters, digits, ``_`` and inner hyphens, at least two of them, a letter in the last one.
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:(?!-)[a-z0-9_-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]*[a-z][a-z0-9-]*(?<!-)$")


def is_domain_name(name: str) -> bool:
    """``acme.com`` yes; ``acme``, ``a..com``, ``-a.com``, ``https://a.com``, ``a.com/x``, ``a b.com`` no."""
    return bool(_DOMAIN.match(name)) and all(len(label) <= 63 for label in name.split("."))


class DomainService(Service, domains_connect.DomainService):
    """RPCs without a handler below fall back to the generated protocol (the router answers them)."""

    def _get(self, tx: Tx, org_id: str, domain_id: str) -> pb.Domain:
        domain = tx.get(KIND, domain_id, pb.Domain)
        if domain is None or domain.organization_id != org_id:
            raise _status.not_found("domain", domain_id)
        return domain

    @handler
    async def create_domain(
        self, request: pb.CreateDomainRequest, ctx: Any, events: Events
    ) -> pb.CreateDomainResponse:
        name = request.domain.domain.lower()
        if not is_domain_name(name):
            raise _status.invalid_argument(
                [("domain.domain", f"{request.domain.domain!r} is not a domain name", "domain.hostname")]
            )
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id, request.external_id)
            now = self.now()
            domain = pb.Domain(
                id=new_id("dom"),
                domain=name,
                environment_id=self.state.environment_id,
                organization_id=org_id,
                txt_record_key=f"_scalekit-verification.{name}",
                txt_record_secret=f"scalekit-verification={secrets.token_hex(16)}",
                verification_status=pb.PENDING,
                domain_type=request.domain.domain_type or pb.ORGANIZATION_DOMAIN,
                verification_method=pb.DNS,
                create_time=now,
                update_time=now,
            )
            tx.insert(KIND, domain.id, domain, parent=org_id, unique={"domain": name})
        events.append(("organization.domain_created", {"organization_id": org_id, "domain_id": domain.id}))
        return pb.CreateDomainResponse(domain=domain)

    @handler
    async def update_domain(
        self, request: pb.UpdateDomainRequest, ctx: Any, events: Events
    ) -> pb.UpdateDomainResponse:
        # UpdateDomain carries no updatable fields in the public API; it touches update_time.
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id, request.external_id)
            domain = self._get(tx, org_id, request.id)
            domain.update_time.CopyFrom(self.now())
            tx.update(KIND, domain.id, domain)
        return pb.UpdateDomainResponse(domain=domain)

    @handler
    async def verify_domain(
        self, request: pb.VerifyDomainRequest, ctx: Any, events: Events
    ) -> pb.VerifyDomainResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id, request.external_id)
            domain = self._get(tx, org_id, request.id)
            if domain.verification_status not in (pb.VERIFIED, pb.AUTO_VERIFIED):
                domain.verification_status = pb.VERIFIED
                domain.update_time.CopyFrom(self.now())
                tx.update(KIND, domain.id, domain)
                events.append(
                    ("organization.domain_verified", {"organization_id": org_id, "domain_id": domain.id})
                )
        return pb.VerifyDomainResponse(verified=True)

    @handler
    async def get_domain(
        self, request: pb.GetDomainRequest, ctx: Any, events: Events
    ) -> pb.GetDomainResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id, request.external_id)
            return pb.GetDomainResponse(domain=self._get(tx, org_id, request.id))

    @handler
    async def delete_domain(self, request: pb.DeleteDomainRequest, ctx: Any, events: Events) -> Empty:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id, request.external_id)
            domain = self._get(tx, org_id, request.id)
            tx.delete(KIND, domain.id)
        events.append(("organization.domain_deleted", {"organization_id": org_id, "domain_id": domain.id}))
        return Empty()

    @handler
    async def list_domains(
        self, request: pb.ListDomainRequest, ctx: Any, events: Events
    ) -> pb.ListDomainResponse:
        with self.state.store.transaction() as tx:
            org_id = org_id_for(tx, request.organization_id, request.external_id)
            size = request.page_size.value if request.HasField("page_size") else 0
            number = request.page_number.value if request.HasField("page_number") else 1
            of_type = Match(f"org:{org_id}/type:{request.domain_type}") if request.domain_type else None
            page = tx.page_numbered(
                KIND, pb.Domain, page_size=size, page_number=number, parent=None if of_type else org_id,
                match=of_type,
            )  # fmt: skip
        return pb.ListDomainResponse(page_size=len(page), page_number=max(number, 1), domains=page)


def create_app(state: EmulatorState, interceptors: Sequence[Any] = ()) -> Any:
    return domains_connect.DomainServiceASGIApplication(DomainService(state), interceptors=interceptors)
