"""Env URL rules, TLS material, channel options, and real TLS / plaintext connections."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from scalekit_py import errors
from scalekit_py._client import AsyncScalekitClient, ScalekitClient
from scalekit_py._transport.channel import (
    DEFAULT_KEEPALIVE_TIME_MS,
    ChannelConfig,
    channel_options,
    is_loopback_host,
    load_root_certificates,
    parse_env_url,
)
from tests.transport._servers import (
    CLIENT_ID,
    FAST_RETRY,
    GET_ORG,
    SECRET,
    GrpcServer,
    TokenEndpoint,
    get_req,
    start_grpc_server,
)


@pytest.mark.parametrize(
    ("url", "target", "secure"),
    [
        ("https://acme.scalekit.com", "acme.scalekit.com:443", True),
        ("https://acme.scalekit.com:8443/", "acme.scalekit.com:8443", True),
        ("http://localhost:8080", "localhost:8080", False),
        ("http://127.0.0.1", "127.0.0.1:80", False),
        ("http://127.9.9.9:1", "127.9.9.9:1", False),
        ("http://[::1]:9000", "[::1]:9000", False),
    ],
)
def test_parse_env_url(url: str, target: str, secure: bool) -> None:
    env = parse_env_url(url)
    assert env.target == target
    assert env.secure is secure
    assert not env.url.endswith("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://acme.scalekit.com",  # plaintext to a remote host
        "http://10.0.0.5:8080",
        "http://128.0.0.1",
        "ftp://acme.scalekit.com",
        "acme.scalekit.com",
        "https://user:pw@acme.scalekit.com",
        "https://acme.scalekit.com/?x=1",
        "https://acme.scalekit.com:99999",
    ],
)
def test_parse_env_url_refuses(url: str) -> None:
    with pytest.raises(errors.ConfigurationError):
        parse_env_url(url)


def test_allow_insecure_permits_plaintext_to_any_host() -> None:
    env = parse_env_url("http://emulator.internal:8080", allow_insecure=True)
    assert env.target == "emulator.internal:8080"
    assert not env.secure


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("localhost.example.com", False),
        ("::", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_load_root_certificates(tmp_path: Path) -> None:
    pem = tmp_path / "ca.pem"
    pem.write_bytes(b"PEM")
    assert load_root_certificates(None, str(pem)) == b"PEM"
    assert load_root_certificates(b"X", None) == b"X"
    assert load_root_certificates(None, None) is None
    with pytest.raises(errors.ConfigurationError):
        load_root_certificates(b"X", str(pem))
    with pytest.raises(errors.ConfigurationError):
        load_root_certificates(None, str(tmp_path / "missing.pem"))


def test_channel_options_set_keepalive_and_user_agent() -> None:
    config = ChannelConfig(parse_env_url("https://a.example"), None, DEFAULT_KEEPALIVE_TIME_MS, "ua/1")
    opts = dict(channel_options(config))
    assert opts["grpc.keepalive_time_ms"] == DEFAULT_KEEPALIVE_TIME_MS
    assert int(opts["grpc.keepalive_timeout_ms"]) > 0
    assert opts["grpc.keepalive_permit_without_calls"] == 1
    assert opts["grpc.http2.max_pings_without_data"] == 0
    assert opts["grpc.primary_user_agent"] == "ua/1"
    disabled = dict(channel_options(ChannelConfig(config.env, None, 0, "ua/1")))
    assert "grpc.keepalive_time_ms" not in disabled


def test_keepalive_more_frequent_than_the_service_allows_is_refused() -> None:
    with pytest.raises(errors.ConfigurationError):
        ChannelConfig(parse_env_url("https://a.example"), None, 5_000, "")


# --- real connections -----------------------------------------------------------------------------------


def _self_signed() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def tls_material() -> tuple[bytes, bytes]:
    return _self_signed()


@pytest.fixture
def tls_server(tls_material: tuple[bytes, bytes]) -> Iterator[GrpcServer]:
    key, cert = tls_material
    server = start_grpc_server(grpc.ssl_server_credentials([(key, cert)]))
    try:
        yield server
    finally:
        server.server.stop(None)


def test_https_with_a_given_ca_connects_over_tls(
    tls_server: GrpcServer, tls_material: tuple[bytes, bytes], token_endpoint: TokenEndpoint
) -> None:
    env_url = f"https://127.0.0.1:{tls_server.port}"
    with ScalekitClient(
        env_url,
        CLIENT_ID,
        SECRET,
        root_certificates=tls_material[1],
        token_url=token_endpoint.url,
        user_agent_suffix="my-app/2.0",
    ) as client:
        resp = client.caller.call(GET_ORG, get_req("org_tls"))
    assert resp.organization.id == "org_tls"
    seen = tls_server.service.seen[0]
    ua = str(seen.values("user-agent")[0])
    assert ua.startswith("scalekit-py/")
    assert "my-app/2.0" in ua
    assert seen.values("authorization") == [f"Bearer {token_endpoint.issued[0]}"]


async def test_async_https_with_a_ca_file_connects_over_tls(
    tls_server: GrpcServer, tls_material: tuple[bytes, bytes], token_endpoint: TokenEndpoint, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(tls_material[1])
    env_url = f"https://127.0.0.1:{tls_server.port}"
    async with AsyncScalekitClient(
        env_url, CLIENT_ID, SECRET, ca_file=str(ca_file), token_url=token_endpoint.url
    ) as client:
        resp = await client.caller.call(GET_ORG, get_req("org_tls"))
    assert resp.organization.id == "org_tls"


def test_https_without_trusting_the_ca_fails_with_a_connection_error(
    tls_server: GrpcServer, token_endpoint: TokenEndpoint
) -> None:
    env_url = f"https://127.0.0.1:{tls_server.port}"
    client = ScalekitClient(env_url, CLIENT_ID, SECRET, token_url=token_endpoint.url, retry=FAST_RETRY)
    with client, pytest.raises(errors.ScalekitError) as info:
        client.caller.call(GET_ORG, get_req(), timeout=5)
    assert isinstance(info.value, (errors.APIConnectionError, errors.ServiceUnavailableError))
    assert not isinstance(info.value, grpc.RpcError)
    assert tls_server.service.count() == 0
