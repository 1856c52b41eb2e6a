"""Systemic regimens the patient has received: "progressed on atezo/bev", "failed sorafenib, then
regorafenib", "tori/bev first line failed". A regimen still taken ("currently on lenvatinib") or
planned ("plan is atezo/bev") is not a prior regimen; ConText then says whether a prior one is
denied ("never received sorafenib") or asked as a what-if ("what if she had had lenvatinib?").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
    r"|was|is|has\s+been|remains|remained|been)\s+on|(?:was\s+|is\s+|been\s+)?taking|took|(?:cr|pr|sd|response|responded|responding)\s+"
    r"(?:on|to|with)|cycles?\s+of|courses?\s+of|months?\s+of|(?:colitis|hepatitis|thyroiditis"
    r"|pneumonitis|toxicity|irae|adverse\s+events?|side\s+effects?|reaction|rash|diarrh\w+"
    r"|proteinuria|bleed\w*)\s+(?:on|with|from|during)|due\s+to\s+start|about\s+to\s+start"
    r"|will\s+start|(?:plan\w*|going)\s+to\s+start|starting"
    # Taken, said as started or as time on it: "started atezo/bev 06/2023", "cycle 3 of",
    # "over 2 years of lenvatinib", "HCC on lenvatinib" (not "put him on", "data on").
    r"|started|commenced|began|begun|years?\s+of|(?:day\s+\d+\s+of\s+)?cycle\s+\d+\s+of))"
    r"(?:\s+(?:first[\s-]line|1l|initial|prior|an?|the|\d+\s+(?:months?|cycles?|weeks?|mo|doses?)"
    r"(?:\s+of)?|several\s+(?:months?|cycles?)\s+of|a\s+course\s+of))*\s*$"
)
# "first line", "as 2nd-line": where a regimen sat in the sequence, between it and its fate.
_AS_LINE = (
    r"(?:(?:as\s+|in\s+)?(?:the\s+)?(?:(?:first|second|third|1st|2nd|3rd)[\s-]+line|[123]l)\s*)"
)
# Taken now: "HCC on lenvatinib (month 5)", "plts fell on lenvatinib". Not when the word before
# "on" says something else ("put him on", "your view on", "data on", "out of control on").
_ON_BEFORE = re.compile(
    r"\b(?P<word>[\w'-]+)\s+on\s+(?:(?:first[\s-]line|1l|the|an?|\d+\s+\w+\s+of)\s+)*$"
)
_NOT_TAKING = frozenset(
    "put puts putting him her them decide decided based focus view views opinion opinions thoughts"
    " comments advice info information literature data evidence trial trials study studies pts"
    " patients go going start starting control controlled depend depends rely agree agreed settle"
    " settled guidance guidelines update question questions comment insist insists".split()
)
# A dose said after the name: "donafenib 0.2 g bid", "lenvatinib 8 mg daily".
_DOSE = (
    r"(?:\s*\d+(?:\.\d+)?\s*(?:mg|g|mg/kg)(?:/kg)?(?:\s*(?:bid|bd|od|qd|tds|daily|q[234]w"
    r"|once\s+daily|twice\s+daily))?\s*)"
)
# What befell it, later in the sentence: "x 8 mo, PD", "-> PD at 3 mo", "1L, progressed".
_PRIOR_AFTER = re.compile(
    r"^(?:[^.;\n?]|\.(?=\d)){0,60}?\b(?:failure|failed|fails|progress(?:ed|ion|ing)?(?!\s*-?\s*free)|pd\b"
    r"(?!\s*(?:rates?|-?1|-?l1))|pretreated|experienced|intoleran\w*|(?<!to be )(?<!will be )"
    r"(?<!must be )(?<!should be )(?:stopped|discontinued)|not\s+tolerated|d/c|recurr\w*"
    r"|relaps\w*|(?:partial|complete)\s+response|\bcr\b|\bpr\b|stable\s+disease|\bsd\b"
    r"|responded|escape|new\s+(?:[\w-]+\s+)?(?:lesions?|mets|nodules?|lung|bone)|grew|growing"
    r"|worsen\w*)"
    r"|^[^.;\n?]{0,15}?\b(?:refractory|resist\w*|(?<!low )(?<!lower )(?<!less )toxicity)"
    r"|^[^.\n?]{0,40};\s*(?:pd|progressed|progression|failed)\b"
    # Given over time: "x 8 mo", "for 14 months", "since 01/2025", "(cycle 8)", "after 4 cycles".
    r"|^\s*(?:\(|,)?\s*" + _AS_LINE + r"?" + _DOSE + r"?"
    r"(?:x\s*\d+\s*(?:mo|months?|cycles?|wks?|weeks?|doses?)|for\s+\d+\s*(?:mo|"
    r"months?|cycles?|weeks?|years?)|since\s+(?:\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|20"
    r"\d\d|last)|\(?cycle\s+(?:[2-9]|\d\d)|started\s+(?:\d|in|on|20)|\d+\s+cycles)"
    # The years it was given, as a treatment history lists them: "sorafenib (2018-19)".
    r"|^\s*[(,:]\s*(?:(?:19|20)\d\d|\d{1,2}/(?:19|20)?\d\d)\s*(?:-|–|to)\s*(?:(?:19|20)?\d\d|\d{1,2}/"
    r"(?:19|20)?\d\d|now|present|ongoing)\b"
    # A single year it was given: "sorafenib 2017, then nivolumab", "Sorafenib 2018 (9 mo)".
    r"|^\s*[(,:]?\s*(?:in\s+)?(?:19|20)\d\d\b(?!\s*(?:-|–|to)\s*(?:now|present|ongoing))(?!\s*\w*\s*trial)"
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
    # a remark on the first before the next: "Nexavar x 6 mo (2018), then Stivarga"
    r"|^(?:[^.;\n?]|\.(?=\d)){0,40}?[\s,]\s*(?:and\s+)?(?:then|later|subsequently|followed\s+by)\s*$"
)
# "sorafenib -> regorafenib -> cabozantinib": a sequence written out was given, all of it.
_ARROW = re.compile(r"^[^.;\n?]{0,25}?(?:->|→|=>)\s*$")


# A treatment history under its heading: every regimen listed there was received, up to a blank
# line or the patient's present state ("Prior systemic: (1) sorafenib 2016-17; (2) ...").
_HEADING = re.compile(
    r"\b(?:prior|previous|past)\s+(?:systemic|lines?|treatments?|therap(?:y|ies)|regimens?)"
    r"(?:\s+(?:therapy|treatment|therapies|history))?\s*:"
    r"|\bsystemic\s+(?:therapy|treatment)\s+history\b[^:\n]{0,40}:"
)
_HEADING_END = re.compile(
    r"\n\s*\n|\n\s*(?:now|current\w*|plan|question|q|outcome)\b|\b(?:now|current)\s*:"
)
_NONE = re.compile(r"\s*(?:none|nil|no\b|n/a|nothing)")
# Where a regimen sat in the sequence, just before it: "1L STRIDE, 2L lenvatinib, now 3L?".
_LINE_BEFORE = re.compile(
    r"(?:\b(?P<n>[1-4])l|\b(?P<w>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+line)\s*[:,-]?\s*$"
)
_LINE_ANY = re.compile(
    r"\b(?P<n>[1-4])l\b|\b(?P<w>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+line"
)
_LINE_NUMBER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
_LINE_NUMBER["4th"] = 4


def _line(match: re.Match[str]) -> int:
    return int(match.group("n")) if match.group("n") else _LINE_NUMBER[match.group("w")]


def _taking(text: str, start: int) -> bool:
    """ "on <regimen>": taken now, hence received, unless the word before says otherwise."""
    on = _ON_BEFORE.search(text[max(0, start - 40) : start])
    return on is not None and on.group("word") not in _NOT_TAKING


def _earlier_line(text: str, start: int, end: int) -> bool:
    """The regimen is placed in a line and a later line is asked about after it."""
    placed = _LINE_BEFORE.search(text[max(0, start - 14) : start])
    return placed is not None and any(
        _line(later) > _line(placed) for later in _LINE_ANY.finditer(text, end)
    )


def _listed(text: str, start: int) -> bool:
    """The regimen stands in a treatment history under its heading."""
    for heading in _HEADING.finditer(text, 0, start):
        if _NONE.match(text, heading.end()):
            continue  # "Prior systemic: none."
        stop = _HEADING_END.search(text, heading.end())
        if stop is None or stop.start() > start:
            return True
    return False


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


def _resolve(group: list[_Named]) -> list[tuple[str, int, int]]:
    """One combination if the catalogue has it ("len + pembro"), else each regimen named, with
    the words it was named in."""
    combined = _lookup(frozenset().union(*(m.agents for m in group)))
    if len(group) > 1 and combined:
        return [(combined, group[0].start, group[-1].end)]
    return [(r, m.start, m.end) for m in group if (r := m.regimen or _lookup(m.agents))]


def prior_regimens(text: str, problems: list[str]) -> list[Mention]:
    """Each regimen received before, in the order given, as a mention of `prior_regimens` (the
    resolver makes the line a later one)."""
    catalogue = load_catalogue()
    found: list[Mention] = []
    groups = list(_named_groups(text))
    received = _received(text, groups)
    for group, prior in zip(groups, received, strict=True):
        for regimen, start, end in _resolve(group) if prior else []:
            agents = frozenset(catalogue.regimens[regimen].agents)
            if "tace" in agents:  # "TACE + lenvatinib": TACE, and the drug given with it
                found.append(Mention("prior_tace", "some", start, end, negated="none"))
                regimen = _lookup(agents - {"tace"}) or ""
            if not regimen or catalogue.regimens[regimen].is_locoregional:
                continue
            # Denied ("never received sorafenib"), the regimen stays named with status absent.
            found.append(Mention("prior_regimens", regimen, start, end, negated=regimen))
    return _in_given_order(text, found)


def _received(text: str, groups: list[list[_Named]]) -> list[bool]:
    """Whether each group of names is a regimen received (rather than asked about or planned)."""
    received: list[bool] = []
    previous_end: int | None = None  # where the last regimen received ends, for "A, then B"
    for index, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        chained = any(
            _ARROW.match(text[a[-1].end : b[0].start])
            for a, b in itertools.pairwise(groups[max(0, index - 1) : index + 2])
        )
        proposed = bool(_PROPOSED_BEFORE.search(text[max(0, start - 40) : start]))
        prior = not proposed and bool(
            _PRIOR_BEFORE.search(text[max(0, start - 60) : start])
            or _taking(text, start)
            or _fate_after(text, groups, index)
            or (previous_end is not None and _THEN.match(text[previous_end:start]))
            or chained
            or _earlier_line(text, start, end)
            or _listed(text, start)
        )
        previous_end = end if prior else None
        received.append(prior)
    # "pembro 2L after sorafenib": said before one received, the later one was received too
    # (unless it is asked about: "cabozantinib after atezo/bev?").
    for index in range(len(groups) - 2, -1, -1):
        group, following = groups[index], groups[index + 1]
        asked = "?" in re.split(r"[.;\n]", text[group[-1].end :], maxsplit=1)[0]
        gap = text[group[-1].end : following[0].start]
        if not received[index] and received[index + 1] and not asked and _AFTER_BETWEEN.match(gap):
            received[index] = True
    return received


# Regimens listed together as received: "sorafenib, regorafenib failed", "atezo/bev then
# lenvatinib; PD on both". Not "rego or apatinib still on the table after lenva fails".
_LIST_BETWEEN = re.compile(
    r"^\s*(?:" + _AS_LINE + r")?(?:,|;)?\s*(?:(?:and|or|&|/|then|and\s+then|later|subsequently"
    r"|followed\s+by|->|→|=>)\s*)?$"
)


def _fate_after(text: str, groups: list[list[_Named]], index: int) -> bool:
    """What befell a regimen, said after it ("x 8 mo, PD", "lenva fails"). The fate word belongs
    to the regimen nearest before it, and to those listed with that one as received; a regimen
    further back with other words between ("why are rego or apatinib still on the table after
    lenva fails?") is asked about, not received."""
    group = groups[index]
    end, limit = group[-1].end, group[-1].end + 80
    previous = group
    for following in groups[index + 1 :]:
        if following[0].start >= limit:
            break
        gap = text[previous[-1].end : following[0].start]
        continued = following[-1].agents <= frozenset().union(*(n.agents for n in group))
        if not (continued or _LIST_BETWEEN.match(gap) or _THEN.match(gap)):
            limit = following[0].start  # the fate must be said before the next regimen
            break
        previous = following
    return bool(_PRIOR_AFTER.match(text[end:limit]))


_AFTER_BETWEEN = re.compile(
    r"^\s*(?:\(?[\w-]+\)?,?\s+){0,3}?\(?(?:after|following|post|beyond)\s*$"
)


def _in_given_order(text: str, found: list[Mention]) -> list[Mention]:
    """ "Regorafenib after sorafenib": the regimen named second was given first."""
    ordered = list(found)
    for i in range(len(ordered) - 1):
        a, b = ordered[i], ordered[i + 1]
        if _AFTER_BETWEEN.match(text[a.end : b.start]):
            ordered[i], ordered[i + 1] = b, a
    return [replace(m, rank=rank) for rank, m in enumerate(ordered)]
