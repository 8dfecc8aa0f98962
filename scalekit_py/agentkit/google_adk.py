"""Scalekit tools as Google ADK tools (optional extra ``google-adk``).

Install with ``pip install 'scalekit-py[google-adk]'``. Importing this module imports ``google.adk``;
nothing else in the SDK does. Use it through
``client.actions.google.get_tools(identifier=...)`` (the official SDK's name), or convert
:class:`ToolSpec` lists with :func:`adk_tools`.

Each tool declares its JSON Schema to the model (``FunctionDeclaration.parameters_json_schema``) and
executes through the actions client's ``execute_tool`` (modifiers apply) for the connected account it
was listed for. The result is the tool's data (plus ``execution_id``); an SDK failure is returned as
``{"error": "<message>"}``, the shape ADK agents read tool errors in; other exceptions propagate.
"""

from __future__ import annotations

from typing import Any

try:
    from google.adk.tools.base_tool import BaseTool
    from google.adk.tools.tool_context import ToolContext
    from google.genai import types
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "scalekit_py.agentkit.google_adk needs google-adk: pip install 'scalekit-py[google-adk]'"
    ) from exc

from scalekit_py.agentkit._tooldefs import Execute, ToolSpec, run_execute
from scalekit_py.errors import ScalekitError

__all__ = ["ScalekitAdkTool", "adk_tools"]


class ScalekitAdkTool(BaseTool):
    """One Scalekit tool as an ADK tool."""

    def __init__(self, spec: ToolSpec, execute: Execute) -> None:
        super().__init__(name=spec.name, description=spec.description)
        self.spec = spec
        self._execute = execute

    def _get_declaration(self) -> types.FunctionDeclaration:
        return types.FunctionDeclaration(
            name=self.spec.name,
            description=self.spec.description,
            parameters_json_schema=self.spec.input_schema,
        )

    async def run_async(self, *, args: dict[str, Any], tool_context: ToolContext | None) -> dict[str, Any]:
        try:
            data, execution_id = await run_execute(self._execute, self.spec, dict(args))
        except ScalekitError as exc:
            return {"error": f"{self.spec.name} failed: {exc}"}
        return {**data, "execution_id": execution_id} if execution_id else data


def adk_tools(specs: list[ToolSpec], execute: Execute) -> list[ScalekitAdkTool]:
    """ADK tools for ``specs`` that run through ``execute`` (blocking or a coroutine function)."""
    return [ScalekitAdkTool(s, execute) for s in specs]
