"""Shared text tools of the output checks: sentences, citation brackets, trial and regimen names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from clinical.answer import GuardrailResult
from corpus.citations import strip_markers
from corpus.paths import REVIEW_PATH
from corpus.regimens import Regimen, load_catalogue
from corpus.trials import Trial, load_trials

REFERENCES_HEADING = re.compile(r"^\s*\**\s*References\s*\**\s*:?\s*$", re.IGNORECASE)
# "[IMbrave150; refs 19–21]"; a markdown link "[text](url)" is not a citation.
BRACKET = re.compile(r"\[([^\[\]\n]+)\](?!\()")
# No split after an inline list marker ("ranking: 6. Camrelizumab ...; 7. Anlotinib").
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![:;] \d\.)(?<![:;] \d\d\.)\s+")
_SPACES = re.compile(r"\s+")
_MIN_ALIAS = 4  # shorter aliases ("len", "sor", "T+A") match ordinary words


@dataclass
class Outcome:
    """What one check found: the (repaired) text, its verdict, and a refusal reason if blocking."""

    text: str
    result: GuardrailResult
    block: str | None = None
    updates: dict[str, object] = field(default_factory=dict)


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@cache
def review_text() -> str:
    """The review as one lower-case line without citation markers or TeX dollars."""
    raw = REVIEW_PATH.read_text(encoding="utf-8")
    return squash(strip_markers(raw).replace("$", "")).lower()


_QUOTED = re.compile(r"“([^”]{20,})”")
_ATTRIBUTION_NOISE = re.compile(r"`[^`]*`|\[[^\]]*\]")


@lru_cache(maxsize=8192)
def in_review(text: str) -> bool:
    """The text is the review's own words: verbatim, or a quote of them whose attribution
    around it ("> “…” — *Section* (`chunk-id`) [refs]") adds no figure of its own."""
    plain = squash(strip_markers(text).replace("$", "")).lower()
    if len(plain) > 20 and plain in review_text():
        return True
    quoted = _QUOTED.search(text)
    if quoted is None:
        return False
    around = _ATTRIBUTION_NOISE.sub(" ", text[: quoted.start()] + text[quoted.end() :])
    return not re.search(r"\d", around) and in_review(quoted.group(1))


@cache
def rule_study_names() -> frozenset[str]:
    """Studies the rule core cites that have no trial record (lower case): real, but unrecorded."""
    from clinical.rules import load_rulebook

    book = load_rulebook()
    names = [name for parsed in book.all_rules() for name in parsed.rule.trials]
    names += [name for criteria in book.criteria_sets for name in criteria.spec.trials]
    return frozenset(name.lower() for name in names)


def body_lines(text: str) -> Iterator[tuple[int, str]]:
    """(index, line) of every line before the References list, which cites but claims nothing."""
    for index, line in enumerate(text.split("\n")):
        if REFERENCES_HEADING.match(line):
            return
        yield index, line


def sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(line) if s.strip()]


def drop_sentences(text: str, doomed: set[tuple[int, str]]) -> str:
    """`text` without the given (line index, sentence) pairs; emptied lines go too."""
    lines = text.split("\n")
    kept = []
    for index, line in enumerate(lines):
        remove = [s for i, s in doomed if i == index]
        if not remove:
            kept.append(line)
            continue
        new = line
        for sentence in remove:
            new = new.replace(sentence, "", 1)
        if re.sub(r"[\s\-*>•\d.)]+", "", new):
            kept.append(_SPACES.sub(" ", new).rstrip())
    return "\n".join(kept)


def without_brackets(sentence: str) -> str:
    """`sentence` with its citation brackets blanked out, positions kept."""
    return BRACKET.sub(lambda m: " " * len(m.group(0)), sentence)


@cache
def _trial_pattern() -> tuple[re.Pattern[str], dict[str, Trial]]:
    by_name: dict[str, Trial] = {}
    for trial in load_trials().trials:
        for name in (trial.name, *trial.aliases):
            if len(name) >= 3:
                by_name[name.lower()] = trial
    names = sorted(by_name, key=len, reverse=True)
    alternation = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w])", re.IGNORECASE), by_name


def trial_mentions(text: str) -> list[tuple[Trial, re.Match[str]]]:
    """Trials named in `text` (name or alias), in order of appearance."""
    return list(_trial_mentions(text))


@lru_cache(maxsize=8192)
def _trial_mentions(text: str) -> tuple[tuple[Trial, re.Match[str]], ...]:
    pattern, by_name = _trial_pattern()
    return tuple((by_name[m.group(0).lower()], m) for m in pattern.finditer(text))


_CONNECTOR = re.compile(r"\s*(?:\+|/|\bplus\b|\band\b|\bwith\b)\s*", re.IGNORECASE)
_CONNECTOR_PATTERN = r"\s*(?:\+|/|plus\b|and\b|with\b)\s*"
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")


def _regimen_key(name: str) -> str:
    """One spelling per combination: "Atezolizumab plus bevacizumab" -> "atezolizumab + bev..."."""
    return _SPACES.sub(" ", _CONNECTOR.sub(" + ", name.lower())).strip()


@cache
def _regimen_pattern() -> tuple[re.Pattern[str], dict[str, Regimen]]:
    catalogue = load_catalogue()
    by_name: dict[str, Regimen] = {}
    for regimen in catalogue.regimens.values():
        # The name without its parenthesis too ("Tremelimumab + durvalumab (STRIDE)").
        for name in (regimen.name, _PARENTHESIS.sub("", regimen.name), *regimen.aliases):
            if len(name) >= _MIN_ALIAS:
                by_name.setdefault(_regimen_key(name), regimen)
    names = sorted(by_name, key=len, reverse=True)
    alternation = "|".join(
        _CONNECTOR_PATTERN.join(re.escape(part) for part in n.split(" + ")) for n in names
    )
    return re.compile(rf"(?<![\w/+-])(?:{alternation})(?![\w/+-])", re.IGNORECASE), by_name


def regimen_mentions(text: str) -> list[tuple[Regimen, re.Match[str]]]:
    """Regimens named in `text` by catalogue name or alias, in order of appearance."""
    return list(_regimen_mentions(text))


@lru_cache(maxsize=8192)
def _regimen_mentions(text: str) -> tuple[tuple[Regimen, re.Match[str]], ...]:
    pattern, by_name = _regimen_pattern()
    return tuple((by_name[_regimen_key(m.group(0))], m) for m in pattern.finditer(text))
