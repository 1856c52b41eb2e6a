"""The default, offline model: reads the question, calls the tools, composes a cited answer."""

from assistant.planner.model import PlannerChatModel

__all__ = ["PlannerChatModel"]
