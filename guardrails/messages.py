"""Every text the guardrails show a user, in one place: refusals, redirects, warnings and the
disclaimer every answer closes with."""

from __future__ import annotations

DISCLAIMER = (
    "_Decision support only: this summarises one review (Zhu et al., J Hepatocell Carcinoma 2025), "
    'whose own algorithm is "for discussion only and is not for a medication recommendation". '
    "The treating clinician decides._"
)

SCOPE_OFFER = (
    "ask about systemic or locoregional treatment of unresectable hepatocellular carcinoma "
    "(regimen choice, trial results, safety, eligibility) instead"
)

REFUSAL_EMPTY = "The question is empty; please type a question about HCC treatment."
REFUSAL_TOO_LONG = (
    "The question is {length} characters long, over the {limit}-character limit; please shorten it."
)
REFUSAL_ENCODING = (
    "The question contains characters that could not be decoded as text; please retype it."
)
REFUSAL_OFF_TOPIC = (
    f"This assistant only covers treatment of liver cancer (HCC); please {SCOPE_OFFER}."
)
REFUSAL_OTHER_CANCER = (
    f"This assistant covers hepatocellular carcinoma only, not other cancers; please {SCOPE_OFFER}."
)
REFUSAL_TASK = (
    f"This assistant does not write free text, code or general content; please {SCOPE_OFFER}."
)
REFUSAL_EMERGENCY = (
    "This sounds like a medical emergency: call your local emergency number or go to the nearest "
    "emergency department now, because this assistant cannot advise on acute care."
)
REFUSAL_INJECTION_ONLY = (
    "The message asks to change or reveal how this assistant works, which it cannot do; "
    f"please {SCOPE_OFFER}."
)

WARNING_INJECTION_REMOVED = (
    "Instructions addressed to the assistant were removed from the question and not followed; "
    "the clinical facts around them were kept and answered."
)
WARNING_IDENTIFIERS = (
    "Patient identifiers are not needed and were replaced by placeholders; they are never logged "
    "or exported."
)
WARNING_CONTROL_CHARACTERS = "Control characters were removed from the question."
