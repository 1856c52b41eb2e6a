"""The review's own sentences that answer a question, found within the passages search returned.

Why, how and what-does-the-review-say questions are answered by one to three sentences, quoted,
not by whole passages. Search (dense + BM25 over chunks) finds the passages; here each sentence of
them is ranked by a hybrid of its own lexical match (BM25 over words and clinical concepts, so
"EGD" meets "esophagogastroduodenoscopy") and the rank of its passage, and a sentence about the
trial or regimen the conversation is about counts more. Each sentence keeps the references it
cites (or, when it cites none, those of the sentence before it in its paragraph).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corpus.chunking import split_sentences
from corpus.citations import refs_in, strip_markers
from corpus.vocabulary import load_vocabulary, normalize

_WORD = re.compile(r"[a-z][a-z0-9-]+|\d+(?:\.\d+)?")
# Words every sentence may share with a question: they carry no answer.
_STOP = frozenset(
    "a an and are as at be by can could did do does for from had has have how in is it its may "
    "might of on or should than that the their them then there these they this those to was we "
    "were what when where which who why will with would review say says said what's whats about "
    "patient patients hcc treatment therapy explain reason reasons rationale".split()
)
K1, B = 1.2, 0.75  # BM25
PASSAGE_WEIGHT = 2.0  # a sentence of the first passage gains this much over the fourth
CONTEXT_BOOST = 1.5  # a sentence naming the trial or regimen the conversation is about
MIN_WORDS = 6  # shorter pieces are headings or fragments, not answers
COVERED_WEIGHT = 0.3  # a question term already answered by a chosen sentence


@dataclass(frozen=True)
class Sentence:
    text: str  # as printed, citation markers removed
    chunk_id: str
    section: str
    refs: tuple[int, ...]
    score: float
    position: int  # order within its passage, to quote several in reading order


STEM = 7  # "significant"/"significance", "endpoints"/"endpoint" share their first letters


def _terms(text: str) -> list[str]:
    plain = normalize(strip_markers(text))
    words = [w[:STEM] for w in _WORD.findall(plain) if w not in _STOP]
    return words + load_vocabulary().concepts_in(plain)


def _candidates(hits: Sequence[dict]) -> list[tuple[str, dict, int, tuple[int, ...], int]]:
    """(sentence, hit, hit rank, refs, position) for every sentence of the passages."""
    found = []
    for rank, hit in enumerate(hits):
        previous: tuple[int, ...] = ()
        for position, sentence in enumerate(split_sentences(hit["text"])):
            own = refs_in(sentence)
            refs = own or previous or tuple(hit.get("refs", ()))
            previous = own or previous
            found.append((sentence, hit, rank, refs, position))
    return found


def best_sentences(
    question: str, hits: Sequence[dict], context: Iterable[str] = (), limit: int = 3
) -> list[Sentence]:
    """Up to `limit` sentences of the search hits that best answer `question`, best first.

    `hits` are search_review artifact hits (text, id, section, refs); `context` names the trial
    or regimen the conversation is about ("HIMALAYA", "STRIDE")."""
    candidates = [c for c in _candidates(hits) if len(c[0].split()) >= MIN_WORDS]
    if not candidates:
        return []
    documents = [_terms(c[0]) for c in candidates]
    frequency = Counter(term for terms in documents for term in set(terms))
    count = len(documents)
    average = sum(len(d) for d in documents) / count
    asked = Counter(_terms(question))
    named = [normalize(n) for n in context if n]
    pool = []
    for (sentence, hit, rank, refs, position), terms in zip(candidates, documents, strict=True):
        counts = Counter(terms)
        matched = {}
        for term in asked:
            tf = counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
            matched[term] = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(terms) / average))
        if not matched:
            continue
        passage = PASSAGE_WEIGHT / (1 + rank)
        boost = CONTEXT_BOOST if any(n in normalize(sentence) for n in named) else 0.0
        text = " ".join(strip_markers(sentence).split())
        pool.append((text, hit, refs, position, matched, passage + boost))
    # Greedy, by what each sentence adds: a term of the question a chosen sentence already
    # answers counts for less, so a question of several parts gets a sentence for each.
    covered: set[str] = set()
    chosen: list[Sentence] = []
    seen: set[str] = set()
    while pool and len(chosen) < limit:
        gains = [_gain(entry[4], asked, covered) + entry[5] for entry in pool]
        index = max(range(len(pool)), key=gains.__getitem__)
        text, hit, refs, position, matched, _ = pool.pop(index)
        if text in seen:
            continue
        seen.add(text)
        covered |= set(matched)
        section = hit.get("section", "")
        chosen.append(Sentence(text, hit["id"], section, refs, gains[index], position))
    return chosen


def _gain(matched: dict[str, float], asked: Counter[str], covered: set[str]) -> float:
    """A sentence's lexical score, its terms already answered by chosen sentences discounted."""
    return sum(
        asked[term] * score * (COVERED_WEIGHT if term in covered else 1.0)
        for term, score in matched.items()
    )


# A sentence that gives the reason for the one before it ("This may be because...").
_EXPLAINS = re.compile(
    r"^(?:this|these|that|it|they|which)\s+(?:is|are|was|were|may|might|could|can|probably"
    r"|likely|possibly|suggests?|indicates?|reflects?)\b|^(?:because|since|owing|due)\b"
    r"|\b(?:because|due\s+to|owing\s+to|attributed\s+to|the\s+reason|as\s+a\s+result)\b",
    re.IGNORECASE,
)


def explanation(sentence: Sentence, hits: Sequence[dict]) -> Sentence | None:
    """The sentence after `sentence` in its passage when it gives the reason for it: a why-
    question's answer is often the review's statement and, next, its explanation."""
    for hit in hits:
        if hit.get("id") != sentence.chunk_id:
            continue
        following = split_sentences(hit["text"])[sentence.position + 1 : sentence.position + 2]
        if following:
            text = " ".join(strip_markers(following[0]).split())
            if _EXPLAINS.search(text):
                refs = refs_in(following[0]) or sentence.refs
                return Sentence(
                    text, sentence.chunk_id, sentence.section, refs, 0.0, sentence.position + 1
                )
    return None
