"""Settings of the assistant: which model backend, and the index it searches.

Read from the environment with the HCC_ prefix (HCC_BACKEND=ollama, HCC_MODEL=qwen2.5,
HCC_BASE_URL=http://127.0.0.1:11434); the OpenAI-compatible key is read from the variable named by
HCC_API_KEY_ENV (OPENAI_API_KEY by default) and never stored in settings files or logs.
Where conversations are kept is `conversations` (HCC_CONVERSATIONS_*, assistant/conversations.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.conversations import ConversationSettings
from corpus.settings import IndexSettings

Backend = Literal["planner", "ollama", "openai"]


class AssistantSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HCC_", extra="ignore")

    backend: Backend = "planner"
    model: str | None = None  # required for ollama and openai
    base_url: str | None = None  # Ollama default http://127.0.0.1:11434; any OpenAI-compatible URL
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    request_timeout_s: float = Field(default=120.0, gt=0)
    # Retries of a failed request: each waits up to the timeout again, so none by default.
    max_retries: int = Field(default=0, ge=0, le=5)
    stream: bool = False  # ask an OpenAI-compatible server to stream (Ollama always streams)
    max_question_chars: int = Field(default=4000, gt=0)
    max_tool_rounds: int = Field(default=6, ge=1, le=20)
    index: IndexSettings = Field(default_factory=IndexSettings)
    conversations: ConversationSettings = Field(default_factory=ConversationSettings)
