"""Language a clinician must never see: cure and guarantees, blanket claims, false certainty."""

from __future__ import annotations

import pytest

from guardrails.language import check_language, find_forbidden


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Lenvatinib will cure this patient.", "cure"),
        ("Atezo/bev cures HCC in most patients.", "cure"),
        ("This regimen guarantees a response.", "cure"),
        ("She will respond to STRIDE.", "cure"),
        ("A complete cure is possible with atezo/bev.", "cure"),
        ("Lenvatinib is recommended for all patients.", "blanket"),
        ("Atezo/bev is the answer for everyone.", "blanket"),
        ("Always start with atezolizumab + bevacizumab.", "blanket"),
        ("STRIDE can be given regardless of liver function.", "blanket"),
        ("All patients should receive an ICI combination.", "blanket"),
        ("Lenvatinib is definitely the right choice.", "overconfident"),
        ("Atezo/bev is undoubtedly superior.", "overconfident"),
        ("STRIDE is completely safe in Child-Pugh B.", "overconfident"),
        ("There is no risk of bleeding with lenvatinib.", "overconfident"),
        ("Without doubt, STRIDE is better.", "overconfident"),
    ],
)
def test_forbidden_language_is_blocked(sentence: str, kind: str) -> None:
    outcome = check_language(f"Some context first. {sentence}")
    assert outcome.block is not None and not outcome.result.passed
    assert outcome.result.detail.startswith(kind)


@pytest.mark.parametrize(
    "sentence",
    [
        "No regimen is guaranteed to work.",
        "This is not always possible.",
        "Conversion therapy may eventually lead to some patients being cured.",
        "Successful downstaging can lead to curative resection.",
        "The review cannot guarantee a response for any individual patient.",
        "Patients who met these criteria had a much higher rate of successful downstaging.",
        "For patients with Child-Pugh B, STRIDE is tentative.",
        "Treatment-related quality of life is thus a key consideration when choosing systemic "
        "therapy.",
        "Almost all patients in the trial had Child-Pugh A.",
        "Always check for varices with an EGD before bevacizumab.",
    ],
)
def test_cautious_language_passes(sentence: str) -> None:
    assert find_forbidden(sentence) is None, sentence
    assert check_language(sentence).result.passed
