"""TLS: a private CA and server certificate, gRPC (h2 via ALPN) and HTTPS on the same port."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import grpc
import httpx
import pytest
from cryptography import x509

from scalekit_api.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.tls import make_certificates


def test_certificates_name_localhost_and_are_reused(tmp_path: Path) -> None:
    ca, cert, key = make_certificates(tmp_path)
    server = x509.load_pem_x509_certificate(cert.read_bytes())
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    authority = x509.load_pem_x509_certificate(ca.read_bytes())
    server.verify_directly_issued_by(authority)
    assert key.stat().st_mode & 0o077 == 0  # the private key is private
    assert make_certificates(tmp_path) == (ca, cert, key)
    assert x509.load_pem_x509_certificate(ca.read_bytes()) == authority  # kept, so clients keep trusting it


def test_grpc_and_https_over_tls(tmp_path: Path) -> None:
    with Emulator(tls_dir=tmp_path) as emu:
        assert emu.env_url.startswith("https://localhost:")
        assert emu.ca_file == tmp_path / "ca.pem"
        assert emu.seeded is not None
        ca = emu.ca_file.read_bytes()
        credentials = grpc.ssl_channel_credentials(root_certificates=ca)
        with grpc.secure_channel(emu.grpc_target, credentials) as channel:
            reply = domains_pb2_grpc.DomainServiceStub(channel).ListDomains(
                domains_pb2.ListDomainRequest(organization_id=emu.seeded.organization_id),
                metadata=(("authorization", f"Bearer {emu.access_token()}"),),
                timeout=10,
            )
        assert [d.domain for d in reply.domains] == ["acme.example.com"]
        with httpx.Client(
            base_url=emu.env_url, verify=ssl.create_default_context(cafile=emu.ca_file)
        ) as http:
            token = http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(emu.client_id, emu.client_secret),
            )
            assert token.status_code == 200
            assert token.json()["access_token"].count(".") == 2
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{emu.env_url}/keys")  # not trusted without the CA


def test_tls_restarts_cleanly_with_a_connected_client(tmp_path: Path) -> None:
    emu = Emulator(tls_dir=tmp_path, seed=False)
    try:
        for _ in range(3):
            emu.start()
            assert emu.ca_file is not None
            credentials = grpc.ssl_channel_credentials(root_certificates=emu.ca_file.read_bytes())
            channel = grpc.secure_channel(emu.grpc_target, credentials)
            with pytest.raises(grpc.RpcError) as caught:
                domains_pb2_grpc.DomainServiceStub(channel).ListDomains(
                    domains_pb2.ListDomainRequest(organization_id="org_1"), timeout=10
                )
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
            emu.stop()  # with the channel still open
            assert not emu.running
            channel.close()
    finally:
        emu.close()
