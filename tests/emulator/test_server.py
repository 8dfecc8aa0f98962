"""The emulator's server: one port for gRPC and HTTP, bearer-token auth on every RPC, start/stop."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import grpc
import grpc.aio
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.store import new_id
from tests.emulator._helpers import error_info

LIST_DOMAINS = "/scalekit.v1.domains.DomainService/ListDomains"


def _make_org(emu: Emulator) -> str:
    org = organizations_pb2.Organization(id=new_id("org"), display_name="Server Test Org")
    with emu.state.store.transaction() as tx:
        tx.insert("organization", org.id, org)
    return org.id


def _call_with(emu: Emulator, metadata: Sequence[tuple[str, str]]) -> grpc.RpcError:
    with grpc.insecure_channel(emu.grpc_target) as channel:
        stub = domains_pb2_grpc.DomainServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListDomains(domains_pb2.ListDomainRequest(organization_id="org_1"), metadata=tuple(metadata))
    return caught.value


def _assert_unauthenticated(error: grpc.RpcError) -> None:
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    info = error_info(error)
    assert info.error_code == "UNAUTHENTICATED"


def test_rpc_with_a_token_reaches_the_handler(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    org_id = _make_org(emulator)
    stub = domains_pb2_grpc.DomainServiceStub(grpc_channel)
    created = stub.CreateDomain(
        domains_pb2.CreateDomainRequest(
            organization_id=org_id, domain=domains_pb2.CreateDomain(domain="Server-Test.example.com")
        )
    )
    assert created.domain.domain == "server-test.example.com"
    assert created.domain.organization_id == org_id
    listed = stub.ListDomains(domains_pb2.ListDomainRequest(organization_id=org_id))
    assert [d.id for d in listed.domains] == [created.domain.id]


async def test_rpc_over_grpc_aio(emulator: Emulator, aio_grpc_channel: grpc.aio.Channel) -> None:
    org_id = _make_org(emulator)
    stub = domains_pb2_grpc.DomainServiceStub(aio_grpc_channel)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.GetDomain(domains_pb2.GetDomainRequest(organization_id=org_id, id="dom_404"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_info(caught.value).error_code == "NOT_FOUND"


def test_no_token_is_unauthenticated(emulator: Emulator) -> None:
    _assert_unauthenticated(_call_with(emulator, []))


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "bearer a.b.c"])
def test_malformed_authorization_is_unauthenticated(emulator: Emulator, header: str) -> None:
    _assert_unauthenticated(_call_with(emulator, [("authorization", header)]))


def test_expired_token_is_unauthenticated(emulator: Emulator) -> None:
    token = emulator.access_token(ttl=-5)
    error = _call_with(emulator, [("authorization", f"Bearer {token}")])
    _assert_unauthenticated(error)
    assert "expired" in (error.details() or "")


def test_token_signed_by_another_key_is_unauthenticated(emulator: Emulator) -> None:
    good = emulator.access_token()
    claims = jwt.decode(good, options={"verify_signature": False})
    kid = jwt.get_unverified_header(good)["kid"]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": kid})
    _assert_unauthenticated(_call_with(emulator, [("authorization", f"Bearer {forged}")]))


def test_token_with_an_unknown_kid_is_unauthenticated(emulator: Emulator) -> None:
    claims = jwt.decode(emulator.access_token(), options={"verify_signature": False})
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "snk_unknown"})
    _assert_unauthenticated(_call_with(emulator, [("authorization", f"Bearer {forged}")]))


def test_token_for_another_issuer_or_audience_is_unauthenticated(emulator: Emulator) -> None:
    claims = jwt.decode(emulator.access_token(), options={"verify_signature": False})
    keys = emulator.runtime.keys
    wrong_iss = keys.sign({**claims, "iss": "https://elsewhere.example.com"})
    wrong_aud = keys.sign({**claims, "aud": ["skc_someone_else"]})
    for token in (wrong_iss, wrong_aud):
        _assert_unauthenticated(_call_with(emulator, [("authorization", f"Bearer {token}")]))


def test_a_users_token_is_not_an_admin_token(emulator: Emulator) -> None:
    token, _ = emulator.runtime.tokens.issue_access_token(client_id=emulator.client_id, sub="usr_123")
    error = _call_with(emulator, [("authorization", f"Bearer {token}")])
    _assert_unauthenticated(error)
    assert "client-credentials" in (error.details() or "")


def test_rpcs_are_counted_by_method_and_code(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    before_ok = emulator.counters.rpcs(LIST_DOMAINS, "OK")
    before_unauth = emulator.counters.rpcs("ListDomains", "UNAUTHENTICATED")
    org_id = _make_org(emulator)
    domains_pb2_grpc.DomainServiceStub(grpc_channel).ListDomains(
        domains_pb2.ListDomainRequest(organization_id=org_id)
    )
    _call_with(emulator, [])
    assert emulator.counters.rpcs(LIST_DOMAINS, "OK") == before_ok + 1
    assert emulator.counters.rpcs("ListDomains", "UNAUTHENTICATED") == before_unauth + 1
    snapshot = emulator.counters.snapshot()["rpcs"][LIST_DOMAINS]
    assert snapshot["OK"] == before_ok + 1


def test_http_and_grpc_share_one_port(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    port = int(emulator.env_url.rsplit(":", 1)[1])
    assert emulator.grpc_target.endswith(f":{port}")
    jwks = httpx.get(f"{emulator.env_url}/keys").json()
    token_kid = jwt.get_unverified_header(emulator.access_token())["kid"]
    assert token_kid in [k["kid"] for k in jwks["keys"]]
    assert httpx.get(f"{emulator.env_url}/_emulator/health").json() == {"status": "ok"}
    org_id = _make_org(emulator)
    reply = domains_pb2_grpc.DomainServiceStub(grpc_channel).ListDomains(
        domains_pb2.ListDomainRequest(organization_id=org_id)
    )
    assert list(reply.domains) == []


def test_unknown_paths(emulator: Emulator, grpc_channel: grpc.Channel) -> None:
    assert httpx.get(f"{emulator.env_url}/no/such/page").status_code == 404
    call = grpc_channel.unary_unary(
        "/scalekit.v1.nothing.NoService/Nothing",
        request_serializer=lambda _: b"",
        response_deserializer=lambda b: b,
    )
    with pytest.raises(grpc.RpcError) as caught:
        call(b"")
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    missing_method = grpc_channel.unary_unary(
        "/scalekit.v1.domains.DomainService/NoSuchMethod",
        request_serializer=lambda _: b"",
        response_deserializer=lambda b: b,
    )
    with pytest.raises(grpc.RpcError) as caught:
        missing_method(b"")
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_refused_calls_do_not_break_the_connection(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """RPCs refused before their body is read share a connection with good ones; all get answers."""
    org_id = _make_org(emulator)
    good = (("authorization", f"Bearer {emulator.access_token()}"),)
    caplog.set_level(logging.ERROR)
    codes = []
    with grpc.insecure_channel(emulator.grpc_target) as channel:
        stub = domains_pb2_grpc.DomainServiceStub(channel)
        request = domains_pb2.ListDomainRequest(organization_id=org_id)
        for i in range(12):
            try:
                stub.ListDomains(request, metadata=good if i % 2 else ())
                codes.append(grpc.StatusCode.OK)
            except grpc.RpcError as exc:
                codes.append(exc.code())
    assert codes == [grpc.StatusCode.OK if i % 2 else grpc.StatusCode.UNAUTHENTICATED for i in range(12)]
    assert not [r for r in caplog.records if r.name in ("asyncio", "scalekit_py.emulator.server")]


def test_start_stop_repeatedly_keeps_in_memory_data(tmp_path: Path) -> None:
    emu = Emulator(seed=False)
    try:
        org_id = ""
        for _ in range(3):
            emu.start()
            assert emu.running
            assert repr(emu).endswith("running)")
            if not org_id:
                org_id = _make_org(emu)
            with grpc.insecure_channel(emu.grpc_target) as channel:
                reply = domains_pb2_grpc.DomainServiceStub(channel).ListDomains(
                    domains_pb2.ListDomainRequest(organization_id=org_id),
                    metadata=(("authorization", f"Bearer {emu.access_token()}"),),
                )
            assert reply.domains == []
            emu.stop()
            assert not emu.running
        emu.stop()  # stopping twice is harmless
    finally:
        emu.close()


def test_db_file_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    with Emulator(db=db, seed=False) as first:
        org_id = _make_org(first)
        kid = jwt.get_unverified_header(first.access_token())["kid"]
    with Emulator(db=db, seed=False) as second:
        with second.state.store.transaction() as tx:
            assert tx.get("organization", org_id, organizations_pb2.Organization) is not None
        assert jwt.get_unverified_header(second.access_token())["kid"] == kid


def test_repr_never_shows_the_secret() -> None:
    emu = Emulator(client_id="skc_42", client_secret="test_super_secret_value")
    assert "test_super_secret_value" not in repr(emu)
    assert emu.client_secret == "test_super_secret_value"
    generated = Emulator()
    assert generated.client_secret != Emulator().client_secret
    assert generated.client_secret not in repr(generated)


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, scalekit_py.emulator; "
        "print(sorted(m for m in ('hypercorn', 'starlette', 'connectrpc', 'jwt') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_start_on_a_taken_port_fails_cleanly(emulator: Emulator) -> None:
    port = int(emulator.env_url.rsplit(":", 1)[1])
    clash = Emulator(port=port, seed=False)
    try:
        with pytest.raises(OSError, match="in use"):
            clash.start()
        assert not clash.running
    finally:
        clash.close()
    assert httpx.get(f"{emulator.env_url}/_emulator/health").status_code == 200


def test_a_remembered_token_is_still_checked() -> None:
    """Verification is cached per token, but expiry and revocation are checked on every call."""
    with Emulator(seed=False, token_ttl=60) as emu:
        now = [emu.state.clock()]
        emu.state.clock = lambda: now[0]
        org_id = _make_org(emu)
        tokens = [emu.access_token(), emu.access_token()]
        with grpc.insecure_channel(emu.grpc_target) as channel:
            stub = domains_pb2_grpc.DomainServiceStub(channel)

            def call(token: str) -> grpc.StatusCode:
                try:
                    stub.ListDomains(
                        domains_pb2.ListDomainRequest(organization_id=org_id),
                        metadata=(("authorization", f"Bearer {token}"),),
                    )
                except grpc.RpcError as exc:
                    return exc.code()
                return grpc.StatusCode.OK

            assert [call(t) for t in tokens] == [grpc.StatusCode.OK] * 2
            emu.runtime.tokens.revoke(jwt.decode(tokens[0], options={"verify_signature": False}))
            assert call(tokens[0]) == grpc.StatusCode.UNAUTHENTICATED
            assert call(tokens[1]) == grpc.StatusCode.OK
            now[0] += 61
            assert call(tokens[1]) == grpc.StatusCode.UNAUTHENTICATED
