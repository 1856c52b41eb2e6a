"""The verdict on a regimen the clinician names for a patient: suitable, use with caution, avoid.

"Plan is atezo/bev on Monday, anything to do first?" or "my colleague suggests STRIDE, reasonable
here?" asks about that regimen, not for a list. The verdict is the rule core's own judgement for
the profile: on its avoid list (avoid, with its reasons), among its options, itself or by its
class (suitable, or caution when checks the patient's facts call for must come first or a fact it
rests on is unconfirmed; hedged support is said as a reason), or not among its options at all
(caution: the review does not support it here).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from clinical.answer import Verdict
from corpus.regimens import load_catalogue
from corpus.yamlio import load_yaml

VERDICTS_PATH = Path(__file__).resolve().parent / "data" / "verdicts.yaml"


@cache
def _policy() -> tuple[tuple[str, ...], frozenset[str]]:
    """(routine check id prefixes, rule ids the review itself hedges): data/verdicts.yaml."""
    raw = load_yaml(VERDICTS_PATH)
    return tuple(raw["routine_checks"]), frozenset(c["rule"] for c in raw["caution"])


# Words that put a named regimen forward for this patient.
NAMED_PLAN = re.compile(
    r"\b(?:plan(?:ned|ning)?\s+(?:is|was|to|for)?|plan(?=\s*[:=-])|planning|going\s+to\s+(?:start|give|use)"
    r"|start(?:ing)?|give|giving|about\s+to|due\s+to\s+start|(?:colleague|team|oncologist|"
    r"surgeon|registrar|fellow|hepatologist|mdt)\s+(?:\w+\s+){0,2}(?:suggest|recommend|want|propos|"
    r"think|favour|favor|prefer|plan)\w*|suggest(?:ed|s)?|proposed?|considering|thinking\s+of"
    r"|what\s+about|how\s+about|lean(?:ing)?\s+towards|on\s+(?:monday|tuesday|wednesday|thursday|"
    r"friday|next\s+week|tomorrow))\b"
    r"|\b(?:reasonable|ok|okay|safe|appropriate|suitable|an\s+option|fine|right\s+choice|sensible|"
    r"acceptable|contraindicated|allowed|possible|advisable|wise)\b"
    r"|\banything\s+to\s+(?:do|check)\s+(?:first|before)\b"
    r"|\b(?:supported|backed|justified|evidence[-\s]based)\b|\bwithin\s+what\s+the\s+review\b"
    r"|\b(?:proposes|suggests|recommends|thinking|thoughts|makes\s+sense|any\s+basis"
    r"|is\s+there\s+(?:any\s+)?evidence|evidence\s+for|worth\s+(?:trying|it))\b",
    re.IGNORECASE,
)
# "Which first-line regimen?" asks for a choice even when it names some as examples.
OPEN_CHOICE = re.compile(
    r"\bwhich\s+(?:(?:first|second|third|next|later)[\s-]line\s+)?(?:regimen|option|one|drug|"
    r"therapy|treatment|combination)s?\b|\bwhat\s+(?:are\s+the\s+)?options\b|\bbest\s+option\b",
    re.IGNORECASE,
)


def asks_verdict(text: str, named: list[str], by_example: bool = False) -> bool:
    """The question puts one or two named regimens forward for the patient: by its words, or
    (`by_example`) because its nearest labelled examples do."""
    return (
        bool(named)
        and len(named) <= 2
        and (by_example or bool(NAMED_PLAN.search(text)))
        and (not OPEN_CHOICE.search(text))
    )


def _label(reason: str) -> str:
    return reason.rstrip(".")


def _entry(regimen: str, table: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The rule core's entry for `regimen`, or for the class it belongs to, and that class's name
    when it is the class ("lenvatinib + pembrolizumab" under "lenvatinib + an anti-PD-1")."""
    if regimen in table:
        return table[regimen], ""
    catalogue = load_catalogue()
    for general in catalogue.generalisations(regimen):
        if general in table:
            return table[general], catalogue.regimen(general).name
    return None


def _locoregional(regimen: str) -> bool:
    catalogue = load_catalogue()
    return regimen in catalogue.regimens and catalogue.regimen(regimen).is_locoregional


def verdicts(focus: list[str], data: dict[str, Any]) -> list[Verdict]:
    """One verdict per named regimen, from the rule core's result for the patient.

    `data` may join the regimen choice and the locoregional choice (a named SBRT or TACE plan).
    """
    catalogue = load_catalogue()
    options = {o["regimen"]: o for o in data.get("recommended", [])}
    avoided = {a["regimen"]: a for a in data.get("avoid", [])}
    checks = data.get("checks", [])
    unconfirmed = bool(data.get("unconfirmed"))
    found = []
    for regimen in focus:
        entry = catalogue.regimens.get(regimen)
        if entry is None:
            continue
        alternatives = [
            o["name"]
            for o in data.get("recommended", [])
            if o["regimen"] != regimen
            and o["regimen"] not in catalogue.generalisations(regimen)
            # TACE's alternatives are HAIC and SBRT, not a systemic line
            and (not entry.is_locoregional or _locoregional(o["regimen"]))
        ]
        if avoid_entry := _entry(regimen, avoided):
            avoid, as_class = avoid_entry
            reasons = [_label(r) for r in avoid.get("reasons", [avoid["reason"]])]
            found.append(
                Verdict(
                    regimen=regimen,
                    name=entry.name,
                    value="avoid",
                    reasons=[f"as {as_class}: {reasons[0]}", *reasons[1:]] if as_class else reasons,
                    rule_ids=list(avoid.get("rule_ids", [])),
                    alternatives=alternatives[:3],
                )
            )
            continue
        if option_entry := _entry(regimen, options):
            option, as_class = option_entry
            general = option["regimen"]
            mine = [
                c
                for c in checks
                if not c.get("applies_to") or {regimen, general} & set(c.get("applies_to", ()))
            ]
            # A routine screen for what the question did not say ("confirm no autoimmune
            # disease") comes with any start; a check the patient's own facts call for (an EGD
            # not yet done, an unconfirmed finding) makes the verdict a caution. The review's
            # hedged support (Figure 1's dotted lines) is said, but it is not a caution about
            # this patient: it still backs the regimen here.
            routine, hedged_here = _policy()
            called_for = [c for c in mine if not str(c.get("id", "")).startswith(routine)]
            own_hedge = bool(hedged_here & set(option.get("rule_ids", ())))
            value = "caution" if called_for or unconfirmed or own_hedge else "suitable"
            rationale = " ".join(option["rationale"])
            reasons = [f"as {as_class}: {rationale}" if as_class else rationale]
            if option["certainty"] != "firmer":
                reasons.append("the review's support for it here is hedged")
            found.append(
                Verdict(
                    regimen=regimen,
                    name=entry.name,
                    value=value,
                    reasons=reasons,
                    rule_ids=list(option.get("rule_ids", [])),
                    # what the patient's facts call for first: the bottom line names it
                    checks=[
                        c["text"] for c in called_for + [c for c in mine if c not in called_for]
                    ],
                    alternatives=alternatives[:3],
                )
            )
            continue
        found.append(
            Verdict(
                regimen=regimen,
                name=entry.name,
                value="caution",
                reasons=["the review does not list it among the options for this patient"],
                alternatives=alternatives[:3],
            )
        )
    return found
