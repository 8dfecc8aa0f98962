"""fill() and merged(): the one place plain Python values become protobuf fields."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scalekit_api.v1.directories import directories_pb2
from scalekit_api.v1.organizations import organizations_pb2
from scalekit_api.v1.users import users_pb2
from scalekit_py.services._build import fill, merged


def test_none_leaves_fields_unset() -> None:
    request = fill(organizations_pb2.ListOrganizationsRequest(), page_size=None, external_id=None)
    assert request == organizations_pb2.ListOrganizationsRequest()
    assert not request.HasField("external_id")


def test_scalars_maps_and_repeated_are_set_and_replaced() -> None:
    body = organizations_pb2.CreateOrganization(metadata={"old": "1"})
    fill(body, display_name="Acme", metadata={"new": "2"}, external_id="")
    assert body.display_name == "Acme"
    assert dict(body.metadata) == {"new": "2"}
    assert body.HasField("external_id"), "an explicit empty string is sent for an optional field"
    request = directories_pb2.AssignGroupsForDirectoryRequest(external_ids=["a"])
    fill(request, external_ids=["b", "c"])
    assert list(request.external_ids) == ["b", "c"]


def test_well_known_types_accept_plain_values() -> None:
    policy = fill(
        organizations_pb2.UpdateOrganizationSessionPolicyRequest(),
        absolute_session_timeout=8,
        idle_session_timeout_enabled=False,
    )
    assert policy.absolute_session_timeout.value == 8
    assert policy.HasField("idle_session_timeout_enabled")
    assert not policy.idle_session_timeout_enabled.value
    branding = fill(
        organizations_pb2.UpdateOrganizationBrandingRequest(), customization_settings={"a": [1, "x"]}
    )
    assert list(branding.customization_settings["a"]) == [1, "x"]  # type: ignore[arg-type]
    mask = fill(organizations_pb2.UpdateOrganizationRequest(), update_mask=["display_name", "slug"])
    assert list(mask.update_mask.paths) == ["display_name", "slug"]


def test_naive_datetime_means_utc() -> None:
    naive = datetime(2024, 5, 1, 12, 0)
    aware = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    a = fill(directories_pb2.ListDirectoryUsersRequest(), updated_after=naive)
    b = fill(directories_pb2.ListDirectoryUsersRequest(), updated_after=aware)
    assert a.updated_after == b.updated_after
    assert a.updated_after.seconds == int(datetime(2024, 5, 1, 12, tzinfo=timezone.utc).timestamp())


def test_two_members_of_one_oneof_are_refused() -> None:
    with pytest.raises(TypeError, match=r"'id' and 'external_id' are alternatives"):
        fill(users_pb2.GetUserRequest(), id="usr_1", external_id="ext")
    one = fill(users_pb2.GetUserRequest(), id=None, external_id="ext")
    assert one.WhichOneof("identities") == "external_id"


def test_optional_fields_are_not_mistaken_for_oneof_alternatives() -> None:
    request = fill(users_pb2.CreateMembershipRequest(), id="usr_1", send_invitation_email=True)
    assert request.id == "usr_1"
    assert request.send_invitation_email


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"no_such_field": 1}, "has no field 'no_such_field'"),
        ({"page_size": "ten"}, "ListOrganizationsRequest.page_size"),
        ({"external_id": 5}, "ListOrganizationsRequest.external_id"),
    ],
)
def test_misuse_is_a_type_error_naming_the_field(fields: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        fill(organizations_pb2.ListOrganizationsRequest(), **fields)


def test_wrong_shapes_are_type_errors() -> None:
    with pytest.raises(TypeError, match="expected a mapping"):
        fill(organizations_pb2.CreateOrganization(), metadata=["a"])
    with pytest.raises(TypeError, match="expected a sequence"):
        fill(directories_pb2.AssignGroupsForDirectoryRequest(), external_ids="abc")
    with pytest.raises(TypeError, match=r"expected a scalekit\.v1\.organizations\.CreateOrganization"):
        fill(organizations_pb2.CreateOrganizationRequest(), organization={"display_name": "x"})


def test_merged_copies_and_never_mutates_the_callers_message() -> None:
    mine = organizations_pb2.CreateOrganization(display_name="Mine")
    copy = merged(mine, organizations_pb2.CreateOrganization)
    copy.display_name = "Changed"
    assert mine.display_name == "Mine"
    assert merged(None, organizations_pb2.CreateOrganization) == organizations_pb2.CreateOrganization()
