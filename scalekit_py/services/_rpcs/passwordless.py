"""RPC handles of ``scalekit.v1.auth.passwordless.PasswordlessService``."""

from __future__ import annotations

from scalekit_api.v1.auth import passwordless_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.auth.passwordless.PasswordlessService"

SEND_PASSWORDLESS_EMAIL = rpc(
    _SERVICE, "SendPasswordlessEmail", pb.SendPasswordlessRequest, pb.SendPasswordlessResponse
)
VERIFY_PASSWORDLESS_EMAIL = rpc(
    _SERVICE, "VerifyPasswordlessEmail", pb.VerifyPasswordLessRequest, pb.VerifyPasswordLessResponse
)
RESEND_PASSWORDLESS_EMAIL = rpc(
    _SERVICE, "ResendPasswordlessEmail", pb.ResendPasswordlessRequest, pb.SendPasswordlessResponse
)
