"""What a question asks for, by its nearest labelled examples (data/asks.yaml).

The planner's rules catch the phrasings they were written for; a phrasing they miss ("onc wants
to go with len/pembro - your take?") is recognised by the examples it resembles, so it is handled
by adding an example, not another rule. Names, metric words, patient shorthand and numbers are
masked first, so an example teaches the shape of a question, not a trial: "ORR in <trial>?".

Lexical (TF-IDF over words and word pairs, cosine, k nearest): deterministic, about a tenth of a
millisecond, and free of the embedding model, which the fact path must not load (issue 17).
`python -m eval asks` measures it by leave-one-out beside MiniLM's nearest neighbours.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.planner.metrics import METRIC_WORDS
from corpus.vocabulary import load_vocabulary, normalize
from corpus.yamlio import load_yaml

ASKS_PATH = Path(__file__).resolve().parent / "data" / "asks.yaml"
LABELS = ("figure", "rank", "statement", "options", "verdict", "criteria")
K = 5
MIN_SIMILARITY = 0.2  # below it, the nearest example is not near: no label
CONFIDENT = 0.6  # share of the neighbours' weight a label needs to be acted on
NEAR = 0.3  # and the similarity its nearest example needs

# Patient shorthand the vocabulary does not hold: "CP-A6", "PS0", "Vp3", "BCLC C", "58F".
_PATIENT = re.compile(
    r"\b(?:cp|ctp|child[- ]pugh)[- ]?[abc]\d{0,2}\b|\b(?:ps|ecog|who)\s*[0-4]\b|\bvp\s*[0-4]\b"
    r"|\bbclc[- ]?[0abcd]\b|\b\d{2}\s*(?:m|f|yo|y/o|yr)\b|\bs/p\b|\bh/o\b"
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\s*%?")
_WORD = re.compile(r"[a-z]+|<[a-z]+>")


@dataclass(frozen=True)
class Ask:
    label: str | None  # None when no example is near enough
    confidence: float  # the label's share of the neighbours' similarity
    neighbours: tuple[tuple[str, str, float], ...] = ()  # (label, example, similarity)

    def is_(self, label: str) -> bool:
        nearest = self.neighbours[0][2] if self.neighbours else 0.0
        return self.label == label and self.confidence >= CONFIDENT and nearest >= NEAR


def masked(text: str) -> str:
    """The question with names, metric words, patient shorthand and numbers as placeholders."""
    lowered = normalize(text)
    spans: list[tuple[int, int, str]] = []
    groups = _masks()
    for token, start, end in load_vocabulary().matches(text):
        kind, _, name = token.partition("_")
        placeholder = {"trial": "<trial>", "regimen": "<drug>", "agent": "<drug>"}.get(kind)
        spans.append((start, end, placeholder or f"<{groups.get(name, name)}>"))
    for pattern, _ in METRIC_WORDS:
        spans += [(m.start(), m.end(), "<metric>") for m in re.finditer(pattern, lowered)]
    spans += [(m.start(), m.end(), "<patient>") for m in _PATIENT.finditer(lowered)]
    spans += [(m.start(), m.end(), "<number>") for m in _NUMBER.finditer(lowered)]
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    out, last = [], 0
    for start, end, placeholder in kept:
        out += [lowered[last:start], f" {placeholder} "]
        last = end
    out.append(lowered[last:])
    return "".join(out)


def _stem(word: str) -> str:
    """ "suggests", "suggested" -> "sugge": a crude stem, enough for the words of a question."""
    return word if word.startswith("<") else word[:5]


def features(text: str) -> Counter[str]:
    words = [_stem(w) for w in _WORD.findall(masked(text))]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return Counter([*words, *pairs])


@dataclass(frozen=True)
class _Index:
    idf: dict[str, float]
    vectors: tuple[dict[str, float], ...]
    labels: tuple[str, ...]
    texts: tuple[str, ...]


@cache
def _masks(path: Path = ASKS_PATH) -> dict[str, str]:
    """Vocabulary concept -> the placeholder it is masked as (data/asks.yaml `masks`)."""
    raw = load_yaml(path)["masks"]
    return {concept: group for group, concepts in raw.items() for concept in concepts}


def load_examples(path: Path = ASKS_PATH) -> list[tuple[str, str]]:
    raw = load_yaml(path)["examples"]
    return [(str(e["label"]), str(e["text"])) for e in raw]


def _weigh(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear TF-IDF, unit length; a feature no example has weighs nothing."""
    vector = {f: (1 + math.log(n)) * idf[f] for f, n in counts.items() if f in idf}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items()}


def build(examples: list[tuple[str, str]]) -> _Index:
    counted = [features(text) for _, text in examples]
    documents = Counter(f for counts in counted for f in counts)
    idf = {f: math.log((1 + len(examples)) / (1 + n)) + 1 for f, n in documents.items()}
    return _Index(
        idf=idf,
        vectors=tuple(_weigh(c, idf) for c in counted),
        labels=tuple(label for label, _ in examples),
        texts=tuple(text for _, text in examples),
    )


@cache
def _index() -> _Index:
    return build(load_examples())


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def sentences_of(question: str) -> list[str]:
    """A question's sentences (a note's lines count as sentences)."""
    return [s.strip() for s in _SENTENCE_END.split(question) if s.strip()]


def asking_sentence(question: str) -> str:
    """The sentence that asks: the last with a question mark, else the last ("58M, CP-A5, PS0.
    onc wants STRIDE - your take?" asks in its last sentence; its facts ask nothing)."""
    sentences = sentences_of(question)
    asking = [s for s in sentences if "?" in s]
    return (asking or sentences or [question])[-1]


def classify(question: str, index: _Index | None = None, k: int = K) -> Ask:
    """The label of the examples nearest `question`, weighted by similarity."""
    index = index or _index()
    vector = _weigh(features(question), index.idf)
    scored = sorted(
        (
            (sum(w * other.get(f, 0.0) for f, w in vector.items()), i)
            for i, other in enumerate(index.vectors)
        ),
        reverse=True,
    )[:k]
    near = [(s, i) for s, i in scored if s >= MIN_SIMILARITY]
    neighbours = tuple((index.labels[i], index.texts[i], round(s, 3)) for s, i in scored)
    if not near:
        return Ask(None, 0.0, neighbours)
    votes: dict[str, float] = {}
    for similarity, i in near:
        votes[index.labels[i]] = votes.get(index.labels[i], 0.0) + similarity
    label, weight = max(votes.items(), key=lambda item: item[1])
    return Ask(label, weight / sum(votes.values()), neighbours)
