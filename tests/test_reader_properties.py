"""Property tests: vignettes composed from the phrase bank never get an excluded regimen.

Each example joins a few bank entries that state different fields (so the facts of the whole are
the union of the entries' facts, with nothing to supersede), as one message or as a conversation,
in any order. The rule core's safety exclusions for the true profile (the bank's facts, under the
reader's fail-safe policy) must never be recommended on the profile the reader reads, whatever the
wording: an unsafe reading is a failure here even where no answer happens to be ranked.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinical.profile import parse_profile
from clinical.reader import read, read_conversation
from clinical.rules import recommend
from eval.reader import READER_BANKS, BankEntry, excluded_for, expected_profile, load_bank

ENTRIES = [
    entry
    for bank in sorted(p for p in READER_BANKS.iterdir() if p.is_dir())
    for entry in load_bank(bank)
    if entry.facts
]
# Fields that decide a safety exclusion: the compositions are built so that some entries state
# them and others do not, and every contraindication meets every other kind of fact.
SAFETY = {
    "organ_transplant",
    "active_autoimmune_disease",
    "varices",
    "egd_done",
    "recent_bleeding",
    "low_platelets",
    "refractory_hypertension",
    "child_pugh_class",
    "portal_hypertension",
    "tumour.up_to_7",
}
WITH_SAFETY = [e for e in ENTRIES if SAFETY & e.facts.keys()]

PROPERTY_SETTINGS = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def vignettes(draw: st.DrawFn) -> list[BankEntry]:
    """One entry stating a safety fact, then up to three more stating none of the same fields."""
    chosen = [draw(st.sampled_from(WITH_SAFETY))]
    for _ in range(draw(st.integers(1, 3))):
        taken = set().union(*(e.facts.keys() for e in chosen))
        fitting = [e for e in ENTRIES if not taken & e.facts.keys() and e not in chosen]
        if not fitting:
            break
        chosen.append(draw(st.sampled_from(fitting)))
    return draw(st.permutations(chosen))


def _truth(entries: list[BankEntry]) -> dict[str, Any]:
    facts = {name: fact for entry in entries for name, fact in entry.facts.items()}
    whole = BankEntry(id="composed", text="\n".join(e.text for e in entries), facts=facts)
    return expected_profile(whole)


def _unsafe(entries: list[BankEntry], profile: dict[str, Any], problems: list[str]) -> set[str]:
    """Regimens recommended on the read profile that the true profile excludes."""
    if problems:  # impossible values are asked about, nothing is recommended
        return set()
    recommended = {option.regimen for option in recommend(parse_profile(profile)).recommended}
    return recommended & excluded_for(_truth(entries)).keys()


@PROPERTY_SETTINGS
@given(vignettes())
def test_composed_message_never_recommends_an_excluded_regimen(entries: list[BankEntry]) -> None:
    reading = read("\n".join(entry.text.strip() for entry in entries))
    unsafe = _unsafe(entries, reading.profile, reading.problems)
    assert not unsafe, (unsafe, [e.id for e in entries], reading.profile)


@PROPERTY_SETTINGS
@given(vignettes())
def test_composed_conversation_never_recommends_an_excluded_regimen(
    entries: list[BankEntry],
) -> None:
    reading = read_conversation([entry.text for entry in entries])
    unsafe = _unsafe(entries, reading.profile, reading.problems)
    assert not unsafe, (unsafe, [e.id for e in entries], reading.profile)


def test_the_bank_feeds_the_compositions() -> None:
    # Enough contraindications to compose from, and each one excludes something on its own.
    assert len(WITH_SAFETY) >= 300
    excluding = [e for e in WITH_SAFETY if excluded_for(_truth([e]))]
    assert len(excluding) >= 100


def test_a_misread_contraindication_is_caught() -> None:
    # The check can fail: with the transplant dropped from what was read, an ICI the true
    # profile excludes gets recommended.
    def blind(entry: BankEntry) -> dict[str, Any]:
        profile = {k: v for k, v in read(entry.text).profile.items() if k != "organ_transplant"}
        profile.pop("unconfirmed", None)
        return profile

    transplants = [
        e
        for e in WITH_SAFETY
        if "organ_transplant" in e.facts and e.facts["organ_transplant"].value is True
    ]
    assert sum(bool(_unsafe([e], blind(e), [])) for e in transplants) >= 10
