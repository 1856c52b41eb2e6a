"""Regimen agreement: what the answer recommends must be what the rule core recommends."""

from __future__ import annotations

import re

from clinical.answer import AnswerResult, GuardrailResult
from clinical.profile import ProfileError, parse_profile
from clinical.rules import Recommendation, locoregional_choice, recommend
from corpus.regimens import load_catalogue
from corpus.sources import Citation, merge
from guardrails.text import Outcome, body_lines, regimen_mentions, sentences, without_brackets

CHECK = "regimen_agreement"
_RECOMMENDING = re.compile(
    r"\b(?:recommend(?:ed|s|ation)?|prefer(?:red|s)?|first choice|best option|go with|"
    r"i suggest|should (?:receive|start|get)|start (?:her|him|the patient) on)\b",
    re.IGNORECASE,
)
# A sentence that recommends conditionally, negatively or by contrast presents nothing as chosen.
_HEDGED = re.compile(r"\b(?:not|no|avoid\w*|instead|contraindicated|never|nor)\b", re.IGNORECASE)
# "better than sorafenib", "vs lenvatinib", "after atezo/bev": the regimen is a comparator.
_COMPARATOR = re.compile(
    r"(?:\bthan|\bvs\.?|\bversus|\bover|\bafter|\bon|\bto|\bwith|\bfrom|\bof)\s+(?:an?\s+|the\s+)?$",
    re.IGNORECASE,
)
# What follows "if"/"when" is the condition, not the choice ("... for stage B when TACE fails").
_CONDITION = re.compile(r"\b(?:if|when|where|unless|until)\b", re.IGNORECASE)
_OPTION_ITEM = re.compile(r"^\s*\d+\.\s+\*\*(.+?)\*\*")
NOTICE = (
    "The answer named regimens that the rule core does not recommend for this patient, so it was "
    "replaced. The options the review supports for this profile, most preferred first:"
)


def presented_ids(result: AnswerResult, text: str) -> list[str]:
    """Catalogue ids the answer presents as recommended: its fields and its own words."""
    catalogue = load_catalogue()
    ids = list(result.recommended_ids)
    ids += [r.id for name in result.recommended if (r := catalogue.resolve(name))]
    for _, line in body_lines(text):
        item = _OPTION_ITEM.match(line)
        if item:  # an option item's rationale speaks of other regimens only for contrast
            if regimen := catalogue.resolve(item.group(1)):
                ids.append(regimen.id)
            continue
        for sentence in sentences(without_brackets(line)):
            if not _RECOMMENDING.search(sentence) or _HEDGED.search(sentence):
                continue
            main = sentence[: m.start()] if (m := _CONDITION.search(sentence)) else sentence
            subjects = [
                regimen.id
                for regimen, match in regimen_mentions(main)
                if not _COMPARATOR.search(main[: match.start()])
            ]
            ids += subjects[:1]
    return list(dict.fromkeys(ids))


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


def check_regimens(result: AnswerResult, text: str) -> Outcome:
    if not result.profile:
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail="no patient profile"))
    try:
        rec = recommend(parse_profile(result.profile))
    except ProfileError as error:
        detail = f"profile not checkable: {error}"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    # Locoregional options (TACE, HAIC, SBRT) come from their own rule table.
    loco = rec.locoregional or locoregional_choice(parse_profile(result.profile))
    allowed = [o.regimen for o in (*rec.recommended, *loco.options)]
    avoided = {a.regimen for a in (*rec.avoid, *loco.avoid)}
    wrong = [i for i in presented_ids(result, text) if i not in allowed or i in avoided]
    if not wrong:
        detail = "recommended regimens agree with the rule core"
        return Outcome(text, GuardrailResult(check=CHECK, passed=True, detail=detail))
    catalogue = load_catalogue()
    reasons = {a.regimen: a.reason for a in rec.avoid}
    named = "; ".join(
        f"{catalogue.regimen(i).name}: {reasons.get(i, 'not among the rule core options')}"
        for i in wrong
    )
    citations = merge(
        Citation(trial=t.name, trial_id=t.id if t.in_records else None, refs=tuple(o.refs))
        for o in rec.recommended
        for t in o.trials
    )
    updates: dict[str, object] = {
        "recommended": [o.name for o in rec.recommended],
        "recommended_ids": [o.regimen for o in rec.recommended],
        "citations": citations,
    }
    detail = f"replaced the answer with the rule core's options; it recommended {named}"
    return Outcome(
        f"{NOTICE}\n\n{_options(rec)}",
        GuardrailResult(check=CHECK, passed=False, detail=detail),
        updates=updates,
    )
