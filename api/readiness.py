"""Is this server ready to answer? The search index and the model loaded, the stores reachable.

The server starts listening at once and loads in the background; `/healthz` says "loading"
(503) until the index is open, the embedding model loaded and one answer has gone through the
whole pipeline, and "not ready" (503, with the reason) whenever the index or the conversation
store cannot be read. A load balancer sends traffic only to replicas that answer 200.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Literal

from api.errors import one_line
from api.models import Health
from assistant.agent import Assistant
from guardrails import phi

Status = Literal["ready", "loading", "not ready"]
WARM_QUESTION = "What was the PD rate in LEAP-002?"


def _warm_identifiers() -> None:
    try:
        phi.warm()
    except Exception as error:  # a question with such digits will build it, or fail, itself
        print(
            f"warning: the identifier check could not warm up: {one_line(str(error))}",
            file=sys.stderr,
        )


class Readiness:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.status: Status = "loading"
        self.detail = "loading the search index and the model"
        self._retriever: Any = None
        self._thread: threading.Thread | None = None
        self.answered = 0  # API answers served by this process (which replica did the work)
        self._count = threading.Lock()

    def count_answer(self) -> None:
        with self._count:
            self.answered += 1

    def warm(self) -> Readiness:
        """Load the index and the embedding model, then answer one question end to end."""
        self.assistant.deps.warm()  # the index and the query model loaded, one search run
        try:
            self._retriever = self.assistant.deps.retriever()
            self._retriever.collection.count()
        except Exception as error:
            self.status = "not ready"
            self.detail = f"review search unavailable: {one_line(str(error))}"
            print(f"warning: {self.detail}; run `python -m corpus build`", file=sys.stderr)
            return self
        try:
            self.assistant.ask(WARM_QUESTION)
        except Exception as error:
            self.status, self.detail = "not ready", f"the model failed: {one_line(str(error))}"
            print(f"warning: {self.detail}", file=sys.stderr)
            return self
        self.status, self.detail = "ready", ""
        # Presidio's analyzer is only needed for text with identifying digits (a phone number,
        # an IBAN...), so it is built after "ready", in its own thread: the first questions are
        # not held back for it, and a question with a phone number rarely finds it unbuilt.
        threading.Thread(target=_warm_identifiers, name="warm-identifiers", daemon=True).start()
        return self

    def warm_in_background(self) -> Readiness:
        self._thread = threading.Thread(target=self.warm, name="warm-up", daemon=True)
        self._thread.start()
        return self

    def wait(self, timeout_s: float | None = None) -> Readiness:
        if self._thread is not None:
            self._thread.join(timeout_s)
        return self

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def check(self) -> Health:
        """The health report, probing the index and the conversation store now."""
        model = self.assistant.backend
        conversations = self.assistant.conversations.describe()
        if not self.ready:
            return Health(status=self.status, detail=self.detail, model=model)
        try:
            chunks = self._retriever.collection.count()
            if not chunks:
                raise ValueError("it holds no chunks")
        except Exception as error:
            return Health(
                status="not ready",
                detail=f"the search index cannot be read: {one_line(str(error))}",
                model=model,
                conversations=conversations,
            )
        try:
            self.assistant.conversations.ping()
        except Exception as error:
            return Health(
                status="not ready",
                detail=f"the conversation store cannot be read: {one_line(str(error))}",
                index=f"{chunks} chunks",
                model=model,
                conversations=conversations,
            )
        mode = self.assistant.settings.index.chroma_mode
        return Health(
            status="ready",
            index=f"{chunks} chunks ({mode})",
            model=model,
            conversations=conversations,
            answered=self.answered,
        )
