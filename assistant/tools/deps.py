"""What the tools read, passed in rather than held in module globals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.settings import AssistantSettings
from corpus.retrieval import HybridRetriever, open_retriever
from corpus.sources import ChunkLocator, default_locator
from corpus.trials import TrialRegistry, load_trials

Artifact = dict[str, Any]


@dataclass
class ToolDeps:
    """What the tools read; the retriever (and its model) is only loaded when search is used."""

    settings: AssistantSettings = field(default_factory=AssistantSettings)
    trials: TrialRegistry = field(default_factory=load_trials)
    locator: ChunkLocator = field(default_factory=default_locator)
    retriever_factory: Callable[[], HybridRetriever] | None = None
    _retriever: HybridRetriever | None = None
    # The web app answers several sessions at once: only one of them may load the model.
    _loading: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def retriever(self) -> HybridRetriever:
        with self._loading:
            if self._retriever is None:
                factory = self.retriever_factory or (
                    lambda: open_retriever(self.settings.index, progress=False)
                )
                self._retriever = factory()
            return self._retriever
