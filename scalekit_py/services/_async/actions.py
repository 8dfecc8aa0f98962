"""``client.actions`` (alias ``client.connect``): the AgentKit convenience layer of the official SDKs.

It composes the AgentKit facades (``client.connected_accounts``, ``client.tools``, ``client.mcp``) into the
calls an agent needs (execute a tool for a user, get an authorization link, get-or-create an account),
adds tool modifiers, and sends proxied HTTP requests to a connection's upstream API with the connected
account's credentials. Method and argument names follow the official Python SDK's ``ActionClient``
(arguments are keyword-only); results are the facades' protobuf messages. See ``docs/agentkit.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from scalekit_api.v1.tools import tools_pb2
from scalekit_py._sentinel import NOT_GIVEN
from scalekit_py._transport.call import RetryArg, Timeout
from scalekit_py.agentkit import _convert
from scalekit_py.agentkit._tooldefs import (
    Framework,
    ScopedToolFilters,
    ToolSpec,
    build_tools,
    specs_from_scoped,
)
from scalekit_py.agentkit.modifiers import (
    Modifier,
    ModifierFunction,
    ModifierRegistry,
    ModifierType,
    ToolNames,
    apply_modifiers,
)
from scalekit_py.services._async._actions_accounts import _AsyncAccountActions
from scalekit_py.services._async._actions_base import _AsyncFacades
from scalekit_py.services._async._actions_mcp import _AsyncMcpActions
from scalekit_py.services._async._proxy import AsyncProxyClient

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from scalekit_py.agentkit.mcp_tools import McpToolset
    from scalekit_py.services._async.mcp import AsyncMcpService
    from scalekit_py.services._async.providers import AsyncProviderService

__all__ = ["AsyncActionClient", "AsyncAgentTools"]

F = TypeVar("F", bound=ModifierFunction)


class AsyncActionClient(_AsyncAccountActions, _AsyncMcpActions):
    """AgentKit actions of :class:`~scalekit_py.AsyncScalekitClient` (``client.actions``).

    Args:
        facades: the client (its ``connected_accounts``, ``tools``, ``mcp`` and ``providers`` facades).
        proxy: sends proxied requests with the client's token, deadline and retry policy.
    """

    def __init__(self, facades: _AsyncFacades, proxy: AsyncProxyClient) -> None:
        self._facades = facades
        self._proxy = proxy
        self._modifiers = ModifierRegistry()

    @property
    def mcp(self) -> AsyncMcpService:
        """MCP configurations, instances and session tokens (the client's ``mcp`` facade)."""
        return self._facades.mcp

    @property
    def providers(self) -> AsyncProviderService:
        """Built-in and custom providers (the client's ``providers`` facade)."""
        return self._facades.providers

    @property
    def langchain(self) -> AsyncAgentTools:
        """Tools for LangChain agents (``langchain`` extra): ``await .get_tools(identifier=...)``."""
        return AsyncAgentTools(self, "langchain")

    @property
    def google(self) -> AsyncAgentTools:
        """Tools for Google ADK agents (``google-adk`` extra): ``await .get_tools(identifier=...)``."""
        return AsyncAgentTools(self, "google")

    @property
    def mcp_tools(self) -> AsyncAgentTools:
        """Tools served over MCP (``mcp`` extra): ``await .get_toolset(identifier=...)``."""
        return AsyncAgentTools(self, "mcp")

    # --- tools ----------------------------------------------------------------------------------------

    async def execute_tool(
        self,
        *,
        tool_name: str,
        tool_input: Mapping[str, Any],
        identifier: str | None = None,
        connected_account_id: str | None = None,
        connection_name: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        agent_run_id: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> tools_pb2.ExecuteToolResponse:
        """Run a tool for a connected account, with the registered modifiers.

        The pre-modifiers of ``tool_name`` rewrite (a copy of) ``tool_input`` in registration order, the
        tool runs, and its post-modifiers rewrite the result data in registration order. Executions are
        never retried (a tool may have had effects).

        Args:
            tool_name: the tool, e.g. ``"gmail_fetch_mails"``.
            tool_input: its input (a JSON object, checked against the tool's ``input_schema``).
            identifier: run for this user's account on ``connection_name`` (or the tool's connector).
            connected_account_id: run for this account instead of ``identifier``.
            connection_name: the connection (connector) to use with ``identifier``.
            organization_id: narrows the account lookup to this organization.
            user_id: narrows the account lookup to this user.
            agent_run_id: your agent run's id, recorded with the execution.
            timeout: seconds for the call (``None``: none; default: the client's).
            retry: retry policy (``None``: no retry; default: the client's; executions are writes).

        Returns:
            The response: ``data`` (after post-modifiers) and ``execution_id``.

        Raises:
            ValueError: ``tool_name`` is empty, or neither / both of ``identifier`` and
                ``connected_account_id`` are given.
            TypeError: a modifier returned something other than a JSON-like dict.
            BadRequestError: the input does not match the tool's schema.
            NotFoundError: no such tool or connected account.
            PreconditionFailedError: the connected account is not ``ACTIVE``.
            ToolExecutionError: the tool ran and failed.

        Example::

            out = await client.actions.execute_tool(
                tool_name="notes_create", tool_input={"title": "Hi"}, identifier="user_1",
                connection_name="notes")
        """
        _convert.required("tool_name", tool_name)
        _convert.check_account_selector(identifier, connected_account_id)
        modifiers = self._modifiers.snapshot()  # one set of modifiers for the whole call
        params = apply_modifiers(tool_name, tool_input, modifiers, "pre")
        response = await self._facades.tools.execute_tool(
            tool_name,
            identifier,
            params=params,
            connected_account_id=connected_account_id,
            connector=connection_name,
            organization_id=organization_id,
            user_id=user_id,
            agent_run_id=agent_run_id,
            timeout=timeout,
            retry=retry,
        )
        if not any(m.type == "post" and m.applies_to(tool_name) for m in modifiers):
            return response
        data = apply_modifiers(tool_name, _convert.struct_to_dict(response.data), modifiers, "post")
        return _convert.response_with_data(response, data)

    async def list_tools(
        self,
        *,
        connection_name: str | None = None,
        identifier: str | None = None,
        provider: str | None = None,
        tool_name: Sequence[str] | None = None,
        query: str | None = None,
        organization_id: str | None = None,
        user_id: str | None = None,
        connected_account_id: str | None = None,
        summary: bool | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: Timeout = NOT_GIVEN,
        retry: RetryArg = NOT_GIVEN,
    ) -> tools_pb2.ListToolsResponse:
        """One page of the tools of the environment, optionally filtered (``client.tools.list_tools``).

        Args:
            connection_name: only tools of this connection.
            identifier: only tools this identifier's accounts can run.
            provider: only tools of this provider, e.g. ``"GMAIL"``.
            tool_name: only these tools.
            query: text matched against names and descriptions.
            organization_id: narrows the account lookup to this organization.
            user_id: narrows the account lookup to this user.
            connected_account_id: only tools this account can run.
            summary: return summarized definitions.
            page_size: tools per page. page_token: ``next_page_token`` of the previous page.
            timeout: seconds for the call. retry: retry policy (listing is a read: retried).

        Returns:
            The page: ``tools`` (each with its ``definition``), ``tool_names``, ``next_page_token``.

        Raises:
            BadRequestError: a filter is invalid. APIError: any other error.
        """
        return await self._facades.tools.list_tools(
            connector=connection_name,
            identifier=identifier,
            provider=provider,
            tool_names=tool_name,
            query=query,
            organization_id=organization_id,
            user_id=user_id,
            connected_account_id=connected_account_id,
            summary=summary,
            page_size=page_size,
            page_token=page_token,
            timeout=timeout,
            retry=retry,
        )

    async def _run_spec(self, spec: ToolSpec, arguments: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The adapters' execute callback: the tool for the account it was listed for."""
        response = await self.execute_tool(
            tool_name=spec.name, tool_input=arguments, connected_account_id=spec.connected_account_id
        )
        return _convert.struct_to_dict(response.data), response.execution_id or None

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


class AsyncAgentTools:
    """A user's tools for one agent framework (``actions.langchain``, ``.google``, ``.mcp_tools``).

    The tools are listed with ``ListScopedTools`` for the identifier (each bound to the connected
    account it runs with) and execute through :meth:`AsyncActionClient.execute_tool`, so modifiers apply.
    """

    def __init__(self, actions: AsyncActionClient, framework: Framework) -> None:
        self._actions = actions
        self._framework = framework

    async def specs(
        self,
        *,
        identifier: str,
        providers: Sequence[str] | None = None,
        tool_names: Sequence[str] | None = None,
        connection_names: Sequence[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> list[ToolSpec]:
        """The scoped tools of ``identifier`` as framework-neutral specs (one page).

        Args:
            identifier: the user's identifier.
            providers: only tools of these providers. tool_names: only these tools.
            connection_names: only tools of these connections.
            page_size: tools per page. page_token: ``next_page_token`` of the previous page.

        Raises:
            ValueError: ``identifier`` is empty. ScalekitError: a listed tool has no name.
        """
        response = await self._actions._facades.tools.list_scoped_tools(
            _convert.required("identifier", identifier),
            providers=providers,
            tool_names=tool_names,
            connection_names=connection_names,
            page_size=page_size,
            page_token=page_token,
        )
        return specs_from_scoped(response.tools)

    async def get_tools(
        self,
        *,
        identifier: str,
        **filters: Unpack[ScopedToolFilters],
    ) -> list[Any]:
        """The user's tools as this helper's framework objects: LangChain ``StructuredTool``
        (``actions.langchain``), Google ADK ``BaseTool`` (``actions.google``) or ``mcp.types.Tool``
        (``actions.mcp_tools``; see :meth:`get_toolset` to execute them).

        Args:
            identifier: the user's identifier.
            filters: ``providers``, ``tool_names``, ``connection_names``, ``page_size``, ``page_token``
                (as :meth:`specs`).

        Returns:
            The tools; they execute through ``execute_tool`` (modifiers apply), and SDK failures reach
            the agent as tool errors.

        Raises:
            ImportError: the framework's extra is not installed. ValueError: ``identifier`` is empty.
        """
        specs = await self.specs(identifier=identifier, **filters)
        return build_tools(self._framework, specs, self._actions._run_spec)

    async def get_toolset(
        self,
        *,
        identifier: str,
        **filters: Unpack[ScopedToolFilters],
    ) -> McpToolset:
        """The user's tools as an MCP toolset (needs the ``mcp`` extra): ``.tools()``, ``.call_tool()``,
        ``.server()``.

        Raises:
            ImportError: ``mcp`` is not installed. ValueError: ``identifier`` is empty.
        """
        from scalekit_py.agentkit.mcp_tools import McpToolset

        specs = await self.specs(identifier=identifier, **filters)
        return McpToolset(specs, self._actions._run_spec)
