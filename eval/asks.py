"""`python -m eval asks`: how well the labelled examples of assistant/planner/data/asks.yaml teach
what a question asks, by leave-one-out (each example classified by all the others).

Lexical nearest neighbours (what the planner runs) beside MiniLM's (the project's embedding
model, on its ONNX query session): the comparison behind keeping the planner lexical.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from assistant.planner.asks import MIN_SIMILARITY, K, build, classify, load_examples, masked


def lexical_leave_one_out(examples: list[tuple[str, str]]) -> list[str | None]:
    return [
        classify(text, build(examples[:i] + examples[i + 1 :])).label
        for i, (_, text) in enumerate(examples)
    ]


def dense_leave_one_out(
    examples: list[tuple[str, str]], embed: Callable[[list[str]], Sequence[Sequence[float]]]
) -> list[str | None]:
    vectors = [_unit(v) for v in embed([text for _, text in examples])]
    found: list[str | None] = []
    for i, vector in enumerate(vectors):
        scored = sorted(
            (
                (sum(a * b for a, b in zip(vector, other, strict=True)), j)
                for j, other in enumerate(vectors)
                if j != i
            ),
            reverse=True,
        )[:K]
        votes: dict[str, float] = {}
        for similarity, j in scored:
            if similarity >= MIN_SIMILARITY:
                votes[examples[j][0]] = votes.get(examples[j][0], 0.0) + similarity
        found.append(max(votes, key=lambda label: votes[label]) if votes else None)
    return found


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def accuracy(examples: list[tuple[str, str]], found: list[str | None]) -> float:
    return sum(label == got for (label, _), got in zip(examples, found, strict=True)) / len(
        examples
    )


def report() -> str:
    examples = load_examples()
    per_label = Counter(label for label, _ in examples)
    lines = [
        f"{len(examples)} labelled examples: "
        + ", ".join(f"{label} {n}" for label, n in sorted(per_label.items())),
        f"lexical nearest neighbours (the planner's), leave-one-out: "
        f"{accuracy(examples, lexical_leave_one_out(examples)):.1%}",
    ]
    try:
        from corpus.index import query_embedder
        from corpus.settings import IndexSettings

        embed = query_embedder(IndexSettings())
        dense = dense_leave_one_out(examples, embed)
        hidden = [(label, masked(text)) for label, text in examples]
        masked_dense = dense_leave_one_out(hidden, embed)
        lines.append(
            f"MiniLM nearest neighbours, leave-one-out: {accuracy(examples, dense):.1%} on the "
            f"questions as written, {accuracy(examples, masked_dense):.1%} on the masked ones"
        )
    except Exception as error:  # no built index here: the lexical figure stands alone
        lines.append(f"MiniLM nearest neighbours: not measured ({type(error).__name__})")
    return "\n".join(lines)
