"""Regimen agreement: what the answer endorses must be what the rule core allows for the patient.

The patient is read twice: from the profile a tool received (if any tool did) and from the
clinician's own words in the conversation (always, whichever tools the model called or skipped).
An endorsed regimen that the rule core avoids, or does not offer, for either reading is a
violation: the answer is replaced by the rule core's options with a notice naming each regimen
and why. Endorsing means recommendation language or a ranked list, not a mention and not "avoid".
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from typing import Any

from clinical.answer import AnswerResult, GuardrailResult
from clinical.profile import ProfileError, parse_profile
from clinical.rules import LocoregionalChoice, Recommendation, locoregional_choice, recommend
from corpus.regimens import load_catalogue
from corpus.sources import Citation, merge
from guardrails.patient import ReadPatient
from guardrails.text import (
    Outcome,
    body_lines,
    in_review,
    regimen_mentions,
    sentences,
    without_brackets,
)

CHECK = "regimen_agreement"
_RECOMMENDING = re.compile(
    r"\b(?:recommend(?:ed|s|ation|ing)?|prefer(?:red|s|able)?|first[- ]choice|"
    r"(?:best|top|ideal|preferred|optimal|right|obvious|clear|good|reasonable|safest)\s+"
    r"(?:option|choice|regimen|treatment|therapy|pick|bet|fit)s?|"
    r"go(?:ing)? with|i(?:'d| would)? suggest|we suggest|i(?:'d| would)? advise|"
    r"should (?:receive|start|get|be (?:given|started|treated|offered|used|the))|"
    r"start(?:ing)? (?:her|him|them|the patient|this patient)? ?(?:on|with)|"
    r"begin(?:ning)? (?:her|him|them|the patient)? ?(?:on|with)|"
    r"(?:treat|put) (?:her|him|them|the patient|this patient) (?:with|on)|"
    r"opt for|is (?:ideal|perfect|well suited|the way to go|safe and|a safe)|"
    r"(?:is|are|remains?) (?:suitable|appropriate|indicated|safe) (?:for|in|here|with)|"
    r"my (?:pick|choice|recommendation))\b",
    re.IGNORECASE,
)
# A negation before the recommending words turns the clause around ("I would not recommend X",
# "avoid X; ...", "X is contraindicated and not recommended").
_HEDGED = re.compile(
    r"\b(?:not|no|never|avoid\w*|against|contraindicat\w*|nor|cannot|can't|don't|doesn't|"
    r"shouldn't|isn't|aren't|unsafe|unsuitable|inappropriate|instead)\b|n't\b",
    re.IGNORECASE,
)
# "better than sorafenib", "vs lenvatinib", "after atezo/bev", "rather than X": a comparator.
_COMPARATOR = re.compile(
    r"(?:\bthan|\bvs\.?|\bversus|\bover|\bafter|\bon|\bto|\bwith|\bfrom|\bof|\bnot|\bnor|"
    r"\bavoid(?:ing)?|\bexcept|\binstead of|\bunlike|\bbefore|\bpast|\bfailed|\bfailing)"
    r"\s+(?:an?\s+|the\s+|prior\s+|previous\s+)?$",
    re.IGNORECASE,
)
_SWITCH = re.compile(
    r"\b(?:switch|mov|chang|escalat|proceed|turn|go)(?:e|es|ed|ing)?\s+(?:on\s+)?to\b", re.I
)
# What follows "if"/"when" is the condition, not the choice ("... for stage B when TACE fails").
_REVIEW_QUOTE = re.compile(r"\u201c([^\u201d]{20,})\u201d")
_CONDITION = re.compile(r"\b(?:if|when|where|unless|until|once)\b", re.IGNORECASE)
_CLAUSES = re.compile(r";|,\s*(?=but\b|whereas\b|while\b|not\b)|\s(?=but\b|whereas\b)", re.I)
_OPTION_ITEM = re.compile(r"^\s*(?:\d+[.)]|#\d+)\s+(?:\*\*)?(.+?)(?:\*\*|$)")
_INLINE_ITEM = re.compile(r"(?:^|[:;,]\s+)\d+\.\s+([^;]+)")
_HEADING = re.compile(r"^\s*(?:#+\s*|\*\*)?([^*\n]{1,80}?)(?:\*\*)?\s*:?\s*$")
_AVOID_HEADING = re.compile(
    r"\bavoid|\bcontraindicat|\bnot (?:recommended|suitable|for)|\bexcluded|\bdo not\b", re.I
)
# A list ranked by a figure ("ranked by PD rate (lowest first)") reports data, not a choice.
_DATA_LEAD = re.compile(
    r"\b(?:ranked|sorted|ordered|listed) by\b|\b(?:lowest|highest|longest|shortest) first\b"
    r"|\bin (?:order of|Table \d)",
    re.IGNORECASE,
)
NOTICE = (
    "The answer endorsed regimens that the rule core does not allow for this patient, so it was "
    "replaced: {named}. The options the review supports for this profile, most preferred first:"
)


def _item_regimen(item: str) -> str | None:
    mentions = regimen_mentions(without_brackets(item))
    if mentions and mentions[0][1].start() <= 3:
        return mentions[0][0].id
    return None


def _clause_subjects(clause: str) -> list[str]:
    verb = _RECOMMENDING.search(clause)
    if verb is None or _HEDGED.search(clause[: verb.end()]):
        return []
    main = clause[: m.start()] if (m := _CONDITION.search(clause)) else clause
    # The recommending words themselves ("go with", "start her on") introduce the choice.
    blanked = main[: verb.start()] + " " * (verb.end() - verb.start()) + main[verb.end() :]
    blanked = _SWITCH.sub(lambda m: " " * len(m.group(0)), blanked)  # "switch to X" chooses X
    return [
        regimen.id
        for regimen, match in regimen_mentions(main)
        if not _COMPARATOR.search(blanked[: match.start()])
    ]


def endorsed_ids(result: AnswerResult, text: str) -> list[str]:
    """Catalogue ids the answer presents as chosen: its fields, its ranked lists, and its
    recommendation language (not a mere mention, not an "avoid X")."""
    catalogue = load_catalogue()
    ids = list(result.recommended_ids)
    ids += [r.id for name in result.recommended if (r := catalogue.resolve(name))]
    avoiding = data_list = False
    for _, line in body_lines(text):
        heading = _HEADING.match(line)
        if line.strip() and not _OPTION_ITEM.match(line):
            data_list = bool(_DATA_LEAD.search(line))
        if not line.strip():
            avoiding = False
        elif (
            heading
            and (line.strip().startswith(("**", "#")) or line.rstrip().endswith(":"))
            and not _OPTION_ITEM.match(line)
        ):
            avoiding = bool(_AVOID_HEADING.search(heading.group(1)))
        if avoiding or (data_list and _OPTION_ITEM.match(line)):
            continue
        if line.lstrip().startswith(">") and in_review(line.lstrip("> ").strip()):
            continue  # the review quoted verbatim: its words, not the answer's endorsement
        item = _OPTION_ITEM.match(line)
        if item:  # an option item's rationale speaks of other regimens only for contrast
            if (found := _item_regimen(item.group(1))) and not _HEDGED.search(line[:12]):
                ids.append(found)
            continue
        # an inline quote of the review ("Nearest it comes: the review (...): “...”") is its
        # words, not the answer's endorsement, as a quoted block is
        line = _REVIEW_QUOTE.sub(lambda m: " " if in_review(m.group(1)) else m.group(0), line)
        for sentence in sentences(without_brackets(line)):
            for inline in _INLINE_ITEM.finditer(sentence):
                if (found := _item_regimen(inline.group(1))) is not None:
                    ids.append(found)
            for clause in _CLAUSES.split(sentence):
                ids += _clause_subjects(clause)
    return list(dict.fromkeys(ids))


presented_ids = endorsed_ids  # the earlier name


def _options(rec: Recommendation) -> str:
    lines = []
    for option in rec.recommended:
        trials = ", ".join(t.name for t in option.trials)
        refs = ", ".join(map(str, option.refs))
        label = "ref" if len(option.refs) == 1 else "refs"
        basis = "; ".join(part for part in (trials, f"{label} {refs}" if refs else "") if part)
        lines.append(f"{option.rank}. **{option.name}**" + (f" [{basis}]" if basis else ""))
    if not lines:
        lines.append(rec.outside_review or "The review supports no option for this profile.")
    return "\n".join(lines)


def _why_not(regimen: str, rec: Recommendation, loco_avoid: dict[str, str]) -> str:
    reasons = {a.regimen: a.reason for a in rec.avoid} | loco_avoid
    if regimen in reasons:
        return reasons[regimen]
    if rec.outside_review:
        return rec.outside_review
    return "not among the options the rule core gives for this patient"


@cache
def _line_regimens() -> dict[str, frozenset[str]]:
    """Every regimen a line's rule table can recommend, for any patient: the review's limits."""
    from clinical.rules import load_rulebook

    book = load_rulebook()
    found: dict[str, frozenset[str]] = {}
    for line, table in (("first", "first_line"), ("later", "later_line")):
        found[line] = frozenset(
            effect.regimen for parsed in book.tables[table] for effect in parsed.rule.recommend
        )
    return found


@lru_cache(maxsize=512)
def _rule_core(profile: str) -> tuple[Recommendation, LocoregionalChoice]:
    """The rule core on a profile (pure, so cached by the profile's JSON)."""
    patient = parse_profile(json.loads(profile))
    rec = recommend(patient)
    return rec, rec.locoregional or locoregional_choice(patient)


def _invariant_reasons(profile: dict[str, Any], ids: list[str]) -> dict[str, str]:
    """The rule core's safety invariants applied to each endorsed regimen directly, whether or
    not a rule table offered it for this patient (len/pembro after a transplant, say)."""
    from clinical.rules import load_rulebook
    from clinical.rules.engine import Draft, OptionDraft
    from clinical.rules.facts import facts_of
    from clinical.rules.output import Certainty
    from clinical.rules.safety import enforce

    book = load_rulebook()
    patient = parse_profile(profile)
    draft = Draft()
    for order, regimen in enumerate(i for i in ids if i in book.catalogue.regimens):
        draft.options[regimen] = OptionDraft(
            regimen, 1, order, Certainty.FIRMER, continues_prior=True
        )
    enforce(draft, patient, facts_of(patient), book, require_trials=False)
    return {regimen: "; ".join(a.reasons) for regimen, a in draft.avoided.items()}


def _beyond_trials(profile: dict[str, Any]) -> bool:
    """Child-Pugh B or ECOG 2 stated: outside the phase III trials, the review's own limits."""
    ecog = profile.get("ecog")
    return profile.get("child_pugh_class") == "B" or (isinstance(ecog, int) and ecog >= 2)


def _verdicts(
    profile: dict[str, Any], ids: list[str], strict: bool, line_stated: bool = False
) -> tuple[Recommendation, dict[str, str]]:
    """The rule core's recommendation for `profile` and, per wrong id, why it is wrong.

    Strict (the profile a tool was given): whatever the rule core does not offer is wrong.
    Otherwise (the clinician's words, read whatever the question asks): what the rule core
    avoids, anything systemic when the review supports no regimen (Child-Pugh C, ECOG 3-4), any
    regimen beyond the few it offers for Child-Pugh B or ECOG 2, and a regimen no rule offers in
    the line the clinician stated.
    """
    rec, loco = _rule_core(json.dumps(profile, sort_keys=True, default=str))
    allowed = {o.regimen for o in (*rec.recommended, *loco.options)}
    loco_avoid = {a.regimen: a.reason for a in loco.avoid}
    avoided = {a.regimen for a in rec.avoid} | set(loco_avoid)
    catalogue = load_catalogue()
    wrong: dict[str, str] = {}
    invariants = _invariant_reasons(profile, ids)
    for i in ids:
        systemic = not catalogue.regimen(i).is_locoregional
        if i in avoided or (strict and i not in allowed):
            wrong[i] = _why_not(i, rec, loco_avoid)
        elif i in invariants:
            wrong[i] = invariants[i]
        elif (
            systemic and line_stated and i in profile.get("prior_regimens", ()) and i not in allowed
        ):
            wrong[i] = (
                "the patient has already received it and the rule core does not offer it again"
            )
        elif systemic and not rec.recommended and rec.outside_review:
            wrong[i] = rec.outside_review
        elif systemic and rec.recommended and _beyond_trials(profile) and i not in allowed:
            offered = ", ".join(o.name for o in rec.recommended)
            wrong[i] = (
                "the trials recruited Child-Pugh A, ECOG 0-1 patients; for this liver function "
                f"or performance status the review offers only {offered}"
            )
        elif systemic and line_stated and i not in allowed:
            line = str(profile.get("line") or "first")
            if i not in _line_regimens().get(line, frozenset({i})):
                wrong[i] = f"no rule of the review offers it in the {line} line"
    return rec, wrong


def check_regimens(result: AnswerResult, text: str, read: ReadPatient | None = None) -> Outcome:
    """`read` is what the clinician's own words say of the patient (clinical reader), if any."""
    readings = [(read.profile, False, read.line_stated)] if read else []
    if result.profile:
        readings.append((result.profile, True, False))
    if not readings:
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail="no patient profile"))
    ids = endorsed_ids(result, text)
    wrong: dict[str, str] = {}
    base: Recommendation | None = None
    problems = []
    for profile, strict, line_stated in readings:
        try:
            rec, found = _verdicts(profile, ids, strict, line_stated)
        except ProfileError as error:
            problems.append(str(error))
            continue
        base = base or rec  # the clinician's words first, when they state a patient
        for regimen, why in found.items():
            wrong.setdefault(regimen, why)
    if base is None:
        detail = f"profile not checkable: {'; '.join(problems)}"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    if not wrong:
        detail = "endorsed regimens agree with the rule core"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    catalogue = load_catalogue()
    named = "; ".join(f"{catalogue.regimen(i).name} ({why})" for i, why in wrong.items())
    citations = merge(
        Citation(trial=t.name, trial_id=t.id if t.in_records else None, refs=tuple(o.refs))
        for o in base.recommended
        for t in o.trials
    )
    updates: dict[str, object] = {
        "recommended": [o.name for o in base.recommended],
        "recommended_ids": [o.regimen for o in base.recommended],
        "citations": citations,
    }
    detail = f"replaced the answer with the rule core's options; it endorsed {named}"
    return Outcome(
        f"{NOTICE.format(named=named)}\n\n{_options(base)}",
        GuardrailResult(check=CHECK, passed=False, detail=detail),
        updates=updates,
    )
