"""Out-of-range values are INVALID_ARGUMENT with a field violation, never UNKNOWN: timestamps with nanos
outside 0..999,999,999 or seconds past year 9999, and enum numbers without a name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from scalekit_api.v1.directories import directories_pb2, directories_pb2_grpc
from scalekit_api.v1.organizations import organizations_pb2, organizations_pb2_grpc
from scalekit_api.v1.sessions import sessions_pb2, sessions_pb2_grpc
from scalekit_py.emulator import Emulator
from tests.emulator.conftest import _BearerInterceptor

BAD_TIMES = [
    Timestamp(seconds=1_700_000_000, nanos=-1),
    Timestamp(seconds=1_700_000_000, nanos=1_000_000_000),
    Timestamp(seconds=253_402_300_800),  # 10000-01-01
    Timestamp(seconds=-62_135_596_801),  # before year 1
]


@pytest.fixture(scope="module")
def channel() -> Iterator[tuple[Emulator, grpc.Channel]]:
    with Emulator() as emu:
        ch = grpc.intercept_channel(
            grpc.insecure_channel(emu.grpc_target), _BearerInterceptor(emu.access_token())
        )
        yield emu, ch
        ch.close()


def _invalid(call: Any, request: Message) -> str:
    with pytest.raises(grpc.RpcError) as info:
        call(request, timeout=10)
    error = info.value
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, error.details()
    return str(error.details())


@pytest.mark.parametrize("bad", BAD_TIMES, ids=str)
def test_bad_timestamps_are_invalid_argument(channel: tuple[Emulator, grpc.Channel], bad: Timestamp) -> None:
    emu, ch = channel
    assert emu.seeded is not None
    org = emu.seeded.organization_id
    directories = directories_pb2_grpc.DirectoryServiceStub(ch)
    _invalid(
        directories.ListDirectoryUsers,
        directories_pb2.ListDirectoryUsersRequest(
            organization_id=org, directory_id="dir_1", updated_after=bad
        ),
    )
    _invalid(
        directories.ListDirectoryGroups,
        directories_pb2.ListDirectoryGroupsRequest(
            organization_id=org, directory_id="dir_1", updated_after=bad
        ),
    )
    sessions = sessions_pb2_grpc.SessionServiceStub(ch)
    for field in ("start_time", "end_time"):
        filt = sessions_pb2.UserSessionFilter()
        getattr(filt, field).CopyFrom(bad)
        request = sessions_pb2.UserSessionDetailsRequest(user_id=emu.seeded.member_user_id, filter=filt)
        _invalid(sessions.GetUserSessions, request)


def test_unnamed_enum_number_is_invalid_argument(channel: tuple[Emulator, grpc.Channel]) -> None:
    emu, ch = channel
    assert emu.seeded is not None
    stub = organizations_pb2_grpc.OrganizationServiceStub(ch)
    request = organizations_pb2.GeneratePortalLinkRequest(id=emu.seeded.organization_id)
    request.features.append(999)  # type: ignore[arg-type]  # an unnamed number, on purpose
    _invalid(stub.GeneratePortalLink, request)
    valid = organizations_pb2.GeneratePortalLinkRequest(id=emu.seeded.organization_id)
    assert stub.GeneratePortalLink(valid, timeout=10).link.location  # the same call without it works


@pytest.mark.parametrize(
    "raw", [b"seq:99999999999999999999", b"seq:9223372036854775808", b"seq:1:99999999999999999999:x"]
)
def test_page_tokens_past_every_sequence_are_invalid_argument(
    channel: tuple[Emulator, grpc.Channel], raw: bytes
) -> None:
    import base64

    from scalekit_api.v1.users import users_pb2, users_pb2_grpc

    _, ch = channel
    token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    details = _invalid(
        users_pb2_grpc.UserServiceStub(ch).ListUsers, users_pb2.ListUsersRequest(page_token=token)
    )
    assert "page_token" in details
    orgs = organizations_pb2_grpc.OrganizationServiceStub(ch)
    _invalid(
        orgs.SearchOrganization, organizations_pb2.SearchOrganizationsRequest(query="a", page_token=token)
    )
