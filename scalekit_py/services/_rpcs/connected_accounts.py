"""RPC handles of ``scalekit.v1.connected_accounts.ConnectedAccountService``."""

from __future__ import annotations

from scalekit_api.v1.connected_accounts import connected_accounts_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.connected_accounts.ConnectedAccountService"

LIST_CONNECTED_ACCOUNTS = rpc(
    _SERVICE, "ListConnectedAccounts", pb.ListConnectedAccountsRequest, pb.ListConnectedAccountsResponse
)
SEARCH_CONNECTED_ACCOUNTS = rpc(
    _SERVICE, "SearchConnectedAccounts", pb.SearchConnectedAccountsRequest, pb.SearchConnectedAccountsResponse
)
CREATE_CONNECTED_ACCOUNT = rpc(
    _SERVICE, "CreateConnectedAccount", pb.CreateConnectedAccountRequest, pb.CreateConnectedAccountResponse
)
UPDATE_CONNECTED_ACCOUNT = rpc(
    _SERVICE, "UpdateConnectedAccount", pb.UpdateConnectedAccountRequest, pb.UpdateConnectedAccountResponse
)
DELETE_CONNECTED_ACCOUNT = rpc(
    _SERVICE, "DeleteConnectedAccount", pb.DeleteConnectedAccountRequest, pb.DeleteConnectedAccountResponse
)
GET_MAGIC_LINK_FOR_CONNECTED_ACCOUNT = rpc(
    _SERVICE,
    "GetMagicLinkForConnectedAccount",
    pb.GetMagicLinkForConnectedAccountRequest,
    pb.GetMagicLinkForConnectedAccountResponse,
)
GET_CONNECTED_ACCOUNT = rpc(
    _SERVICE, "GetConnectedAccount", pb.GetConnectedAccountRequest, pb.GetConnectedAccountResponse
)
DISCONNECT_CONNECTED_ACCOUNT = rpc(
    _SERVICE,
    "DisconnectConnectedAccount",
    pb.DisconnectConnectedAccountRequest,
    pb.DisconnectConnectedAccountResponse,
)
GET_CONNECTED_ACCOUNT_AUTH = rpc(
    _SERVICE,
    "GetConnectedAccountAuth",
    pb.GetConnectedAccountByIdentifierRequest,
    pb.GetConnectedAccountByIdentifierResponse,
)
GET_CONNECTED_ACCOUNT_DETAILS = rpc(
    _SERVICE,
    "GetConnectedAccountDetails",
    pb.GetConnectedAccountByIdentifierRequest,
    pb.GetConnectedAccountByIdentifierResponse,
)
VERIFY_CONNECTED_ACCOUNT_USER = rpc(
    _SERVICE,
    "VerifyConnectedAccountUser",
    pb.VerifyConnectedAccountUserRequest,
    pb.VerifyConnectedAccountUserResponse,
)
