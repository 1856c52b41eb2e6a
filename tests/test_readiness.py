"""`ToolDeps.warm`, the readiness hook a server calls before it reports ready."""

from __future__ import annotations

import pytest

from assistant.tools import ToolDeps
from corpus.errors import IndexUnavailable


def test_warm_opens_the_index_and_embeds_one_query(fake_retriever_factory) -> None:
    retriever = fake_retriever_factory()
    embedded: list[list[str]] = []
    original = retriever.embedder

    class Counting:
        name = original.name

        def __call__(self, texts: list[str]) -> list[list[float]]:
            embedded.append(texts)
            return original(texts)

    retriever.embedder = Counting()
    try:
        deps = ToolDeps(retriever_factory=lambda: retriever)
        readiness = deps.warm()
    finally:
        retriever.embedder = original
    assert readiness.search and readiness.embedder == "Counting" and readiness.problem is None
    assert len(embedded) == 1  # the query model ran once, before any user's question
    assert deps.readiness is readiness
    assert readiness.summary.startswith("review search ready (Counting) in ")


@pytest.mark.parametrize(
    "error", [IndexUnavailable("cannot write the index in /srv/x"), RuntimeError("disk I/O error")]
)
def test_warm_never_raises_and_says_why(error: Exception, capsys) -> None:
    def broken():
        raise error

    readiness = ToolDeps(retriever_factory=broken).warm()
    assert not readiness.search
    assert readiness.summary.startswith("review search unavailable: ")
    assert ("/srv/x" if isinstance(error, IndexUnavailable) else "disk I/O error") in str(
        readiness.problem
    )
