"""Read one message: find every mention of a profile field, then ask ConText how it is asserted.

Returns facts (value, status, the clinician's words) and the impossible values met. Nothing is
guessed: what is not said stays unknown.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from clinical.reader.context import Assertion, Category, SentenceContext, load_context_rules
from clinical.reader.facts import Fact, Mention, Status
from clinical.reader.lexicon import FieldSpec, field_spec, load_findings
from clinical.reader.measures import MEASURES
from clinical.reader.regimens import prior_regimens
from clinical.reader.text import Sentence, fold, sentences

# A mention's words shown back: the mention, widened to its status cue when one applies.
MAX_WORDS = 120
TAIL_CHARS = 30  # how far the words run on after the mention, to the end of its clause
GENERIC = ("present", "mentioned")  # a thrombus or varices named without grade or state


@dataclass
class MessageReading:
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _lexical(text: str) -> list[Mention]:
    found: list[Mention] = []
    for spec in load_findings().values():
        for target in spec.targets:
            for match in target.pattern.finditer(text):
                # The words beside a term, within its line ("s/p OLT" + a new line "lung mets").
                before = text[max(0, match.start() - 40) : match.start()].rsplit("\n", 1)[-1]
                after = text[match.end() : match.end() + 40].split("\n", 1)[0]
                if target.not_after and target.not_after.search(before):
                    continue
                if target.not_before and target.not_before.search(after):
                    continue
                found.append(
                    Mention(
                        spec.name,
                        target.value,
                        match.start(),
                        match.end(),
                        negated=target.negated,
                        implied=target.implied,
                        historical=target.historical,
                        planned=target.always_planned
                        or bool(target.planned_before and target.planned_before.search(after))
                        or bool(target.planned_after and target.planned_after.search(before)),
                    )
                )
    return found


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Where mentions of one field overlap, keep the longest ("large varices that were banded"
    is one treated mention; "varices" inside "large varices" is no mention of its own)."""
    ranked = sorted(mentions, key=lambda m: (m.value in GENERIC, -(m.end - m.start), m.start))
    kept: list[Mention] = []
    for mention in ranked:
        clash = any(
            other.field == mention.field and other.start < mention.end and mention.start < other.end
            for other in kept
        )
        if not clash:
            kept.append(mention)
    return kept


def _status(
    mention: Mention, spec: FieldSpec, assertion: Assertion, historical: str
) -> tuple[Status, object] | None:
    """(status, value) of a mention under the categories that reach it; None when the finding
    is someone else's ("her sister has MS")."""
    if assertion.has(Category.OTHER):
        return None
    value = mention.value
    denied = assertion.has(Category.NEGATED) and mention.negated is not None
    if denied and mention.negated != "uncertain":
        value = mention.negated
    planned = (mention.planned or assertion.has(Category.HYPOTHETICAL)) and not spec.intent
    if mention.planned and not spec.intent and not assertion.has(Category.SCENARIO):
        return Status.HYPOTHETICAL, mention.value
    if assertion.has(Category.SCENARIO) or planned:
        return Status.HYPOTHETICAL, value
    if mention.implied and denied:
        return None  # a sign denied ("denies any transplant or immunosuppressive therapy")
    if assertion.has(Category.UNCERTAIN) or mention.implied:
        return Status.UNCERTAIN, mention.value
    if denied and (mention.negated == "uncertain" or (assertion.unclear_denial and spec.safety)):
        return Status.UNCERTAIN, mention.value
    past = assertion.has(Category.HISTORICAL) and not assertion.has(Category.CURRENT)
    unsure = spec.unsure_when_past
    if past and not denied and unsure and any(unsure.fullmatch(c) for c in assertion.cues):
        return Status.UNCERTAIN, value  # "a bleed sometime last year": recent or not?
    if past and not denied:
        return (Status.PRESENT if historical == "present" else Status.HISTORICAL), value
    # A value that says "not present" is a denial, however it was written ("plt 190", "EGD
    # clean"); a denial that asserts another value ("not yet banded") states that value.
    return (Status.ABSENT if value == spec.absent else Status.PRESENT), value


_CLAUSE_END = re.compile(r"[,;:()\n]|\s(?:but|and|with|while|whereas)\s")


def _words(original: str, mention: Mention, assertion: Assertion, sentence: Sentence) -> str:
    """The mention with its status cue, running on to the end of its clause ("no varices on
    CT"), so the words shown back say what was read."""
    start, end = mention.start, mention.end
    for cue_start, cue_end in assertion.cue_spans:
        start, end = min(start, cue_start), max(end, cue_end)
    start, end = max(start, sentence.start), min(end, sentence.end)
    rest = original[end : min(sentence.end, end + TAIL_CHARS)]
    stop = _CLAUSE_END.search(rest)
    end += stop.start() if stop else len(rest)
    return " ".join(original[start:end].split())[:MAX_WORDS]


# An endoscopy long past ("EGD 14 months ago: no varices") says nothing certain about now: its
# findings are past states, and the varices must be looked at again before bevacizumab.
_OLD_ENDOSCOPY = re.compile(
    r"\b(?:egd|ogd|endoscopy|gastroscopy|scope)\b[^.;\n]{0,25}?(?:\b(?:[6-9]|1\d|2\d)\s*(?:months?|mo)"
    r"\s+ago|\b\d+\s*(?:years?|yrs?|y)\s+ago|\b(?:a|one|two|several)\s+years?\s+ago|\blast\s+year"
    r"|\bback\s+in\s+(?:19|20)\d\d|\bin\s+(?:19\d\d|20[01]\d))"
)
_ENDOSCOPIC = ("egd_done", "varices")


# An endoscopy dated six months or more before a later date the text gives ("EGD 2023: no
# varices ... PD 04/2025"): its findings are those of then, not of now (an EGD within six months
# is what clears the varices before bevacizumab).
_DATE = re.compile(r"(?<![\d/.])(?:(?P<month>0?[1-9]|1[0-2])/)?(?P<year>20[0-4]\d)(?![\d/])")
_ENDOSCOPY_DATED = re.compile(
    r"\b(?:egd|ogd|endoscopy|gastroscopy|scope)\b\s*(?:\(|in\s+|on\s+|from\s+|dated\s+)?"
    r"(?=(?:\d{1,2}/)?20[0-4]\d(?![\d/]))"
)


def _when(match: re.Match[str]) -> tuple[int, int | None]:
    month = match.group("month")
    return int(match.group("year")), int(month) if month else None


ENDOSCOPY_VALID_MONTHS = 6


def _before(a: tuple[int, int | None], b: tuple[int, int | None]) -> bool:
    """`a` lies six months or more before `b` (a year apart when a month is not given)."""
    if a[1] is None or b[1] is None:
        return a[0] < b[0]
    return (b[0] - a[0]) * 12 + (b[1] - a[1]) >= ENDOSCOPY_VALID_MONTHS


def _outdated_endoscopies(text: str) -> list[re.Match[str]]:
    dates = [_when(m) for m in _DATE.finditer(text)]
    found = []
    for endoscopy in _ENDOSCOPY_DATED.finditer(text):
        date = _DATE.match(text, endoscopy.end())
        if date and any(_before(_when(date), later) for later in dates):
            found.append(endoscopy)
    return found


def _dated(facts: list[Fact], text: str, spans: list[Sentence]) -> list[Fact]:
    """Endoscopy facts in a sentence that dates the endoscopy long past, marked historical."""
    old = [*_OLD_ENDOSCOPY.finditer(text), *_outdated_endoscopies(text)]
    if not old:
        return facts
    dated = []
    for fact in facts:
        sentence = next((s for s in spans if s.start <= fact.start < s.end), None)
        past = sentence is not None and any(
            sentence.start <= m.start() < sentence.end and m.start() <= fact.start for m in old
        )
        if past and fact.field in _ENDOSCOPIC and fact.status in (Status.PRESENT, Status.ABSENT):
            fact = fact.model_copy(update={"status": Status.HISTORICAL})
        dated.append(fact)
    return dated


def _incomplete(facts: list[Fact], text: str, spans: list[Sentence]) -> list[Fact]:
    """A denial beside an incomplete examination ("no varices, but limited views of the
    fundus") excludes nothing: uncertain, at the field's fail-safe value."""
    checked = []
    for fact in facts:
        spec = field_spec(fact.field)
        if fact.status is Status.ABSENT and spec.incomplete is not None:
            index = next((i for i, s in enumerate(spans) if s.start <= fact.start < s.end), -1)
            near = spans[max(index, 0) : index + 2] if index >= 0 else []
            if any(spec.incomplete.search(text, s.start, s.end) for s in near):
                fact = fact.model_copy(update={"status": Status.UNCERTAIN, "value": spec.fail_safe})
        checked.append(fact)
    return checked


# A yes/no question about the finding itself: "conversion realistic?", "atezo/bev for
# conversion?", "is she a conversion candidate (Vp1-2, AFP < 400)?". Not one that takes it as
# given ("which regimen for conversion?") or asks about something said after it in another
# clause ("conversion - which regimen?").
_CLAUSE_BREAK = re.compile(r"[,;:\n]|\s-\s|->|→|=>")
_PRESUPPOSING = re.compile(
    r"\b(?:which|what|how|why|when|where|who|whose|best|preferred|choice|optimal)\b"
)
ASKED_TAIL_WORDS = 6


def _asked(text: str, mention: Mention, sentence: Sentence, wording: re.Pattern[str]) -> bool:
    if sentence.end >= len(text) or text[sentence.end] != "?":
        return False
    tail = re.sub(r"\([^()]*\)", " ", text[mention.end : sentence.end])
    if _CLAUSE_BREAK.search(tail) or len(tail.split()) > ASKED_TAIL_WORDS:
        return False
    head = text[sentence.start : mention.start]
    clause = _CLAUSE_BREAK.split(head)[-1]
    return not _PRESUPPOSING.search(clause) and wording.search(clause) is not None


# Two values of one field offered as alternatives: "split between conversion and maintenance",
# "conversion or straight to maintenance?", "conversion vs palliation".
_ALTERNATIVE = re.compile(
    r"^[\s()]*(?:vs\.?|versus|or|and|/)\s*(?:\(?\s*(?:straight|directly|just|only)\s+(?:to|for)\s+)?"
    r"[\s(]*$"
)
_BETWEEN = re.compile(r"\b(?:between|either|undecided|unclear|unsure|torn)\b[^.;?\n]{0,20}$")


def _either_or(facts: list[Fact], text: str) -> list[Fact]:
    """Facts of a field whose values are offered as alternatives, marked uncertain."""
    open_ = set()
    pairs = itertools.pairwise(f for f in facts if field_spec(f.field).either_or)
    for a, b in pairs:
        if a.field != b.field or a.value == b.value:
            continue
        joiner = _ALTERNATIVE.match(text[a.end : b.start])
        if joiner and ("and" not in joiner.group(0) or _BETWEEN.search(text, 0, a.start)):
            open_ |= {id(a), id(b)}
    return [
        f.model_copy(update={"status": Status.UNCERTAIN}) if id(f) in open_ else f for f in facts
    ]


# A field's heading followed by what it holds ("AI disease: MS (dx 1990s), no relapse",
# "Autoimmune history is messy: 'possible lupus'"): the items say how it stands, not the heading.
_HEADING = re.compile(
    r"(?:\s+[a-z]+){0,3}\s*[:=]\s*(?:yes\s*[,(-]?\s*)?[('\"]?\s*(?:[a-z?]+\s+){0,3}"
)


def _headings(facts: list[Fact], text: str) -> list[Fact]:
    dropped = set()
    for a, b in itertools.pairwise(facts):
        heading = a.field == b.field and field_spec(a.field).any_of
        if heading and a.status is Status.PRESENT and _HEADING.fullmatch(text, a.end, b.start):
            dropped.add(id(a))
    return [f for f in facts if id(f) not in dropped]


_OTHERWISE = re.compile(r"\botherwise\b")


def _otherwise(facts: list[Fact], text: str) -> list[Fact]:
    """ "Skin nodule, biopsy: HCC. Otherwise staging clear.": a denial said "otherwise" excepts
    what was stated before it; it does not undo it."""
    out: list[Fact] = []
    for fact in facts:
        near = text[max(0, fact.start - 15) : fact.end + 12]
        excepted = fact.status is Status.ABSENT and _OTHERWISE.search(near)
        stated = any(
            o.field == fact.field and o.status is not Status.ABSENT and o.end <= fact.start
            for o in out
        )
        if not (excepted and stated):
            out.append(fact)
    return out


REGIMEN_PURPOSE_CHARS = 45  # "lenvatinib + toripalimab (triple therapy) as conversion"


def _ended(facts: list[Fact], text: str) -> list[Fact]:
    """A purpose named for a regimen received ("lenvatinib + sintilimab for conversion"), and
    then said to be over ("failed", "resected 2024, now recurrence"), is a past state."""
    given = [f for f in facts if f.field == "prior_regimens" and f.status is Status.PRESENT]
    out = []
    for fact in facts:
        ended_by = field_spec(fact.field).ended_by
        if ended_by is not None and fact.status is Status.PRESENT:
            gaps = [text[r.end : fact.start] for r in given if r.end <= fact.start]
            purpose = any(
                len(re.sub(r"\([^()]*\)", "", gap)) <= REGIMEN_PURPOSE_CHARS
                and not re.search(r"[.;!?\n]", gap)
                for gap in gaps
            )
            if purpose and ended_by.search(text, fact.end):
                fact = fact.model_copy(update={"status": Status.HISTORICAL})
        out.append(fact)
    return out


def read_message(original: str, turn: int = 0) -> MessageReading:
    """The facts one message states, each with its status and the words it was read from."""
    text = fold(original)
    out = MessageReading()
    mentions = _lexical(text) + prior_regimens(text, out.problems)
    for measure in MEASURES:
        mentions += measure(text, out.problems)
    mentions = sorted(_without_overlaps(mentions), key=lambda m: (m.start, m.end))
    rules = load_context_rules()
    spans = sentences(text) or [Sentence(0, len(text))]
    contexts: dict[int, SentenceContext] = {}
    for mention in mentions:
        index = next(
            (i for i, s in enumerate(spans) if s.start <= mention.start < s.end), len(spans) - 1
        )
        sentence = spans[index]
        if mention.contextual:
            if index not in contexts:
                contexts[index] = SentenceContext(rules, text, sentence)
            others = [
                (m.start, m.end)
                for m in mentions
                if m is not mention and sentence.start <= m.start < sentence.end
            ]
            # "Lupus?" queries a contraindication; "1L?" asks a question.
            queryable = field_spec(mention.field).safety
            # A list after a denial names conditions, not states ("no lupus, RA or IBD").
            listable = isinstance(mention.value, bool) or mention.value in GENERIC
            assertion = contexts[index].assertion(
                mention.start, mention.end, others, queryable, listable
            )
        else:
            assertion = Assertion()
        spec = field_spec(mention.field)
        wording = spec.asked_open
        asked = wording is not None and not assertion.categories
        asked = asked and wording is not None and _asked(text, mention, sentence, wording)
        if asked:
            assertion.categories.add(Category.UNCERTAIN)
            assertion.cues.append("?")
        decided = _status(mention, spec, assertion, mention.historical or spec.historical)
        if decided is None:
            continue
        status, value = decided
        out.facts.append(
            Fact(
                field=mention.field,
                value=value,
                status=status,
                words=_words(original, mention, assertion, sentence),
                turn=turn,
                start=mention.start,
                end=mention.end,
                cues=tuple(assertion.cues),
                # a what-if, or a finding the question asks about ("conversion realistic?"):
                # answered as asked
                asked=assertion.has(Category.SCENARIO) or asked,
                current=assertion.has(Category.CURRENT),
                rank=mention.rank,
            )
        )
    out.facts = _either_or(_incomplete(_dated(out.facts, text, spans), text, spans), text)
    out.facts = _headings(_otherwise(_ended(out.facts, text), text), text)
    return out
