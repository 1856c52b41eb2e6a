"""ConText: how each finding is asserted (denied, uncertain, past, planned, asked as a what-if).

The algorithm of Harkema et al. (J Biomed Inform 2009), generalising NegEx: trigger terms of a
category reach the findings in their scope, forward or backward; a scope ends at the sentence
end, a termination term, a trigger of another category or `max_scope` words. Every term is data
(clinical/data/context.yaml). Two additions, both for safety:
- a denial reaches over a list of bare items ("no lupus, RA or IBD") but not past a comma
  otherwise ("no varices, lupus": lupus is stated);
- a denial whose words do not clearly attach to the finding ("no complications with his graft")
  is `unclear`: the caller reads a contraindication as uncertain rather than as denied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from clinical.reader.text import Sentence, words
from corpus.yamlio import load_yaml

CONTEXT_PATH = Path(__file__).resolve().parent.parent / "data" / "context.yaml"


class Category(StrEnum):
    NEGATED = "negated"
    UNCERTAIN = "uncertain"
    HISTORICAL = "historical"
    HYPOTHETICAL = "hypothetical"
    SCENARIO = "scenario"
    CURRENT = "current"
    OTHER = "other"  # someone else's finding ("her sister has MS")


@dataclass(frozen=True)
class Trigger:
    category: Category
    forward: bool
    start: int
    end: int
    max_scope: int
    loose: bool = False  # may reach back over punctuation


@dataclass
class Assertion:
    """The categories that reach one finding, with the trigger words and whether a denial is
    clean (only filler words between it and the finding)."""

    categories: set[Category] = field(default_factory=set)
    cues: list[str] = field(default_factory=list)
    cue_spans: list[tuple[int, int]] = field(default_factory=list)
    unclear_denial: bool = False

    def has(self, category: Category) -> bool:
        return category in self.categories


def _term(pattern: str) -> str:
    """A term, word-bounded where it starts or ends with a word character."""
    left = r"(?<![a-z0-9])" if re.match(r"[a-z0-9(]", pattern) else ""
    right = r"(?![a-z0-9])" if re.search(r"[a-z0-9)]$", pattern) else ""
    return f"{left}(?:{pattern}){right}"


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    # Longest alternatives first so "no history of" wins over "no".
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile("|".join(_term(p) for p in ordered))


# Categories whose terms listed both forward and backward reach both ways from one match.
_BOTH_WAYS = frozenset({Category.HISTORICAL, Category.NEGATED, Category.UNCERTAIN})


@dataclass(frozen=True)
class ContextRules:
    triggers: tuple[tuple[Category, str, re.Pattern[str], int], ...]  # direction: forward,
    # backward or backward_loose
    pseudo: re.Pattern[str]
    terminators: re.Pattern[str]  # end every scope
    weak_terminators: re.Pattern[str]  # end denials and forward scopes
    fillers: frozenset[str]
    joiners: frozenset[str]
    closers: frozenset[str]
    list_item_words: int

    def find_triggers(self, text: str, sentence: Sentence) -> list[Trigger]:
        """Trigger matches in a sentence, pseudo-triggers' words excluded, longest first."""
        piece = text[sentence.start : sentence.end]
        taken = [(m.start(), m.end()) for m in self.pseudo.finditer(piece)]
        found: list[Trigger] = []
        candidates = []
        for category, direction, pattern, scope in self.triggers:
            for match in pattern.finditer(piece):
                if match.end() > match.start():
                    candidates.append((match.start(), match.end(), category, direction, scope))
        # Overlaps resolve to the longest match (then the earliest).
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        past: set[tuple[int, int, Category]] = set()
        for start, end, category, direction, scope in candidates:
            # A past marker or a denial listed both ways reaches both ways ("psoriasis as a
            # child", "as a child she had psoriasis"; "transplant hx nil", "nil transplant").
            both = (
                category in _BOTH_WAYS
                and (start, end, category) in past
                and piece[start:end].strip("?") != ""  # a "?" looks one way (its own terms)
            )
            if not both and any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            if category in _BOTH_WAYS:
                past.add((start, end, category))
            found.append(
                Trigger(
                    category,
                    direction == "forward",
                    start + sentence.start,
                    end + sentence.start,
                    scope,
                    loose=direction == "backward_loose",
                )
            )
        return sorted(found, key=lambda t: t.start)

    def terminator_positions(
        self, text: str, sentence: Sentence, weak: bool = False
    ) -> list[tuple[int, int]]:
        piece = text[sentence.start : sentence.end]
        pattern = self.weak_terminators if weak else self.terminators
        return [
            (m.start() + sentence.start, m.end() + sentence.start) for m in pattern.finditer(piece)
        ]


@cache
def load_context_rules(path: Path = CONTEXT_PATH) -> ContextRules:
    raw: dict[str, Any] = load_yaml(path)
    default_scope = int(raw["max_scope"])
    triggers = []
    for name, spec in raw["triggers"].items():
        category = Category(name)
        scope = int(spec.get("max_scope", default_scope))
        for direction in ("forward", "backward", "backward_loose"):
            terms = spec.get(direction) or []
            if terms:
                triggers.append((category, direction, _alternation(terms), scope))
    lists = raw["lists"]
    return ContextRules(
        triggers=tuple(triggers),
        pseudo=_alternation(raw["pseudo"]),
        terminators=_alternation(raw["terminators"]["strong"]),
        weak_terminators=_alternation(raw["terminators"]["weak"]),
        fillers=frozenset(str(w) for w in raw["fillers"]),
        joiners=frozenset(lists["joiners"]),
        closers=frozenset(lists["closers"]),
        list_item_words=int(lists["list_item_words"]),
    )


_INTERROGATIVE = re.compile(
    r"\b(?:what|which|how|why|when|should|would|could|can|is|are|does|do|did|any|anything|ok|okay"
    r"|reasonable|options?|safe|suitable|best|next|preclude|problem|issue|still|given)\b"
)
QUERY_FRAGMENT_WORDS = 6
QUERY_TAIL_WORDS = 2  # words between the queried finding and its "?"


def _query_mark(text: str, sentence: Sentence) -> tuple[int, int] | None:
    """The sentence as a queried fragment ("autoimmune hepatitis?"): a short sentence ending in
    "?" that asks nothing, or None."""
    if sentence.end >= len(text) or text[sentence.end] != "?":
        return None
    piece = text[sentence.start : sentence.end]
    if _INTERROGATIVE.search(piece) or len(words(text, sentence.start, sentence.end)) > (
        QUERY_FRAGMENT_WORDS
    ):
        return None
    return sentence.start, sentence.end


def _words_between(text: str, start: int, end: int) -> list[str]:
    return [text[a:b] for a, b in words(text, start, end)] + ([","] * text[start:end].count(","))


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Words, those joined by "/" taken apart ("no h/o SLE/RA/IBD/MS": each item on its own);
    "h/o" and "and/or" stay whole."""
    found = []
    for w_start, w_end in words(text, start, end):
        word = text[w_start:w_end]
        if "/" not in word or word in ("h/o", "and/or", "s/p", "w/o", "r/o"):
            found.append((w_start, w_end))
            continue
        offset = w_start
        for part in word.split("/"):
            if part:
                found.append((offset, offset + len(part)))
            offset += len(part) + 1
    return found


class SentenceContext:
    """The triggers and terminators of one sentence, asked about each finding in it."""

    def __init__(self, rules: ContextRules, text: str, sentence: Sentence) -> None:
        self.rules, self.text, self.sentence = rules, text, sentence
        self.triggers = rules.find_triggers(text, sentence)
        self.terminators = rules.terminator_positions(text, sentence)
        self.weak = rules.terminator_positions(text, sentence, weak=True)
        self.query_mark = _query_mark(text, sentence)

    def assertion(
        self,
        start: int,
        end: int,
        others: list[tuple[int, int]],
        queryable: bool = True,
        listable: bool = True,
    ) -> Assertion:
        """How the finding at text[start:end] is asserted; `others` are the spans of the other
        findings of the sentence (list items a denial may run over)."""
        result = Assertion()
        for trigger in self.triggers:
            if start <= trigger.start and trigger.end <= end:
                continue  # a trigger inside the finding's own words ("varices not banded")
            if trigger.forward and trigger.start < start:  # "no prior TACE" reaches into it
                reach = self._forward_reach(trigger, max(start, trigger.end), others, listable)
            elif not trigger.forward and trigger.end > end:
                reach = self._backward_reach(trigger, min(end, trigger.start), others)
            else:
                continue
            if reach is None:
                continue
            result.categories.add(trigger.category)
            result.cues.append(self.text[trigger.start : trigger.end])
            result.cue_spans.append((trigger.start, trigger.end))
            if trigger.category is Category.NEGATED and reach == "unclear":
                result.unclear_denial = True
        queried = self.query_mark is not None and self._queried(start, end)
        if queryable and queried and not result.categories - {Category.HISTORICAL}:
            # "AIH? (IgG 22) vs NASH": a finding queried in a bare fragment is uncertain, a
            # history too ("hx of IBD?").
            result.categories.add(Category.UNCERTAIN)
            result.cues.append("?")
        return result

    def _queried(self, start: int, end: int) -> bool:
        """The finding is what a bare fragment's "?" queries: in its last clause, at its end."""
        tail = self.text[end : self.sentence.end]
        return not re.search(r"[,;:]", tail) and len(tail.split()) <= QUERY_TAIL_WORDS

    def _blocked(self, start: int, end: int, category: Category, weak: bool = True) -> bool:
        """A terminator, or a trigger of another category, between start and end."""
        stops = [*self.terminators, *(self.weak if weak else ())]
        if any(start <= t_start and t_end <= end for t_start, t_end in stops):
            return True
        # A past marker inside a denial or a doubt is part of it ("no prior", "?prior").
        return any(
            start <= t.start
            and t.end <= end
            and t.category is not category
            and t.category is not Category.HISTORICAL
            for t in self.triggers
        )

    def _forward_reach(
        self, trigger: Trigger, start: int, others: list[tuple[int, int]], listable: bool = True
    ) -> str | None:
        gap_start, gap_end = trigger.end, start
        if self._blocked(gap_start, gap_end, trigger.category):
            return None
        gap = self.text[gap_start:gap_end]
        if len(words(self.text, gap_start, gap_end)) > trigger.max_scope:
            return None
        if "," in gap or self._has_joiner(gap):
            if trigger.category is not Category.NEGATED:
                return None if "," in gap else "clean"
            if not listable and "," in gap:  # "no bleeding, varices banded": a new clause
                return None
            return self._list_reach(gap_start, gap_end, start, others)
        if trigger.category is Category.NEGATED:
            return "clean" if self._only_fillers(gap_start, gap_end, others) else "unclear"
        return "clean"

    def _backward_reach(
        self, trigger: Trigger, end: int, others: list[tuple[int, int]]
    ) -> str | None:
        gap_start, gap_end = end, trigger.start
        if self.text[trigger.start : trigger.end] == "?" and words(self.text, gap_start, gap_end):
            return None  # a "?" on the end of a word queries that word only ("lupus?", "Vp3?")
        # A past or present-tense remark may reach back over punctuation ("RA (2005), burnt
        # out"); a denial or a doubt stays within its clause.
        loose = trigger.loose
        if self._blocked(gap_start, gap_end, trigger.category, weak=not loose):
            return None
        gap = self.text[gap_start:gap_end]
        if ("," in gap and not loose) or len(words(self.text, gap_start, gap_end)) > (
            trigger.max_scope
        ):
            return None
        # Over a comma it describes the nearest finding only: in "CP-A, ECOG 0, varices never
        # treated" the remark is about the varices, not the Child-Pugh class or the ECOG.
        between = any(gap_start <= o_start and o_end <= gap_end for o_start, o_end in others)
        if "," in gap and between:
            return None
        return "clean"

    def _has_joiner(self, gap: str) -> bool:
        return any(
            re.search(rf"(?<![a-z]){re.escape(j)}(?![a-z])", gap)
            for j in self.rules.closers
            if j.isalpha() or j == "and/or"
        )

    def _only_fillers(self, start: int, end: int, others: list[tuple[int, int]]) -> bool:
        for w_start, w_end in _pieces(self.text, start, end):
            if any(o_start <= w_start and w_end <= o_end for o_start, o_end in others):
                continue
            if self.text[w_start:w_end] not in self.rules.fillers:
                return False
        return True

    def _list_reach(
        self, gap_start: int, gap_end: int, start: int, others: list[tuple[int, int]]
    ) -> str | None:
        """A denial over "A, B or C": every item short and a conjunction closing the list."""
        gap = self.text[gap_start:gap_end]
        after = re.split(r"[.;:()?!\n]", self.text[start : self.sentence.end])[0]
        items = [i for i in re.split(r",|\bor\b|\bnor\b|\band\b|/|&", gap)]
        closing = re.search(r"\b(?:or|nor|and|and/or)\b|&", gap) or re.search(
            r"^[^,]*?\b(?:or|nor|and)\b", after
        )
        if not closing:
            return None
        for item in items:
            if len(item.split()) > self.rules.list_item_words:
                return None
        if not self._only_fillers_or_items(gap_start, gap_end, others):
            return "unclear"
        return "clean"

    def _only_fillers_or_items(self, start: int, end: int, others: list[tuple[int, int]]) -> bool:
        # In a list the other items are findings or short nouns ("ascites"): any short word goes,
        # but a verb-like connector means the list has ended.
        for w_start, w_end in words(self.text, start, end):
            word = self.text[w_start:w_end]
            if word in {"has", "had", "is", "was", "with", "on", "since", "after"}:
                return False
        return True
