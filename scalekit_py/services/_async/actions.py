"""``client.actions`` (alias ``client.connect``): the AgentKit convenience layer of the official SDKs.

It composes the AgentKit facades (connected accounts, tools, MCP configs) into the calls an agent
needs (execute a tool for a user, get an authorization link, ...), adds tool modifiers, and sends
proxied HTTP requests to a connection's upstream API with the connected account's credentials.
Method and argument names follow the official Python SDK's ``ActionClient``; see ``docs/agentkit.md``
for the surface and the differences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._transport.call import RetryArg, Timeout
from scalekit_py.agentkit.modifiers import (
    Modifier,
    ModifierFunction,
    ModifierRegistry,
    ModifierType,
    ToolNames,
)
from scalekit_py.services._async._proxy import AsyncProxyClient

__all__ = ["AsyncActionClient"]

F = TypeVar("F", bound=ModifierFunction)


class AsyncActionClient:
    """AgentKit actions of :class:`~scalekit_py.AsyncScalekitClient` (``client.actions``).

    Args:
        proxy: sends proxied requests with the client's token, deadline and retry policy.
    """

    def __init__(self, proxy: AsyncProxyClient) -> None:
        self._proxy = proxy
        self._modifiers = ModifierRegistry()

    # --- modifiers ------------------------------------------------------------------------------------

    def add_modifier(self, modifier: Modifier) -> None:
        """Register a modifier after those already registered (order: see ``docs/agentkit.md``).

        Args:
            modifier: e.g. ``Modifier.create("gmail_send", "pre", add_signature)``.

        Raises:
            TypeError: ``modifier`` is not a :class:`~scalekit_py.agentkit.Modifier`.
        """
        self._modifiers.add(modifier)

    def get_modifiers(
        self, tool_name: str | None = None, modifier_type: ModifierType | None = None
    ) -> list[Modifier]:
        """The registered modifiers in application order, optionally only those of a tool and/or kind.

        Args:
            tool_name: only modifiers registered for this tool.
            modifier_type: only ``"pre"`` or only ``"post"`` modifiers.

        Returns:
            A new list; changing it does not change the registrations.
        """
        return self._modifiers.select(tool_name, modifier_type)

    def pre_modifier(self, tool_names: ToolNames) -> Callable[[F], F]:
        """Decorator: register a function that rewrites the input of ``tool_names`` before execution.

        The function gets the tool input dict and returns the input to send; pre-modifiers of a tool run
        in registration order, each on what the previous returned.

        Args:
            tool_names: one tool name or several.

        Returns:
            The decorator; it returns the function unchanged.

        Raises:
            ValueError: no tool name given.

        Example::

            @client.actions.pre_modifier(tool_names="gmail_fetch_mails")
            def only_unread(tool_input):
                return {**tool_input, "query": "is:unread"}
        """
        return self._modifiers.decorator(tool_names, "pre")

    def post_modifier(self, tool_names: ToolNames) -> Callable[[F], F]:
        """Decorator: register a function that rewrites the result data of ``tool_names``.

        Post-modifiers of a tool run in registration order after the execution, on the result data.

        Args:
            tool_names: one tool name or several.

        Returns:
            The decorator; it returns the function unchanged.

        Raises:
            ValueError: no tool name given.
        """
        return self._modifiers.decorator(tool_names, "post")

    # --- proxied requests -----------------------------------------------------------------------------

    async def request(
        self,
        connection_name: str,
        identifier: str,
        path: str,
        method: str = "GET",
        query_params: Mapping[str, Any] | None = None,
        body: Any = None,
        form_data: Mapping[str, Any] | None = None,
        raw_body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
        raise_for_status: bool = True,
    ) -> httpx.Response:
        """Call the upstream API of a connection on behalf of a connected account.

        The request goes to ``{env_url}/proxy{path}`` with the client's bearer token (fetched and
        refreshed like every other call; one replay with a fresh token after a 401) and the routing
        headers ``connection_name`` and ``identifier``; the service attaches the account's credentials
        and forwards it upstream.

        Args:
            connection_name: the connection (connector) name, e.g. ``"github"``.
            identifier: the connected account's identifier, e.g. a user id or email.
            path: the upstream path, e.g. ``"/user/repos"``.
            method: HTTP method (default ``GET``).
            query_params: query parameters; list values repeat the parameter, ``None`` values are left out.
            body: a JSON body (``content-type: application/json`` unless ``headers`` set one).
            form_data: a URL-encoded form body.
            raw_body: a body sent as is (set its ``content-type`` in ``headers``).
            headers: more headers; ``authorization``, ``host`` and ``content-length`` are refused.
            timeout: total seconds including retries (``None``: none; default: the client's).
            retry: retry policy (``None``: no retry; default: the client's). Only idempotent methods
                (GET, HEAD, OPTIONS, PUT, DELETE) are retried, on 502/503/504 or a lost connection,
                unless the policy sets ``retry_writes``; a refused connection is retried for any method.
            raise_for_status: raise on a 4xx/5xx answer (default); ``False`` returns it like a 2xx.

        Returns:
            The upstream's answer, fully read (``.status_code``, ``.headers``, ``.json()``, ``.text``).

        Raises:
            ValueError: a required argument is empty, a header is invalid or reserved, or more than one
                of ``body`` / ``form_data`` / ``raw_body`` is given. TypeError: ``body`` is not JSON.
            APIError subclass: the answer was 4xx/5xx (``raise_for_status``); the class follows the status
                (``NotFoundError`` for 404, ``ServiceUnavailableError`` for 502-504, ...) and the message
                quotes the status and the start of the body.
            APIConnectionError / APITimeoutError: no answer in time (``OutcomeUnknownError`` variants for
                a write that may have been sent). OAuthError: the client's credentials were refused.

        Example::

            repos = client.actions.request("github", "user_42", "/user/repos", query_params={"per_page": 5})
            print(repos.json())
        """
        return await self._proxy.request(
            connection_name,
            identifier,
            path,
            method,
            query_params,
            body,
            form_data,
            raw_body,
            headers,
            timeout=timeout,
            retry=retry,
            raise_for_status=raise_for_status,
        )
