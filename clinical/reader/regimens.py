"""Systemic regimens the patient has received: "progressed on atezo/bev", "failed sorafenib, then
regorafenib", "tori/bev first line failed". A regimen still taken ("currently on lenvatinib") or
planned ("plan is atezo/bev") is not a prior regimen; ConText then says whether a prior one is
denied ("never received sorafenib") or asked as a what-if ("what if she had had lenvatinib?").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from clinical.reader.facts import Mention
from corpus.regimens import load_catalogue
from corpus.vocabulary import load_vocabulary

# Words that say a regimen was received before: "progressed on", "failed", "after", "prior".
_PRIOR_BEFORE = re.compile(
    # Every alternative ends where the regimen's name begins ("PD on 1L lenvatinib. ... onc
    # suggests nivo/ipi": the first "PD on" is lenvatinib's, not the suggested regimen's).
    r"(?:(?:progress\w*|pd|relaps\w*|recurr\w*)\s+(?:on|after|with|while\s+on|during|despite|through)"
    r"|\b(?:after|following|failed|failure\s+(?:of|on)|refractory\s+to|resistant\s+to|post|s/p"
    r"|previously\s+(?:treated\s+with|on|received)|prior|previous|intoleran\w+\s+(?:of|to)|beyond"
    r"|stopped|discontinued|received|treated\s+with|was\s+on|had\s+been\s+on|had|completed|got"
    r"|exposed\s+to|pretreated\s+with|pre-treated\s+with|h/o|history\s+of|toxicity\s+(?:on|from|with)"
    r"|no\s+longer\s+on|came\s+off|taken\s+off|off|during|despite|while\s+on|(?:currently|still|already"
    r"|was|is|has\s+been|remains|remained|been)\s+on|(?:cr|pr|sd|response|responded|responding)\s+"
    r"(?:on|to|with)|cycles?\s+of|courses?\s+of|months?\s+of|(?:colitis|hepatitis|thyroiditis"
    r"|pneumonitis|toxicity|irae|adverse\s+events?|side\s+effects?|reaction|rash|diarrh\w+"
    r"|proteinuria|bleed\w*)\s+(?:on|with|from|during)|due\s+to\s+start|about\s+to\s+start"
    r"|will\s+start|(?:plan\w*|going)\s+to\s+start|starting))(?:\s+(?:first[\s-]line|1l|initial|prior"
    r"|an?|the|\d+\s+(?:months?|cycles?|weeks?|mo|doses?)\s+of|several\s+(?:months?|cycles?)\s+of"
    r"|a\s+course\s+of))*\s*$"
)
# "first line", "as 2nd-line": where a regimen sat in the sequence, between it and its fate.
_AS_LINE = (
    r"(?:(?:as\s+|in\s+)?(?:the\s+)?(?:(?:first|second|third|1st|2nd|3rd)[\s-]+line|[123]l)\s*)"
)
# What befell it, later in the sentence: "x 8 mo, PD", "-> PD at 3 mo", "1L, progressed".
# What befell it, later in the sentence: "x 8 mo, PD", "-> PD at 3 mo", "1L, progressed".
_PRIOR_AFTER = re.compile(
    r"^[^.;\n?]{0,60}?\b(?:failure|failed|fails|progress(?:ed|ion|ing)?(?!\s*-?\s*free)|pd\b"
    r"(?!\s*(?:rates?|-?1|-?l1))|pretreated|experienced|intoleran\w*|(?<!to be )(?<!will be )"
    r"(?<!must be )(?<!should be )(?:stopped|discontinued)|not\s+tolerated|d/c|recurr\w*"
    r"|relaps\w*|(?:partial|complete)\s+response|\bcr\b|\bpr\b|stable\s+disease|\bsd\b"
    r"|responded|escape|new\s+(?:[\w-]+\s+)?(?:lesions?|mets|nodules?|lung|bone)|grew|growing"
    r"|worsen\w*)"
    r"|^[^.;\n?]{0,15}?\b(?:refractory|resist\w*|(?<!low )(?<!lower )(?<!less )toxicity)"
    r"|^[^.\n?]{0,40};\s*(?:pd|progressed|progression|failed)\b"
    # Given over time: "x 8 mo", "for 14 months", "since 01/2025", "(cycle 8)", "after 4 cycles".
    r"|^\s*(?:\(|,)?\s*" + _AS_LINE + r"?"
    r"(?:x\s*\d+\s*(?:mo|months?|cycles?|wks?|weeks?|doses?)|for\s+\d+\s*(?:mo|"
    r"months?|cycles?|weeks?|years?)|since\s+(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|20"
    r"\d\d|last)|\(?cycle\s+(?:[2-9]|\d\d)|started\s+(?:\d|in|on|20)|\d+\s+cycles)"
    # The years it was given, as a treatment history lists them: "sorafenib (2018-19)".
    r"|^\s*[(,:]\s*(?:(?:19|20)\d\d|\d{1,2}/(?:19|20)?\d\d)\s*(?:-|–|to)\s*(?:(?:19|20)?\d\d|\d{1,2}/"
    r"(?:19|20)?\d\d|now|present|ongoing)\b"
)
# A regimen someone proposes is a plan, whatever follows it ("colleague suggests STRIDE for its
# low toxicity", "onc suggests nivo/ipi for 2L"): never a regimen received.
_PROPOSED_BEFORE = re.compile(
    r"\b(?:suggest\w*|propos\w*|recommend\w*|consider\w*|thinking\s+(?:of|about)|plan(?:s|ned|ning)?"
    r"|wants?\s+(?:to\s+(?:start|use|give|try)\s+)?|would\s+like|keen\s+on|favou?rs?|offer\w*"
    r"|going\s+with|go\s+with|insists?\s+on|asks?\s+(?:about|for))\s+(?:\w+\s+){0,2}$"
)
# "lenvatinib and pembrolizumab" is one combination; "sorafenib, then regorafenib" two regimens.
_COMBINED = re.compile(r"^\s*(?:\+|/|&|-|and|plus|in\s+combination\s+with|combined\s+with)\s*$")
_THEN = re.compile(
    r"^\s*" + _AS_LINE + r"?,?\s*(?:and\s+)?(?:then|later|subsequently|followed\s+by|and|->|→)\s*$"
)
# "sorafenib -> regorafenib -> cabozantinib": a sequence written out was given, all of it.
_ARROW = re.compile(r"^[^.;\n?]{0,25}?(?:->|→|=>)\s*$")


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


def _variants(agents: frozenset[str]) -> Iterator[frozenset[str]]:
    """The same combination written with a biosimilar, or a named anti-PD-1 antibody where the
    catalogue has "an anti-PD-1 antibody" ("lenvatinib + sintilimab")."""
    catalogue = load_catalogue()
    biosimilars = ("ibi305", "sct510")
    if "bevacizumab" in agents:
        for biosimilar in biosimilars:
            yield (agents - {"bevacizumab"}) | {biosimilar}
    named = {a for a in agents if "anti_pd_1" in catalogue.agents[a].classes and a != "anti_pd_1"}
    if named:
        yield (agents - named) | {"anti_pd_1"}


def _lookup(agents: frozenset[str]) -> str | None:
    table = _regimen_by_agents()
    if agents in table:
        return table[agents]
    return next((table[v] for v in _variants(agents) if v in table), None)


def _resolve(group: list[_Named]) -> list[str]:
    """One combination if the catalogue has it ("len + pembro"), else each regimen named."""
    combined = _lookup(frozenset().union(*(m.agents for m in group)))
    if len(group) > 1 and combined:
        return [combined]
    return [r for m in group if (r := m.regimen or _lookup(m.agents))]


def prior_regimens(text: str, problems: list[str]) -> list[Mention]:
    """Each regimen received before, in the order written, as a mention of `prior_regimens`
    (the resolver makes the line a later one)."""
    catalogue = load_catalogue()
    found: list[Mention] = []
    previous_end: int | None = None  # where the last regimen received ends, for "A, then B"
    groups = list(_named_groups(text))
    for index, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        chained = any(
            _ARROW.match(text[a[-1].end : b[0].start])
            for a, b in itertools.pairwise(groups[max(0, index - 1) : index + 2])
        )
        proposed = bool(_PROPOSED_BEFORE.search(text[max(0, start - 40) : start]))
        prior = not proposed and bool(
            _PRIOR_BEFORE.search(text[max(0, start - 60) : start])
            or _PRIOR_AFTER.match(text[end : end + 80])
            or (previous_end is not None and _THEN.match(text[previous_end:start]))
            or chained
        )
        previous_end = end if prior else None
        for regimen in _resolve(group) if prior else []:
            if catalogue.regimens[regimen].is_locoregional:
                if "tace" in regimen:
                    found.append(Mention("prior_tace", "some", start, end, negated="none"))
                continue
            # Denied ("never received sorafenib"), the regimen stays named with status absent.
            found.append(Mention("prior_regimens", regimen, start, end, negated=regimen))
    return _in_given_order(text, found)


_AFTER_BETWEEN = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?(?:after|following|post|beyond)\s*$")


def _in_given_order(text: str, found: list[Mention]) -> list[Mention]:
    """ "Regorafenib after sorafenib": the regimen named second was given first."""
    ordered = list(found)
    for i in range(len(ordered) - 1):
        a, b = ordered[i], ordered[i + 1]
        if _AFTER_BETWEEN.match(text[a.end : b.start]):
            ordered[i], ordered[i + 1] = b, a
    return ordered
