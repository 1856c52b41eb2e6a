"""What the tools read, passed in rather than held in module globals.

The search index (Chroma) and the query embedder load on the first search, not at import: a trial
fact or a rule-core question never imports chromadb, onnxruntime or torch. A server calls `warm`
before it reports ready, so its first search is as fast as the rest.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.settings import AssistantSettings
from corpus.errors import IndexUnavailable
from corpus.sources import ChunkLocator, default_locator
from corpus.trials import TrialRegistry, load_trials

if TYPE_CHECKING:
    from corpus.retrieval import HybridRetriever

Artifact = dict[str, Any]
RETRY_AFTER_S = 30.0  # a failed index open is retried no sooner (the operator may fix it)


@dataclass(frozen=True)
class Readiness:
    """What `ToolDeps.warm` found: whether search works, with which embedder, how long it took."""

    search: bool
    embedder: str  # "OnnxEmbedder", "MiniLMEmbedder" (the reference) or a test's fake
    seconds: float
    problem: str | None = None  # for the operator's log; never shown to a user

    @property
    def summary(self) -> str:
        if self.search:
            return f"review search ready ({self.embedder}) in {self.seconds:.1f} s"
        return f"review search unavailable: {self.problem}"


@dataclass
class ToolDeps:
    """What the tools read; the retriever (and its model) is only loaded when search is used."""

    settings: AssistantSettings = field(default_factory=AssistantSettings)
    trials: TrialRegistry = field(default_factory=load_trials)
    locator: ChunkLocator = field(default_factory=default_locator)
    retriever_factory: Callable[[], HybridRetriever] | None = None
    _retriever: HybridRetriever | None = None
    readiness: Readiness | None = None  # set by `warm`
    _failure: tuple[float, IndexUnavailable] | None = field(default=None, repr=False)
    # The web app answers several sessions at once: only one of them may load the model.
    _loading: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def retriever(self) -> HybridRetriever:
        """The retriever, opened on first use; `IndexUnavailable` when it cannot be opened.

        A failure is reported once on stderr (for the operator) and remembered for
        RETRY_AFTER_S, so a broken index does not cost every question a new attempt.
        """
        with self._loading:
            if self._retriever is not None:
                return self._retriever
            if self._failure and time.monotonic() - self._failure[0] < RETRY_AFTER_S:
                raise self._failure[1]
            try:
                self._retriever = (self.retriever_factory or self._open)()
            except IndexUnavailable as error:
                if self._failure is None or str(self._failure[1]) != str(error):
                    print(f"error: review search unavailable: {error}", file=sys.stderr)
                self._failure = (time.monotonic(), error)
                raise
            self._failure = None
            return self._retriever

    def _open(self) -> HybridRetriever:
        from corpus.retrieval import open_retriever

        return open_retriever(self.settings.index, progress=False)

    def warm(self) -> Readiness:
        """Open the index and run one query embedding, so the first search is not the slow one.

        The readiness hook of a server: call it before reporting ready. It never raises (rule and
        trial questions are answered without search); the result is also kept in `readiness`.
        """
        started = time.perf_counter()
        try:
            retriever = self.retriever()
            retriever.search("warm-up: first-line systemic therapy", k=1)
        except Exception as error:  # IndexUnavailable, or anything else a damaged install raises
            problem = str(error) if isinstance(error, IndexUnavailable) else repr(error)
            self.readiness = Readiness(False, "", time.perf_counter() - started, problem)
        else:
            kind = type(retriever.embedder).__name__
            self.readiness = Readiness(True, kind, time.perf_counter() - started)
        return self.readiness
