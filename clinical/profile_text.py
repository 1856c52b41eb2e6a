"""A patient profile as a clinician reads it: "Child-Pugh A; ECOG 0; varices untreated or severe".

Used wherever a profile is shown back (answers, the chat UI, exports). Values are printed as the
clinician typed them: 6 cm stays "6 cm", never "6.0", so every number shown is traceable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from corpus.regimens import load_catalogue

# field -> (label, unit); a label with "{}" places the value inside it.
_LABELS: dict[str, tuple[str, str]] = {
    "line": ("{} line", ""),
    "prior_regimens": ("after", ""),
    "goal": ("goal", ""),
    "child_pugh_class": ("Child-Pugh", ""),
    "child_pugh_score": ("Child-Pugh score", ""),
    "ecog": ("ECOG", ""),
    "bclc_stage": ("BCLC", ""),
    "varices": ("varices", ""),
    "egd_done": ("EGD done", ""),
    "recent_bleeding": ("recent GI bleeding", ""),
    "portal_hypertension": ("portal hypertension", ""),
    "priority": ("priority", ""),
    "active_autoimmune_disease": ("active autoimmune disease", ""),
    "organ_transplant": ("previous organ transplant", ""),
    "low_platelets": ("low platelets", ""),
    "refractory_hypertension": ("refractory hypertension", ""),
    "afp_ng_ml": ("AFP", "ng/mL"),
    "nlr": ("NLR", ""),
    "region": ("region", ""),
    "prior_tace": ("prior TACE", ""),
    "lobes_involved": ("lobes involved", ""),
    "largest_size_cm": ("largest tumour", "cm"),
    "tumour_count": ("tumours", ""),
    "contralateral_lesion_count": ("contralateral tumours", ""),
    "contralateral_largest_cm": ("largest contralateral tumour", "cm"),
    "up_to_7": ("up-to-7", ""),
    "pvtt_grade": ("PVTT", ""),
    "pvtt_contralateral": ("PVTT into the contralateral lobe", ""),
    "pvtt_reaches_smv": ("PVTT reaching the SMV", ""),
    "hvtt_branches": ("hepatic vein branches with thrombus", ""),
    "ivc_thrombus": ("IVC thrombus", ""),
    "extrahepatic_spread": ("extrahepatic spread", ""),
}


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value).replace("_", " ")


def fact_label(name: str) -> str:
    """A field's name as a clinician reads it ("tumour.up_to_7" -> "up-to-7")."""
    key = name.removeprefix("tumour.")
    label = _LABELS.get(key, (key.replace("_", " "), ""))[0]
    return label.replace("{} ", "treatment ").replace("{}", "").strip()


def describe_field(key: str, value: Any) -> str:
    label, unit = _LABELS.get(key, (key.replace("_", " "), ""))
    shown = format_value(value)
    text = label.format(shown) if "{}" in label else f"{label} {shown}"
    return f"{text} {unit}".rstrip()


def profile_summary(profile: Mapping[str, Any]) -> str:
    """One line of the fields that are known, tumour extent included; the label is never shown."""
    parts = []
    for key, value in profile.items():
        if key == "tumour" and isinstance(value, Mapping):
            parts += [describe_field(k, v) for k, v in value.items()]
        elif key not in ("label", "unconfirmed"):  # unclear facts are read back apart
            parts.append(describe_field(key, value))
    return "; ".join(parts) or "no patient details given"


def read_back(facts: Sequence[Any], unconfirmed: Sequence[str] = ()) -> str:
    """The patient as the reader read them, in plain words: each fact once, the unclear ones
    marked with the words they came from ("varices (unclear: “?varices”)")."""
    parts = []
    for fact in facts:
        key = fact.field.removeprefix("tumour.")
        value = fact.value
        if fact.field == "prior_regimens":
            value = load_catalogue().regimen(str(value)).name
        text = describe_field(key, value)
        if fact.field in unconfirmed:
            text += f" (unclear: “{fact.words}”; treated as present until you confirm)"
        elif getattr(fact, "asked", False):
            text += " (as asked)"
        parts.append(text)
    return "; ".join(dict.fromkeys(parts))
