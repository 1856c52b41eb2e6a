"""The verdict on a regimen the clinician names for a patient: suitable, use with caution, avoid.

"Plan is atezo/bev on Monday, anything to do first?" or "my colleague suggests STRIDE, reasonable
here?" asks about that regimen, not for a list. The verdict is the rule core's own judgement for
the profile: on its avoid list (avoid, with its reasons), among its options (suitable, or caution
when the review hedges, checks must come first, or a fact it rests on is unconfirmed), or not
among its options at all (caution: the review does not support it here).
"""

from __future__ import annotations

import re
from typing import Any

from clinical.answer import Verdict
from corpus.regimens import load_catalogue

# Checks that screen for facts a question left unsaid (rule-core check ids).
ROUTINE_CHECKS = ("SCREEN-", "CONFIRM-CHILD-PUGH-AND-ECOG")
# Words that put a named regimen forward for this patient.
NAMED_PLAN = re.compile(
    r"\b(?:plan(?:ned|ning)?\s+(?:is|was|to|for)?|planning|going\s+to\s+(?:start|give|use)"
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


def asks_verdict(text: str, named: list[str]) -> bool:
    """The question puts one or two named regimens forward for the patient."""
    return (
        bool(named)
        and len(named) <= 2
        and bool(NAMED_PLAN.search(text))
        and (not OPEN_CHOICE.search(text))
    )


def _label(reason: str) -> str:
    return reason.rstrip(".")


def verdicts(focus: list[str], data: dict[str, Any]) -> list[Verdict]:
    """One verdict per named regimen, from the rule core's result for the patient."""
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
        alternatives = [o["name"] for o in data.get("recommended", []) if o["regimen"] != regimen]
        if regimen in avoided:
            avoid = avoided[regimen]
            found.append(
                Verdict(
                    regimen=regimen,
                    name=entry.name,
                    value="avoid",
                    reasons=[_label(r) for r in avoid.get("reasons", [avoid["reason"]])],
                    rule_ids=list(avoid.get("rule_ids", [])),
                    alternatives=alternatives[:3],
                )
            )
            continue
        mine = [c for c in checks if regimen in c.get("applies_to", ()) or not c.get("applies_to")]
        own = [c["text"] for c in mine]
        # A routine screen for what the question did not say ("confirm no autoimmune disease")
        # comes with any start; a check the patient's own facts call for (an EGD not yet done,
        # an unconfirmed finding) makes the verdict a caution.
        called_for = [c for c in mine if not str(c.get("id", "")).startswith(ROUTINE_CHECKS)]
        if regimen in options:
            option = options[regimen]
            hedged = option["certainty"] != "firmer" or option["rank"] > 3
            value = "caution" if hedged or called_for or unconfirmed else "suitable"
            reasons = [" ".join(option["rationale"])]
            if option["certainty"] != "firmer":
                reasons.append("the review's support for it here is hedged")
            found.append(
                Verdict(
                    regimen=regimen,
                    name=entry.name,
                    value=value,
                    reasons=reasons,
                    rule_ids=list(option.get("rule_ids", [])),
                    checks=own,
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
