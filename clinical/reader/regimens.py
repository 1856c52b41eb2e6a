"""Systemic regimens the patient has received: "progressed on atezo/bev", "failed sorafenib, then
regorafenib", "tori/bev first line failed". A regimen still taken ("currently on lenvatinib") or
planned ("plan is atezo/bev") is not a prior regimen; ConText then says whether a prior one is
denied ("never received sorafenib") or asked as a what-if ("what if she had had lenvatinib?").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from clinical.reader.facts import Mention
from corpus.regimens import load_catalogue
from corpus.vocabulary import load_vocabulary

# Words that say a regimen was received before: "progressed on", "failed", "after", "prior".
_PRIOR_BEFORE = re.compile(
    r"(?:progress\w*|pd|relaps\w*|recurr\w*)\s+(?:on|after|with|while\s+on|during|despite|through)"
    r"|\b(?:after|following|failed|failure\s+(?:of|on)|refractory\s+to|resistant\s+to|post|s/p"
    r"|previously\s+(?:treated\s+with|on|received)|prior|previous|intoleran\w+\s+(?:of|to)|beyond"
    r"|stopped|discontinued|received|treated\s+with|was\s+on|had\s+been\s+on|had|completed|got"
    r"|exposed\s+to|pretreated\s+with|pre-treated\s+with|h/o|history\s+of|toxicity\s+(?:on|from|with)"
    r"|no\s+longer\s+on|came\s+off|taken\s+off|off)(?:\s+(?:first[\s-]line|1l|initial|prior"
    r"|an?|the|\d+\s+(?:months?|cycles?|weeks?|mo|doses?)\s+of|several\s+(?:months?|cycles?)\s+of"
    r"|a\s+course\s+of))*\s*$"
)
# "first line", "as 2nd-line": where a regimen sat in the sequence, between it and its fate.
_AS_LINE = (
    r"(?:(?:as\s+|in\s+)?(?:the\s+)?(?:first|second|third|1st|2nd|3rd|1l|2l|3l)[\s-]+line\s*)"
)
_PRIOR_AFTER = re.compile(
    r"^[\s,()-]*(?:(?:and|but|then|now|with|which|that|was|were|has|had|x\s*\d+\s*\w*|for\s+\d+"
    r"\s*\w+)\s+|" + _AS_LINE + r")*"
    r"(?:failure|failed|fails|progress\w*|pd\b|refractory|resist\w*|pretreated|experienced"
    r"|intoleran\w*|stopped|discontinued|toxicity|not\s+tolerated|d/c)"
)
# "lenvatinib and pembrolizumab" is one combination; "sorafenib, then regorafenib" two regimens.
_COMBINED = re.compile(r"^\s*(?:\+|/|&|-|and|plus|in\s+combination\s+with|combined\s+with)\s*$")
_THEN = re.compile(
    r"^\s*" + _AS_LINE + r"?,?\s*(?:and\s+)?(?:then|later|subsequently|followed\s+by|and|->|→)\s*$"
)


@dataclass
class _Named:
    start: int
    end: int
    agents: frozenset[str] = frozenset()
    regimen: str | None = None  # the regimen the words name outright ("atezo/bev")


@cache
def _regimen_by_agents() -> dict[frozenset[str], str]:
    """Regimen id by agent set; trial arms ("lenvatinib or sorafenib") are not combinations."""
    regimens = load_catalogue().regimens.values()
    return {frozenset(r.agents): r.id for r in reversed(list(regimens)) if "_or_" not in r.id}


def _named_groups(text: str) -> Iterator[list[_Named]]:
    """Agent and regimen names in order, those joined by "+", "/", "and", "plus" grouped."""
    catalogue = load_catalogue()
    spans: dict[tuple[int, int], _Named] = {}
    for token, start, end in load_vocabulary().matches(text):
        kind, _, name = token.partition("_")
        named = spans.setdefault((start, end), _Named(start, end))
        if kind == "regimen" and named.regimen is None:
            named.regimen = name
            named.agents = frozenset(catalogue.regimens[name].agents)
        elif kind == "agent" and named.regimen is None:
            named.agents |= {name}
    group: list[_Named] = []
    for named in sorted((m for m in spans.values() if m.agents), key=lambda m: m.start):
        if group and named.start < group[-1].end:
            continue  # a shorter name inside a longer one ("bev" in "atezo/bev")
        if group and not _COMBINED.match(text[group[-1].end : named.start]):
            yield group
            group = []
        group.append(named)
    if group:
        yield group


def _resolve(group: list[_Named]) -> list[str]:
    """One combination if the catalogue has it ("len + pembro"), else each regimen named."""
    table = _regimen_by_agents()
    combined = table.get(frozenset().union(*(m.agents for m in group)))
    if len(group) > 1 and combined:
        return [combined]
    return [r for m in group if (r := m.regimen or table.get(m.agents))]


def prior_regimens(text: str, problems: list[str]) -> list[Mention]:
    """Each regimen received before, in the order written, as a mention of `prior_regimens`
    (the resolver makes the line a later one)."""
    catalogue = load_catalogue()
    found: list[Mention] = []
    previous_end: int | None = None  # where the last regimen received ends, for "A, then B"
    for group in _named_groups(text):
        start, end = group[0].start, group[-1].end
        prior = bool(
            _PRIOR_BEFORE.search(text[max(0, start - 60) : start])
            or _PRIOR_AFTER.match(text[end : end + 40])
            or (previous_end is not None and _THEN.match(text[previous_end:start]))
        )
        previous_end = end if prior else None
        for regimen in _resolve(group) if prior else []:
            if catalogue.regimens[regimen].is_locoregional:
                if "tace" in regimen:
                    found.append(Mention("prior_tace", "some", start, end, negated="none"))
                continue
            # Denied ("never received sorafenib"), the regimen stays named with status absent.
            found.append(Mention("prior_regimens", regimen, start, end, negated=regimen))
    return found
