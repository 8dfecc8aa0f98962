"""Organization settings, session policies, branding and user-management limits.

These methods are part of :class:`~scalekit_py.services._async.organizations.AsyncOrganizationService`
(``client.organization``); they live here to keep each module small.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf import struct_pb2

from scalekit_api.v1.commons import commons_pb2
from scalekit_api.v1.organizations import organizations_pb2 as pb
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py.services._build import fill, merged
from scalekit_py.services._caller import AsyncCaller, RetryArg, Timeout
from scalekit_py.services._rpcs import organizations as rpcs


class _AsyncOrganizationSettingsMethods:
    _caller: AsyncCaller

    async def update_organization_settings(
        self,
        organization_id: str,
        *,
        features: Mapping[str, bool] | None = None,
        settings: pb.OrganizationSettings | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.Organization:
        """Turn organization features (such as ``sso`` or ``dir_sync``) on or off.

        Args:
            organization_id: the organization's id.
            features: feature name -> enabled; replaces the features of ``settings``.
            settings: a prebuilt ``OrganizationSettings`` message.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization with its new settings.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> org = await client.organization.update_organization_settings("org_1", features={"sso": True})
        """
        feature_list = (
            None
            if features is None
            else [pb.OrganizationSettingsFeature(name=k, enabled=v) for k, v in features.items()]
        )
        body = fill(merged(settings, pb.OrganizationSettings), features=feature_list)
        request = pb.UpdateOrganizationSettingsRequest(id=organization_id, settings=body)
        response = await self._caller.call(
            rpcs.UPDATE_ORGANIZATION_SETTINGS, request, timeout=timeout, retry=retry
        )
        return response.organization

    async def update_organization_session_policy(
        self,
        organization_id: str,
        *,
        policy_source: pb.SessionPolicyType.ValueType | None = None,
        absolute_session_timeout: int | None = None,
        absolute_session_timeout_unit: commons_pb2.TimeUnit.ValueType | None = None,
        idle_session_timeout_enabled: bool | None = None,
        idle_session_timeout: int | None = None,
        idle_session_timeout_unit: commons_pb2.TimeUnit.ValueType | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.OrganizationSessionPolicySettings:
        """Set how long sessions of the organization's users last.

        Args:
            organization_id: the organization's id.
            policy_source: ``APPLICATION`` (use the environment's policy) or ``CUSTOM``.
            absolute_session_timeout: maximum session length, in ``absolute_session_timeout_unit``.
            absolute_session_timeout_unit: unit of the absolute timeout.
            idle_session_timeout_enabled: end sessions after a period of inactivity.
            idle_session_timeout: inactivity allowed, in ``idle_session_timeout_unit``.
            idle_session_timeout_unit: unit of the idle timeout.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization's session policy.

        Raises:
            BadRequestError: a value is out of range.
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> policy = await client.organization.update_organization_session_policy(
            ...     "org_1", policy_source=SessionPolicyType.CUSTOM, absolute_session_timeout=8,
            ...     absolute_session_timeout_unit=TimeUnit.HOURS)
        """
        request = fill(
            pb.UpdateOrganizationSessionPolicyRequest(organization_id=organization_id),
            policy_source=policy_source,
            absolute_session_timeout=absolute_session_timeout,
            absolute_session_timeout_unit=absolute_session_timeout_unit,
            idle_session_timeout_enabled=idle_session_timeout_enabled,
            idle_session_timeout=idle_session_timeout,
            idle_session_timeout_unit=idle_session_timeout_unit,
        )
        response = await self._caller.call(
            rpcs.UPDATE_ORGANIZATION_SESSION_POLICY, request, timeout=timeout, retry=retry
        )
        return response.policy

    async def get_organization_session_policy(
        self, organization_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.OrganizationSessionPolicySettings:
        """Fetch the session policy of an organization.

        Args:
            organization_id: the organization's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization's session policy.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> policy = await client.organization.get_organization_session_policy("org_1")
        """
        request = pb.GetOrganizationSessionPolicyRequest(organization_id=organization_id)
        response = await self._caller.call(
            rpcs.GET_ORGANIZATION_SESSION_POLICY, request, timeout=timeout, retry=retry
        )
        return response.policy

    async def get_application_session_policy(
        self, organization_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.ApplicationSessionPolicySettings:
        """Fetch the environment-wide session policy that applies to an organization.

        Args:
            organization_id: the organization's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The application session policy.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> policy = await client.organization.get_application_session_policy("org_1")
        """
        request = pb.GetApplicationSessionPolicyRequest(organization_id=organization_id)
        response = await self._caller.call(
            rpcs.GET_APPLICATION_SESSION_POLICY, request, timeout=timeout, retry=retry
        )
        return response.application_policy

    async def get_organization_branding(
        self, organization_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.OrganizationBranding:
        """Fetch the look of the organization's hosted pages.

        Args:
            organization_id: the organization's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The branding (``source`` and ``customization_settings``).

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> branding = await client.organization.get_organization_branding("org_1")
        """
        request = pb.GetOrganizationBrandingRequest(organization_id=organization_id)
        response = await self._caller.call(
            rpcs.GET_ORGANIZATION_BRANDING, request, timeout=timeout, retry=retry
        )
        return response.branding

    async def update_organization_branding(
        self,
        organization_id: str,
        *,
        source: pb.BrandingSource.ValueType,
        customization_settings: Mapping[str, object] | struct_pb2.Struct | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.OrganizationBranding:
        """Set the look of the organization's hosted pages.

        Args:
            organization_id: the organization's id.
            source: ``BRANDING_SOURCE_ENVIRONMENT`` (inherit) or ``BRANDING_SOURCE_CUSTOM``.
            customization_settings: JSON-like settings (colours, logo, ...) for a custom branding.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The new branding.

        Raises:
            BadRequestError: the source is unspecified or the settings invalid.
            APIError: any other error reported by the service.

        Example:
            >>> branding = await client.organization.update_organization_branding(
            ...     "org_1", source=BrandingSource.BRANDING_SOURCE_CUSTOM,
            ...     customization_settings={"primary_color": "#0050ff"})
        """
        request = fill(
            pb.UpdateOrganizationBrandingRequest(organization_id=organization_id, source=source),
            customization_settings=customization_settings,
        )
        response = await self._caller.call(
            rpcs.UPDATE_ORGANIZATION_BRANDING, request, timeout=timeout, retry=retry
        )
        return response.branding

    async def upsert_user_management_settings(
        self,
        organization_id: str,
        *,
        max_allowed_users: int | None = None,
        settings: pb.OrganizationUserManagementSettings | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> pb.OrganizationUserManagementSettings:
        """Create or change the user-management limits of an organization.

        Args:
            organization_id: the organization's id.
            max_allowed_users: most members the organization may have.
            settings: a prebuilt ``OrganizationUserManagementSettings``; arguments override it.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization's user-management settings.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> s = await client.organization.upsert_user_management_settings("org_1", max_allowed_users=50)
        """
        body = fill(
            merged(settings, pb.OrganizationUserManagementSettings), max_allowed_users=max_allowed_users
        )
        request = pb.UpsertUserManagementSettingsRequest(organization_id=organization_id, settings=body)
        response = await self._caller.call(
            rpcs.UPSERT_USER_MANAGEMENT_SETTINGS, request, timeout=timeout, retry=retry
        )
        return response.settings

    async def get_user_management_settings(
        self, organization_id: str, *, timeout: Timeout = NOT_GIVEN, retry: RetryArg = NOT_GIVEN
    ) -> pb.OrganizationUserManagementSettings:
        """Fetch the user-management limits of an organization.

        Args:
            organization_id: the organization's id.
            timeout: seconds for this call (``None``: no deadline; default: the client's).
            retry: retry policy for this call (``None``: no retry; default: the client's).

        Returns:
            The organization's user-management settings.

        Raises:
            NotFoundError: no such organization.
            APIError: any other error reported by the service.

        Example:
            >>> s = await client.organization.get_user_management_settings("org_1")
        """
        request = pb.GetOrganizationUserManagementSettingsRequest(organization_id=organization_id)
        response = await self._caller.call(
            rpcs.GET_ORGANIZATION_USER_MANAGEMENT_SETTING, request, timeout=timeout, retry=retry
        )
        return response.settings
