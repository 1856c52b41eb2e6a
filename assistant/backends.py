"""The chat model behind the agent: the offline planner, or a real LLM by configuration."""

from __future__ import annotations

import os

from langchain_core.language_models import BaseChatModel

from assistant.planner import PlannerChatModel
from assistant.settings import AssistantSettings


class BackendError(Exception):
    """A backend cannot be built from the settings (a person must fix the configuration)."""


def make_model(settings: AssistantSettings) -> BaseChatModel:
    if settings.backend == "planner":
        return PlannerChatModel()
    if not settings.model:
        raise BackendError(f"backend {settings.backend!r} needs a model name (HCC_MODEL)")
    if settings.backend == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=settings.model,
            base_url=settings.base_url or "http://127.0.0.1:11434",
            temperature=settings.temperature,
            client_kwargs={"timeout": settings.request_timeout_s},
        )
    if settings.backend == "openai":
        from langchain_openai import ChatOpenAI

        key = os.environ.get(settings.api_key_env)
        if not key and not settings.base_url:
            raise BackendError(
                f"backend 'openai' needs an API key in ${settings.api_key_env} or a base URL "
                "of an OpenAI-compatible server (HCC_BASE_URL)"
            )
        return ChatOpenAI(
            model=settings.model,
            base_url=settings.base_url,
            api_key=key or "not-needed",  # local OpenAI-compatible servers accept any key
            temperature=settings.temperature,
            timeout=settings.request_timeout_s,
            max_retries=settings.max_retries,
            streaming=settings.stream,
        )
    raise BackendError(f"unknown backend {settings.backend!r}")
