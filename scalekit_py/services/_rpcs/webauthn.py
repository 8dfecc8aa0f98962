"""RPC handles of ``scalekit.v1.auth.webauthn.WebAuthnService``."""

from __future__ import annotations

from scalekit_api.v1.auth import webauthn_pb2 as pb
from scalekit_py.services._rpcs import rpc

_SERVICE = "scalekit.v1.auth.webauthn.WebAuthnService"

BEGIN_REGISTRATION = rpc(
    _SERVICE, "BeginRegistration", pb.BeginRegistrationRequest, pb.BeginRegistrationResponse
)
FINISH_REGISTRATION = rpc(
    _SERVICE, "FinishRegistration", pb.FinishRegistrationRequest, pb.FinishRegistrationResponse
)
LIST_CREDENTIALS = rpc(_SERVICE, "ListCredentials", pb.ListCredentialsRequest, pb.ListCredentialsResponse)
DELETE_CREDENTIAL = rpc(_SERVICE, "DeleteCredential", pb.DeleteCredentialRequest, pb.DeleteCredentialResponse)
UPDATE_CREDENTIAL = rpc(_SERVICE, "UpdateCredential", pb.UpdateCredentialRequest, pb.UpdateCredentialResponse)
