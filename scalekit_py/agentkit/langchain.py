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

import inspect
from typing import Any

try:
    from langchain_core.tools import StructuredTool, ToolException
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "scalekit_py.agentkit.langchain needs langchain-core: pip install 'scalekit-py[langchain]'"
    ) from exc

from scalekit_py.agentkit._tooldefs import Execute, Outcome, ToolSpec, result_text
from scalekit_py.errors import ScalekitError

__all__ = ["structured_tools"]


def _text(spec: ToolSpec, outcome: Outcome) -> str:
    data, execution_id = outcome
    return result_text(data, execution_id)


def _failed(spec: ToolSpec, exc: ScalekitError) -> ToolException:
    return ToolException(f"{spec.name} failed: {exc}")


def _tool(spec: ToolSpec, execute: Execute) -> StructuredTool:
    """A blocking tool for a blocking ``execute`` (LangChain runs it in a thread when awaited), an
    awaitable-only tool (``ainvoke``) for a coroutine function."""

    def run(**arguments: Any) -> str:
        try:
            outcome: Any = execute(spec, arguments)
        except ScalekitError as exc:
            raise _failed(spec, exc) from exc
        return _text(spec, outcome)

    async def arun(**arguments: Any) -> str:
        try:
            outcome: Any = await execute(spec, arguments)  # type: ignore[misc]
        except ScalekitError as exc:
            raise _failed(spec, exc) from exc
        return _text(spec, outcome)

    is_async = inspect.iscoroutinefunction(execute)
    return StructuredTool(
        name=spec.name,
        description=spec.description,
        args_schema=spec.input_schema,
        func=None if is_async else run,
        coroutine=arun if is_async else None,
        handle_tool_error=True,
        metadata={"provider": spec.provider, "connected_account_id": spec.connected_account_id},
    )


def structured_tools(specs: list[ToolSpec], execute: Execute) -> list[StructuredTool]:
    """LangChain tools for ``specs`` that run through ``execute``."""
    return [_tool(s, execute) for s in specs]
