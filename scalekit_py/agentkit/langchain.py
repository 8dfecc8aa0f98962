"""Scalekit tools as LangChain tools (optional extra ``langchain``: ``pip install 'scalekit-py[langchain]'``).

Importing this module imports ``langchain_core``; nothing else in the SDK does. Use it through
``client.actions.langchain.get_tools(identifier=...)``, or convert :class:`ToolSpec` lists yourself with
:func:`structured_tools` / :func:`async_structured_tools`.

Each tool executes through the actions client's ``execute_tool`` (so modifiers apply) for the connected
account the tool was listed for, and returns the result data as JSON text. SDK failures (an unknown tool,
invalid input, an inactive account) are raised as ``ToolException`` with the SDK's message, and the tools
are built with ``handle_tool_error=True``, so an agent sees the message instead of crashing; other
exceptions propagate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

try:
    from langchain_core.tools import StructuredTool, ToolException
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "scalekit_py.agentkit.langchain needs langchain-core: pip install 'scalekit-py[langchain]'"
    ) from exc

from scalekit_py.agentkit._tooldefs import ToolSpec, result_text
from scalekit_py.errors import ScalekitError

__all__ = ["AsyncExecute", "Execute", "async_structured_tools", "structured_tools"]

Execute = Callable[[ToolSpec, dict[str, Any]], tuple[dict[str, Any], str | None]]
"""Runs a tool for its spec's account: ``(spec, arguments) -> (result data, execution id)``."""
AsyncExecute = Callable[[ToolSpec, dict[str, Any]], Awaitable[tuple[dict[str, Any], str | None]]]
"""The asyncio form of :data:`Execute`."""


def _tool(
    spec: ToolSpec, func: Callable[..., str] | None, coroutine: Callable[..., Awaitable[str]] | None
) -> Any:
    return StructuredTool(
        name=spec.name,
        description=spec.description,
        args_schema=spec.input_schema,
        func=func,
        coroutine=coroutine,
        handle_tool_error=True,
        metadata={"provider": spec.provider, "connected_account_id": spec.connected_account_id},
    )


def structured_tools(specs: list[ToolSpec], execute: Execute) -> list[StructuredTool]:
    """LangChain tools that run ``execute`` (blocking; LangChain runs them in a thread when awaited)."""

    def make(spec: ToolSpec) -> Any:
        def run(**arguments: Any) -> str:
            try:
                data, execution_id = execute(spec, arguments)
            except ScalekitError as exc:
                raise ToolException(f"{spec.name} failed: {exc}") from exc
            return result_text(data, execution_id)

        return _tool(spec, run, None)

    return [make(s) for s in specs]


def async_structured_tools(specs: list[ToolSpec], execute: AsyncExecute) -> list[StructuredTool]:
    """LangChain tools that await ``execute`` (use ``ainvoke``; they have no blocking form)."""

    def make(spec: ToolSpec) -> Any:
        async def run(**arguments: Any) -> str:
            try:
                data, execution_id = await execute(spec, arguments)
            except ScalekitError as exc:
                raise ToolException(f"{spec.name} failed: {exc}") from exc
            return result_text(data, execution_id)

        return _tool(spec, None, run)

    return [make(s) for s in specs]
