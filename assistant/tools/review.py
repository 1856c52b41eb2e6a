"""The search tool over the review's text and tables."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.tools import ToolException

from assistant.tools.deps import Artifact, ToolDeps
from corpus.errors import IndexUnavailable, QueryError
from corpus.sources import Citation

SEARCH_UNAVAILABLE = (
    "The review could not be searched: its search index is unavailable on this server (the "
    "operator has been told). Trial records and the rule core still answer."
)


def _search_review(deps: ToolDeps) -> Callable[..., tuple[str, Artifact]]:
    def search_review(query: str, k: int = 5) -> tuple[str, Artifact]:
        """Search the review's text and tables; returns the best passages with their chunk ids.

        Use for anything that is not a single trial figure or a patient's regimen choice:
        mechanisms, guidelines, second-line evidence, ADAs, definitions. k: 1-10 passages.
        """
        try:
            hits = deps.retriever().search(query, k=max(1, min(int(k), 10)))
        except QueryError as error:
            raise ToolException(f"{error}. Send a short search query in plain words.") from None
        except IndexUnavailable:
            # The reason (a server path, the setting to change) is for the operator: ToolDeps
            # has logged it. The model and the user only learn that search is out of service.
            raise ToolException(SEARCH_UNAVAILABLE) from None
        blocks, citations = [], []
        for hit in hits:
            chunk = hit.chunk
            printed_refs = ", ".join(map(str, chunk.refs)) or "none"
            blocks.append(f"[{chunk.id}] ({chunk.section}; refs {printed_refs})\n{chunk.text}")
            citations.append(
                Citation(trial=None, refs=chunk.refs, chunk_ids=(chunk.id,), quote=chunk.text[:300])
            )
            for trial_id in chunk.trials:  # the trials the passage reports on
                trial = deps.trials.get(trial_id)
                refs = tuple(sorted(set(trial.refs) & set(chunk.refs))) or trial.refs
                citations.append(
                    Citation(
                        trial=trial.name,
                        trial_id=trial.id,
                        refs=refs,
                        chunk_ids=(chunk.id,),
                        quote=chunk.text[:300],
                    )
                )
        artifact = {
            "tool": "search_review",
            "query": query,
            "hits": [
                {
                    "id": h.chunk.id,
                    "section": h.chunk.section,
                    "trials": list(h.chunk.trials),
                    "trial_names": [deps.trials.get(t).name for t in h.chunk.trials],
                    "refs": list(h.chunk.refs),
                    "text": h.chunk.text,
                    "score": h.score,
                }
                for h in hits
            ],
            "citations": [c.model_dump() for c in citations],
        }
        return "\n\n".join(blocks) or "No passage of the review matches.", artifact

    return search_review
