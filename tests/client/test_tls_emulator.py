"""Both clients against a TLS emulator: trusted with ca_file, a clear typed error when not trusted."""

from __future__ import annotations

import asyncio
import pathlib
import ssl

import pytest

from scalekit_py import APIConnectionError, AsyncScalekitClient, RetryPolicy, ScalekitClient
from scalekit_py.emulator import Emulator


def test_tls_with_a_private_ca(tmp_path: pathlib.Path) -> None:
    with Emulator(tls_dir=str(tmp_path)) as emu:
        assert emu.env_url.startswith("https://localhost:")
        assert emu.seeded is not None
        org_id = emu.seeded.organization_id
        ca = str(emu.ca_file)
        with ScalekitClient(emu.env_url, emu.client_id, emu.client_secret, ca_file=ca) as client:
            assert client.organization.get_organization(org_id).display_name == "Acme Inc"
            assert client.discover().issuer == emu.env_url

        async def run() -> str:
            async with AsyncScalekitClient(
                emu.env_url, emu.client_id, emu.client_secret, ca_file=ca
            ) as aclient:
                return (await aclient.organization.get_organization(org_id)).display_name

        assert asyncio.run(run()) == "Acme Inc"


def test_untrusted_certificate_is_a_clear_connection_error(tmp_path: pathlib.Path) -> None:
    with Emulator(tls_dir=str(tmp_path)) as emu:
        assert emu.seeded is not None
        with (
            ScalekitClient(
                emu.env_url, emu.client_id, emu.client_secret, retry=RetryPolicy(max_attempts=1)
            ) as client,
            pytest.raises(APIConnectionError, match="certificate is not trusted") as info,
        ):
            client.organization.get_organization(emu.seeded.organization_id)
        assert info.value.__cause__ is not None
        assert emu.client_secret not in str(info.value)


def test_hostname_mismatch_says_so_not_untrusted(tmp_path: pathlib.Path) -> None:
    import httpx

    from scalekit_py._errmap import from_http_transport_error

    with Emulator(tls_dir=str(tmp_path)) as emu:
        trusted = ssl.create_default_context(cafile=str(emu.ca_file))
        with httpx.Client(verify=trusted) as http:
            # The CA is trusted; only the name is wrong (sent as SNI and checked against the SAN).
            with pytest.raises(httpx.ConnectError) as raised:
                http.get(f"{emu.env_url}/keys", extensions={"sni_hostname": "wrong-name.test"})
            assert http.get(f"{emu.env_url}/keys").status_code == 200  # the right name works
    mapped = from_http_transport_error(raised.value)
    assert isinstance(mapped, APIConnectionError)
    assert "not issued for this host name" in str(mapped)
    assert "not trusted" not in str(mapped)
