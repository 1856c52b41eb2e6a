"""Citations: cited trials exist, reference numbers are in the list, clinical claims are cited."""

from __future__ import annotations

import re

from clinical.answer import AnswerResult, GuardrailResult
from corpus.trials import REFERENCE_COUNT, load_trials
from guardrails.text import (
    BRACKET,
    Outcome,
    body_lines,
    drop_sentences,
    in_review,
    regimen_mentions,
    review_text,
    rule_study_names,
    sentences,
    trial_mentions,
)

CHECK = "citations"
_REFS = re.compile(r"^\s*refs?\.?\s*(\d.*)$", re.IGNORECASE)  # not "REFLECT"
_REF_ITEM = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?")
_BARE_REF = re.compile(r"\brefs?\.?\s+(\d+(?:\s*[–-]\s*\d+)?(?:\s*,\s*\d+(?:\s*[–-]\s*\d+)?)*)")
# Trial-shaped names ("KEYNOTE-999", "CheckMate 459"): they must be records or in the review.
# "The review does not report KEYNOTE-240.": a trial named to say the review lacks it is no
# citation, and that sentence is what the clinician must read.
_DECLARED_ABSENT = re.compile(
    r"^\s*(?:\*\*[^*]+\*\*\s*)?The review does not (?:report|mention|cover|name|describe)\b"
)
_TRIAL_SHAPED = re.compile(r"\b[A-Z]{2,}[A-Za-z]*-\d{2,4}[A-Z]?\b")
_CLAIMING = re.compile(
    r"\b(?:recommend\w*|prefer\w*|first choice|best|improv\w*|benefit\w*|superior|longer|"
    r"better|effective|efficacy|survival|response|should|option)\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|months?)")
BLOCKED_UNCITED = (
    "The answer makes clinical claims without citing the review, so it is not shown. "
    "Please ask again."
)


def _known(name: str) -> bool:
    """A trial record, a study the rule core cites, or a name the review prints."""
    lowered = name.lower()
    return (
        load_trials().resolve(name) is not None
        or lowered in rule_study_names()
        or lowered in review_text()
    )


def _bad_refs(spec: str) -> list[int]:
    bad = []
    for first, last in _REF_ITEM.findall(spec):
        for number in {int(first), int(last or first)}:
            if not 1 <= number <= REFERENCE_COUNT:
                bad.append(number)
    return bad


def _fixed_bracket(content: str, unknown: list[str], bad: list[str]) -> str:
    parts = []
    for segment in (s.strip() for s in content.split(";")):
        refs = _REFS.match(segment)
        if refs:
            items = [
                item.strip()
                for item in refs.group(1).split(",")
                if item.strip() and not _bad_refs(item)
            ]
            if len(items) != len(refs.group(1).split(",")):
                bad.append(refs.group(1))
            if items:
                parts.append(("ref " if len(items) == 1 else "refs ") + ", ".join(items))
            continue
        names = []
        for name in (n.strip() for n in segment.split(",")):
            if not name:
                continue
            if _known(name):
                names.append(name)
            else:
                unknown.append(name)
        if names:
            parts.append(", ".join(names))
    return "; ".join(parts)


def check_citations(result: AnswerResult, text: str) -> Outcome:
    unknown: list[str] = []
    bad: list[str] = []
    cited = False

    def rebuild(match: re.Match[str]) -> str:
        nonlocal cited
        fixed = _fixed_bracket(match.group(1), unknown, bad)
        cited = cited or bool(fixed)
        return f"[{fixed}]" if fixed else ""

    lines = text.split("\n")
    for index, line in body_lines(text):
        new = BRACKET.sub(rebuild, line)
        for match in _BARE_REF.finditer(BRACKET.sub("", new)):
            if _bad_refs(match.group(1)):
                bad.append(match.group(1))
                good = [i.strip() for i in match.group(1).split(",") if not _bad_refs(i)]
                new = new.replace(match.group(0), f"refs {', '.join(good)}" if good else "")
            else:
                cited = True
        for match in _TRIAL_SHAPED.finditer(new):
            if not _known(match.group(0)):
                unknown.append(match.group(0))
        lines[index] = new
    repaired = "\n".join(lines)
    if unknown:
        naming = [
            (i, s)
            for i, line in body_lines(repaired)
            for s in sentences(line)
            if any(name in s for name in unknown)
        ]
        doomed = {(i, s) for i, s in naming if not _DECLARED_ABSENT.search(s)}
        repaired = drop_sentences(repaired, doomed)
        # a name only ever said to be missing from the review was not cited, so nothing is wrong
        spared = {
            n
            for n in unknown
            if any(n in s for _, s in naming) and not any(n in s for _, s in doomed)
        }
        unknown = [n for n in unknown if n not in spared]
    claims = _has_claims(repaired)
    if claims and not cited and not result.citations:
        return Outcome(
            text,
            GuardrailResult(check=CHECK, passed=False, detail=f"uncited clinical claims: {claims}"),
            block=BLOCKED_UNCITED,
        )
    problems = [f"trial not in the records: {n}" for n in dict.fromkeys(unknown)]
    problems += [f"reference outside 1..{REFERENCE_COUNT}: {b}" for b in dict.fromkeys(bad)]
    if problems:
        detail = "; ".join(problems) + " (removed)"
        return Outcome(repaired, GuardrailResult(check=CHECK, passed=False, detail=detail))
    detail = "cited trials exist and references are in the list"
    return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))


def _has_claims(text: str) -> str:
    """The first clinical claim found: a systemic regimen, or a figure beside a trial name."""
    for _, line in body_lines(text):
        for sentence in sentences(line):
            if in_review(sentence.lstrip("> ")):
                continue
            systemic = [r for r, _ in regimen_mentions(sentence) if not r.is_locoregional]
            if systemic and _CLAIMING.search(sentence):
                return f"regimen {systemic[0].name}"
            if trial_mentions(sentence) and _FIGURE.search(sentence):
                return f"trial figure in {sentence.strip()[:60]!r}"
    return ""
