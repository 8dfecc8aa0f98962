"""The official SDKs create an organization (M2M) client on the emulator and use its credentials.

Each SDK creates the client with the admin credentials, gets a token with the client's credentials at
``/oauth/token``, validates it (organization, scopes, audience, custom claim) and sees it refused for
a scope or audience it lacks; the client's own credentials are refused by the admin API; a removed
secret and a deleted client stop working at the token endpoint.
"""

from __future__ import annotations

import pathlib
import shutil

from scalekit_api.v1.clients import clients_pb2
from scalekit_py.emulator import Emulator
from scalekit_py.emulator.m2m import CLIENT
from tests.interop.test_official_sdks import CLIENTS, OFFICIAL_PY, _run


def _assert_m2m(result: dict[str, object], emu: Emulator) -> None:
    assert emu.seeded is not None
    assert str(result["client_id"]).startswith("m2morg_")
    assert result["secret_shown"] is True
    assert result["secret_hidden_later"] is True
    assert result["oid"] == emu.seeded.organization_id
    assert result["scopes"] == ["deploy:apps"]
    assert result["team"] == "ops"
    # Both SDKs map PERMISSION_DENIED and the token endpoint's 401 to their own exception classes.
    assert result["admin_call_refused"] == "ScalekitForbiddenException"
    assert result["removed_secret_refused"] == "ScalekitUnauthorizedException"
    assert result["new_secret_works"] is True
    assert result["listed"] is True
    assert result["deleted_client_refused"] == "ScalekitUnauthorizedException"
    assert emu.counters.rpcs("GetOrganization", "PERMISSION_DENIED") >= 1
    assert emu.counters.token_requests("client_credentials", 401) >= 2
    with emu.state.store.transaction() as tx:
        assert tx.get(CLIENT, str(result["client_id"]), clients_pb2.M2MClient) is None


def test_official_node_sdk_org_client() -> None:
    node = shutil.which("node")
    assert node is not None, "node is required for the interop tests"
    assert (CLIENTS / "node_modules" / "@scalekit-sdk" / "node").is_dir(), "run `make setup` first"
    with Emulator() as emu:
        assert emu.seeded is not None
        result = _run(
            [node, str(CLIENTS / "official_node_m2m.js")], emu, {"INTEROP_ORG_ID": emu.seeded.organization_id}
        )
        _assert_m2m(result, emu)
        assert result["wrong_scope_refused"] == "ScalekitValidateTokenFailureException"
        assert result["wrong_audience_refused"] == "ScalekitValidateTokenFailureException"


def test_official_python_sdk_org_client(tmp_path: pathlib.Path) -> None:
    assert OFFICIAL_PY.exists(), "run `make setup` first (creates .interop/venv with scalekit-sdk-python)"
    with Emulator(tls_dir=str(tmp_path)) as emu:
        assert emu.seeded is not None
        ca = str(emu.ca_file)
        env = {
            "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": ca,
            "REQUESTS_CA_BUNDLE": ca,
            "SSL_CERT_FILE": ca,
            "INTEROP_ORG_ID": emu.seeded.organization_id,
        }
        result = _run([str(OFFICIAL_PY), str(CLIENTS / "official_python_m2m.py")], emu, env)
        _assert_m2m(result, emu)
        assert result["lifetime"] == 900
        assert result["wrong_scope_valid"] is False
        assert result["wrong_audience_valid"] is False
