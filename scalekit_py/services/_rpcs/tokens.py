"""RPC handles of ``scalekit.v1.tokens.ApiTokenService``."""

from __future__ import annotations

from google.protobuf import empty_pb2

from scalekit_api.v1.tokens import tokens_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.tokens.ApiTokenService"

CREATE_TOKEN = rpc(_SERVICE, "CreateToken", pb.CreateTokenRequest, pb.CreateTokenResponse)
VALIDATE_TOKEN = rpc(_SERVICE, "ValidateToken", pb.ValidateTokenRequest, pb.ValidateTokenResponse)
INVALIDATE_TOKEN = rpc(_SERVICE, "InvalidateToken", pb.InvalidateTokenRequest, empty_pb2.Empty)
LIST_TOKENS = rpc(_SERVICE, "ListTokens", pb.ListTokensRequest, pb.ListTokensResponse)
UPDATE_TOKEN = rpc(_SERVICE, "UpdateToken", pb.UpdateTokenRequest, pb.UpdateTokenResponse)
