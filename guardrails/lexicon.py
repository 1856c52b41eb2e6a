"""The input guardrails' patterns and word lists, loaded once from guardrails/data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from corpus.yamlio import load_yaml

LEXICON_PATH = Path(__file__).parent / "data" / "input_lexicon.yaml"


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@dataclass(frozen=True)
class InjectionPattern:
    regex: re.Pattern[str]
    whole_sentence: bool


@dataclass(frozen=True)
class Lexicon:
    hcc_anchors: re.Pattern[str]
    secondary_liver: re.Pattern[str]
    liver_anchors: re.Pattern[str]
    domain_terms: re.Pattern[str]
    generic_vocabulary_tokens: frozenset[str]
    other_cancers: re.Pattern[str]
    review_cross_tumour: re.Pattern[str]
    off_topic_tasks: re.Pattern[str]
    off_topic_topics: re.Pattern[str]
    emergency: re.Pattern[str]
    not_acute_before: re.Pattern[str]
    not_acute_after: re.Pattern[str]
    injections: tuple[InjectionPattern, ...]


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    raw = load_yaml(path)
    scope, emergency = raw["scope"], raw["emergency"]
    return Lexicon(
        hcc_anchors=_any(scope["hcc_anchors"]),
        secondary_liver=_any(scope["secondary_liver"]),
        liver_anchors=_any(scope["liver_anchors"]),
        domain_terms=_any(scope["domain_terms"]),
        generic_vocabulary_tokens=frozenset(scope["generic_vocabulary_tokens"]),
        other_cancers=_any(scope["other_cancers"]),
        review_cross_tumour=_any(scope["review_cross_tumour"]),
        off_topic_tasks=_any(scope["off_topic_tasks"]),
        off_topic_topics=_any(scope["off_topic_topics"]),
        emergency=_any(emergency["acute"]),
        not_acute_before=_any(emergency["not_acute_before"]),
        not_acute_after=_any(emergency["not_acute_after"]),
        injections=tuple(
            InjectionPattern(re.compile(p["regex"], re.IGNORECASE), p["scope"] == "sentence")
            for p in raw["injection"]["patterns"]
        ),
    )
