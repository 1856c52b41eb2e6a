"""The claim inventory: every entry rests on a quote the review prints, and contradicting
statements are removed while statements agreeing with the review pass."""

from __future__ import annotations

import pytest

from corpus.citations import strip_markers
from guardrails.claims import check_claims, load_claims
from guardrails.text import review_text, squash

CLAIMS = load_claims()


def test_inventory_covers_the_kinds_of_claim() -> None:
    kinds = {c.kind for c in CLAIMS}
    assert {"endpoint", "approval", "suitability", "toxicity", "pd_rate", "second_line"} <= kinds
    assert {"superiority"} <= kinds
    assert len({c.id for c in CLAIMS}) == len(CLAIMS)


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_every_claim_quote_is_in_the_review(claim) -> None:
    quote = squash(strip_markers(claim.quote).replace("$", "")).lower()
    assert quote in review_text(), claim.quote


@pytest.mark.parametrize(
    "sentence",
    [
        "LEAP-002 met both of its primary endpoints [LEAP-002; ref 24].",
        "Lenvatinib plus pembrolizumab significantly improved overall survival in LEAP-002.",
        "STRIDE is ideal for conversion therapy because of its high ORR and low PD rate.",
        "Tremelimumab + durvalumab has a low PD rate [HIMALAYA; ref 34].",
        "STRIDE has proven efficacy in the second-line setting.",
        "Tremelimumab plus durvalumab is not approved by the FDA.",
        "In REFLECT, lenvatinib showed superior overall survival versus sorafenib.",
        "Cabozantinib + atezolizumab improved overall survival in COSMIC-312.",
        "IMbrave150 failed to improve overall survival.",
        "Lenvatinib + pembrolizumab has the fewest side effects of the combinations.",
        "Lenvatinib plus pembrolizumab is approved first-line in China.",
        "Camrelizumab + apatinib is the best tolerated combination [CARES-310; refs 16, 17].",
        "STRIDE carries the highest toxicity of the first-line options.",
        "Atezolizumab + bevacizumab is the ideal conversion option.",
        "CheckMate 9DW: nivolumab + ipilimumab did not improve overall survival.",
    ],
)
def test_contradicting_statement_is_removed_with_the_review_quote(sentence: str) -> None:
    outcome = check_claims(f"Summary first. {sentence} Discuss with the team.")
    assert not outcome.result.passed, sentence
    assert sentence not in outcome.text
    assert "what the review says instead" in outcome.text
    assert "Summary first." in outcome.text


def test_a_pronoun_sentence_follows_its_subject() -> None:
    outcome = check_claims(
        "LEAP-002 compared len/pembro with lenvatinib. It met its primary endpoints."
    )
    assert not outcome.result.passed and "It met" not in outcome.text


@pytest.mark.parametrize(
    "sentence",
    [
        "LEAP-002 did not meet its primary endpoints [LEAP-002; ref 24].",
        "LEAP-002 missed its pre-specified OS and PFS targets.",
        "STRIDE may be not suitable for patients whose goal is downstaging resection.",
        "STRIDE has a relatively high PD rate (39.9%) [HIMALAYA; ref 34].",
        "There are no reports regarding second-line therapy using STRIDE.",
        "Tremelimumab plus durvalumab is approved by the FDA and the EMA.",
        "Lenvatinib's OS was non-inferior to sorafenib's in REFLECT.",
        "In Chinese patients lenvatinib gave numerically superior survival to sorafenib.",
        "Cabozantinib + atezolizumab showed no significant OS benefit over sorafenib.",
        "Atezolizumab + bevacizumab led to significantly longer OS than sorafenib in IMbrave150.",
        "Lenvatinib plus an anti-PD-1 antibody is not approved as first-line treatment in China.",
        "Lenvatinib + pembrolizumab: reliable efficacy, the lowest PD rate, higher side effects.",
        "Atezolizumab + bevacizumab is inconvenient for conversion surgery.",
        "Lenvatinib plus an anti-PD-1 antibody is preferred for downstaging resection.",
    ],
)
def test_statements_agreeing_with_the_review_pass(sentence: str) -> None:
    outcome = check_claims(sentence)
    assert outcome.result.passed, outcome.result.detail
    assert outcome.text == sentence


def test_a_true_statement_elsewhere_does_not_hide_a_false_one() -> None:
    text = (
        "LEAP-002 did not meet its primary endpoints in the final analysis.\n\n"
        "Lenvatinib + pembrolizumab: LEAP-002 met both of its primary endpoints."
    )
    outcome = check_claims(text)
    assert not outcome.result.passed and "met both" not in outcome.text
