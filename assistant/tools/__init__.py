"""The agent's tools: the rule core, hybrid search and the trial records, with their sources.

Each tool returns text for the model and an artifact for the program: the structured result and
the citations (trial, reference numbers, chunk ids, quote) that make the answer checkable.
Errors the model can fix come back as tool output with a hint (`ToolException`).
"""

from __future__ import annotations

from langchain_core.tools import BaseTool, StructuredTool

from assistant.tools.deps import Artifact, ToolDeps
from assistant.tools.patient import _check_resectability, _locoregional_options, _select_regimens
from assistant.tools.review import _search_review
from assistant.tools.trials import _compare_trials, _list_trials, _lookup_trial

__all__ = ["Artifact", "ToolDeps", "build_tools"]

TOOL_FACTORIES = (
    _select_regimens,
    _check_resectability,
    _locoregional_options,
    _search_review,
    _lookup_trial,
    _compare_trials,
    _list_trials,
)


def build_tools(deps: ToolDeps) -> list[BaseTool]:
    """The tools over one set of dependencies."""
    tools: list[BaseTool] = []
    for factory in TOOL_FACTORIES:
        function = factory(deps)
        tools.append(
            StructuredTool.from_function(
                function,
                response_format="content_and_artifact",
                handle_tool_error=True,
                handle_validation_error=_validation_hint,
            )
        )
    return tools


def _validation_hint(error: Exception) -> str:
    return (
        f"Invalid arguments: {error}. Fix the arguments and call the tool again; leave out "
        "facts that are unknown rather than guessing them."
    )
