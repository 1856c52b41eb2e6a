"""Deterministic scoring of one answer against its case: no LLM judge."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from clinical.answer import AnswerResult
from corpus.names import fold
from corpus.regimens import load_catalogue
from eval.agreement import rule_core_trials
from eval.cases import Case
from eval.fidelity import NumberCheck, check_numbers


@dataclass(frozen=True)
class CaseScore:
    case: Case
    failures: tuple[str, ...] = field(default_factory=tuple)
    cited: frozenset[str] = frozenset()  # trial ids the answer cites
    # Trials the rule core attaches to the regimens it names for the profile the answer read.
    context_trials: frozenset[str] = frozenset()
    numbers: NumberCheck = field(default_factory=lambda: NumberCheck((), ()))

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def expected_trials(self) -> frozenset[str]:
        return frozenset(self.case.expect.trials)

    @property
    def allowed_trials(self) -> frozenset[str]:
        return self.expected_trials | frozenset(self.case.expect.may_cite) | self.context_trials


def contains_figure(answer: str, figure: str) -> bool:
    """`figure` as a whole number in the answer: "19" is not found inside "19.2" or "119"."""
    number = re.escape(figure.strip())
    return re.search(rf"(?<![\d.]){number}(?![\d]|\.\d)", answer) is not None


def user_text(case: Case) -> list[str]:
    """What the clinician typed: numbers echoed from here are theirs, not invented."""
    return [case.question, *case.turns, json.dumps(case.profile or {})]


def _profile_failures(case: Case, result: AnswerResult) -> list[str]:
    read = {**result.profile, **result.profile.get("tumour", {})}
    return [
        f"profile {key} is {read.get(key)!r}, expected {value!r}"
        for key, value in case.expect.profile.items()
        if read.get(key) != value
    ]


# How an answer says plainly that the review lacks something.
NOT_IN_REVIEW = re.compile(
    r"\b(?:does\s+not|doesn't|do\s+not|did\s+not|didn't)\s+(?:\w+\s+){0,3}?(?:report|mention"
    r"|cover|include|give|print|provide|contain|discuss|address|state|name)\w*"
    r"|\bnot\s+(?:reported|covered|mentioned|given|printed|stated|discussed|named)\b"
    r"|\breports?\s+no\b|\bno\s+(?:data|figures?|report)\b|\boutside\s+(?:the\s+)?review\b",
    re.IGNORECASE,
)
_OPENING_ANSWER = re.compile(r"^[\W_]*(?:bottom\s+line\W*)?(yes|no)\b", re.IGNORECASE)


def opening(result: AnswerResult) -> str:
    """What the answer opens with: its bottom line when it has one, else its first lines."""
    return str(getattr(result, "bottom_line", None) or result.answer)[:400]


def _new_expectation_failures(case: Case, result: AnswerResult) -> list[str]:
    expect, failures = case.expect, []
    failures += [
        f"figure {f} must not appear"
        for f in expect.forbidden_figures
        if contains_figure(result.answer, f)
    ]
    if expect.absent and not NOT_IN_REVIEW.search(result.answer):
        failures.append("does not say the review lacks what was asked")
    if expect.yes_no:
        said = _OPENING_ANSWER.match(opening(result))
        if not said or said.group(1).lower() != expect.yes_no:
            failures.append(f"does not open with {expect.yes_no!r}")
    if expect.verdict:
        given = {
            str(v.get("regimen") if isinstance(v, dict) else getattr(v, "regimen", "")): (
                v.get("value") if isinstance(v, dict) else getattr(v, "value", None)
            )
            for v in getattr(result, "verdicts", None) or []
        }
        wanted = expect.verdict
        if given.get(wanted.regimen) != wanted.value:
            failures.append(
                f"verdict on {wanted.regimen} is {given.get(wanted.regimen)!r}, "
                f"expected {wanted.value!r}"
            )
    return failures


def avoided_ids(result: AnswerResult) -> set[str]:
    """Catalogue ids of the avoid list (the result names regimens as the answer shows them)."""
    catalogue = load_catalogue()
    found = (catalogue.resolve(entry.regimen) for entry in result.avoid)
    return {regimen.id for regimen in found if regimen}


def score(case: Case, result: AnswerResult) -> CaseScore:
    expect = case.expect
    failures = []
    if result.refused != expect.refused:
        failures.append(f"refused is {result.refused}, expected {expect.refused}")
    failures += [
        f"figure {f} missing" for f in expect.figures if not contains_figure(result.answer, f)
    ]
    recommended = set(result.recommended_ids)
    failures += [f"{r} not recommended" for r in expect.recommended if r not in recommended]
    failures += [
        f"{r} recommended but excluded" for r in expect.not_recommended if r in recommended
    ]
    avoided = avoided_ids(result)
    failures += [f"{r} not on the avoid list" for r in expect.avoided if r not in avoided]
    cited = frozenset(c.trial_id for c in result.citations if c.trial_id)
    failures += [f"trial {t} not cited" for t in expect.trials if t not in cited]
    answer = fold(result.answer)
    failures += [f"{m!r} not said" for m in expect.mentions if fold(m) not in answer]
    failures += _profile_failures(case, result)
    failures += _new_expectation_failures(case, result)
    numbers = check_numbers(result.answer, user_text(case))
    failures += [f"number {n} is not in the review" for n in numbers.untraceable]
    return CaseScore(case, tuple(failures), cited, rule_core_trials(result), numbers)
