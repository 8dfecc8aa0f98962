"""Passkeys (WebAuthn): register a credential, list, rename and delete a user's credentials."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from google.protobuf import struct_pb2

from scalekit_api.v1.auth import webauthn_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._build import fill
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import webauthn as rpcs

__all__ = ["AsyncWebAuthnService"]


class AsyncWebAuthnService:
    """``client.webauthn``: the RPCs of ``scalekit.v1.auth.webauthn.WebAuthnService``."""

    def __init__(self, caller: AsyncCaller) -> None:
        self._caller = caller

    async def begin_registration(
        self, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> struct_pb2.Struct:
        """Start registering a passkey: get the options to pass to ``navigator.credentials.create``.

        Args:
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The public-key credential creation options, as a JSON-like ``Struct``.

        Raises:
            APIError: the service reported an error.

        Example:
            >>> options = await client.webauthn.begin_registration()
        """
        request = pb.BeginRegistrationRequest()
        response = await self._caller.call(rpcs.BEGIN_REGISTRATION, request, timeout=timeout, retry=retry)
        return response.options

    async def finish_registration(
        self,
        *,
        credential_id: bytes,
        attestation_object: bytes,
        client_data_json: bytes,
        type: str = "public-key",
        transports: Sequence[str] | None = None,
        authenticator_attachment: str | None = None,
        client_extension_results: Mapping[str, object] | struct_pb2.Struct | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.FinishRegistrationResponse:
        """Finish registering a passkey with the browser's attestation.

        Args:
            credential_id: the new credential's raw id.
            attestation_object: the authenticator's attestation object.
            client_data_json: the client data JSON, as bytes.
            type: the credential type.
            transports: how the authenticator can be reached (``usb``, ``internal``, ...).
            authenticator_attachment: ``platform`` or ``cross-platform``.
            client_extension_results: the browser's extension results.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The response; ``success`` tells whether the credential was stored.

        Raises:
            BadRequestError: the attestation does not verify.
            APIError: any other error reported by the service.

        Example:
            >>> done = await client.webauthn.finish_registration(
            ...     credential_id=raw_id, attestation_object=att, client_data_json=cdj)
        """
        request = fill(
            pb.FinishRegistrationRequest(
                credential_id=credential_id,
                attestation_object=attestation_object,
                client_data_json=client_data_json,
                type=type,
            ),
            transports=transports,
            authenticator_attachment=authenticator_attachment,
            client_extension_results=client_extension_results,
        )
        return await self._caller.call(rpcs.FINISH_REGISTRATION, request, timeout=timeout, retry=retry)

    async def list_credentials(
        self, user_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ListCredentialsResponse:
        """List a user's passkeys.

        Args:
            user_id: the user's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``credentials`` and the options for the browser's credential-list signal.

        Raises:
            NotFoundError: no such user.
            APIError: any other error reported by the service.

        Example:
            >>> creds = (await client.webauthn.list_credentials("usr_1")).credentials
        """
        request = pb.ListCredentialsRequest(user_id=user_id)
        return await self._caller.call(rpcs.LIST_CREDENTIALS, request, timeout=timeout, retry=retry)

    async def delete_credential(
        self, credential_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.DeleteCredentialResponse:
        """Delete a passkey.

        Args:
            credential_id: the credential's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            ``success`` and the options for the browser's unknown-credential signal.

        Raises:
            NotFoundError: no such credential.
            APIError: any other error reported by the service.

        Example:
            >>> resp = await client.webauthn.delete_credential("cred_1")
        """
        request = pb.DeleteCredentialRequest(credential_id=credential_id)
        return await self._caller.call(rpcs.DELETE_CREDENTIAL, request, timeout=timeout, retry=retry)

    async def update_credential(
        self,
        credential_id: str,
        *,
        display_name: str,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.WebAuthnCredential:
        """Rename a passkey.

        Args:
            credential_id: the credential's id.
            display_name: the new name shown to the user.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The updated credential.

        Raises:
            NotFoundError: no such credential.
            APIError: any other error reported by the service.

        Example:
            >>> cred = await client.webauthn.update_credential("cred_1", display_name="Work laptop")
        """
        request = pb.UpdateCredentialRequest(credential_id=credential_id, display_name=display_name)
        response = await self._caller.call(rpcs.UPDATE_CREDENTIAL, request, timeout=timeout, retry=retry)
        return response.credential
