"""The rule data itself: every quote is the review's, every reference is cited where it is
quoted, every trial and figure comes from the trial records, and no number hides in the prose."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from clinical.rules import RuleDataError, load_rulebook
from clinical.rules.book import DATA_DIR, RuleBook
from clinical.rules.conditions import Vocabulary, evaluate, parse_condition
from clinical.rules.evidence import find_trial, key_figures
from clinical.rules.output import Source
from clinical.rules.provenance import citation_problems, source_problems
from clinical.rules.schema import FigureRef

# Studies the review cites for a rule that the trial records (corpus/data/trials.yaml) do not
# hold yet: CheckMate 040 cohort 5 (ref 60), the zebrafish comparison of VEGFR-TKIs (ref 78) and
# the apatinib vs sorafenib study (ref 79).
NOT_YET_IN_TRIAL_RECORDS = {
    "CheckMate 040",
    "vegfr-tki-zebrafish-xenograft-comparison",
    "apatinib-vs-sorafenib-preliminary-study",
}


def _book() -> RuleBook:
    return load_rulebook()


def _trial_names(book: RuleBook) -> set[str]:
    names = {name for parsed in book.all_rules() for name in parsed.rule.trials}
    names |= {name for spec in book.resectability.criteria_sets for name in spec.trials}
    names |= {name for inv in book.safety.invariants.values() for name in inv.trials}
    return names


def _figure_refs(book: RuleBook) -> list[FigureRef]:
    refs = [f for parsed in book.all_rules() for e in parsed.rule.recommend for f in e.figures]
    refs += [f for parsed in book.all_rules() for e in parsed.rule.avoid for f in e.figures]
    refs += [f for spec in book.resectability.criteria_sets for f in spec.figures]
    return refs


def test_every_quote_is_verbatim_in_its_section_and_cites_its_references() -> None:
    assert citation_problems(_book()) == []


def test_the_citation_check_catches_a_misquote_and_a_wrong_reference() -> None:
    wrong = Source(section="Lenvatinib", quote="lenvatinib cures HCC", refs=(22, 88))
    problems = list(source_problems(wrong, "test"))
    assert any("quote not found" in p for p in problems)
    assert any("refs [88]" in p for p in problems)


def test_every_recommending_rule_cites_a_trial_and_a_passage() -> None:
    for parsed in _book().all_rules():
        rule = parsed.rule
        assert rule.sources, rule.id
        if rule.recommend and parsed.table != "locoregional":
            assert rule.trials, rule.id


def test_cited_trials_are_in_the_trial_records() -> None:
    missing = {name for name in _trial_names(_book()) if find_trial(name) is None}
    assert missing == NOT_YET_IN_TRIAL_RECORDS


def test_every_key_figure_referenced_exists_in_the_trial_records() -> None:
    book = _book()
    figures = key_figures(_figure_refs(book), book.metric_sets)
    assert figures
    assert [f"{f.trial} {f.arm} {f.metric}" for f in figures if not f.found] == []


_FIGURE_LIKE = re.compile(r"\d+(?:\.\d+)?\s*%|\d+\.\d+|\d+\s*months?\b|HR\s*=")


def test_rule_prose_holds_no_efficacy_numbers() -> None:
    book = _book()
    texts: list[tuple[str, str]] = []
    for parsed in book.all_rules():
        rule = parsed.rule
        texts += [(rule.id, effect.rationale) for effect in rule.recommend]
        texts += [(rule.id, effect.reason) for effect in rule.avoid]
        texts += [(rule.id, check.text) for check in rule.checks]
        texts += [(rule.id, note) for note in rule.notes]
        texts += [(rule.id, note.text) for note in rule.regional_notes]
        texts += [(rule.id, rule.outside_review or "")]
    texts += [(key, inv.reason) for key, inv in book.safety.invariants.items()]
    offending = [(where, text) for where, text in texts if _FIGURE_LIKE.search(text)]
    assert offending == []


def test_rule_ids_are_unique_and_every_table_is_loaded() -> None:
    book = _book()
    ids = [parsed.rule.id for parsed in book.all_rules()]
    assert len(ids) == len(set(ids))
    assert all(book.tables[name] for name in ("common", "first_line", "later_line"))


def test_doses_never_appear_in_the_rule_data() -> None:
    text = "\n".join(path.read_text("utf-8") for path in DATA_DIR.glob("*.yaml"))
    assert not re.search(r"\d\s*(?:mg|g|mg/kg)\b", text)


VOCABULARY = Vocabulary(
    named={}, groups={"stride": frozenset({"tremelimumab_durvalumab"})}, regimens=frozenset()
)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"field": "ecgo", "equals": 1}, "unknown field 'ecgo'"),
        ({"field": "child_pugh_class", "equals": "D"}, "'D' is not a valid value"),
        ({"field": "ecog", "equals": "two"}, "'two' is not a valid value"),
        ({"field": "egd_done", "equals": "yes"}, "'yes' is not a valid value"),
        ({"field": "ecog", "at_most": 1, "equals": 1}, "give exactly one test"),
        ({"field": "goal", "at_most": 1}, "does not apply to a choice fact"),
        ({"field": "last_prior_regimen", "in_group": "nope"}, "unknown regimen group 'nope'"),
        ({"field": "prior_regimens", "contains": "aspirin"}, "'aspirin' is not a valid value"),
        ({"field": "ecog", "in": []}, "'in' takes a non-empty list"),
        ({"condition": "frail"}, "unknown named condition 'frail'"),
        ({"every": []}, "unknown condition key 'every'"),
        ({"all": [], "any": []}, "a condition has one key"),
        ("ecog is 1", "a condition must be a mapping"),
    ],
)
def test_condition_language_refuses_typos(raw: object, message: str) -> None:
    with pytest.raises(RuleDataError, match=re.escape(message)):
        parse_condition(raw, VOCABULARY)


@pytest.mark.parametrize(
    ("raw", "facts", "expected"),
    [
        ({"field": "ecog", "in": [0, 1, "unknown"]}, {"ecog": None}, True),
        ({"field": "ecog", "in": [0, 1]}, {"ecog": None}, None),
        ({"not": {"field": "ecog", "in": [0, 1]}}, {"ecog": None}, None),
        (
            {"any": [{"field": "ecog", "equals": 0}, {"field": "nlr", "below": 3}]},
            {"ecog": None, "nlr": 2},
            True,
        ),
        (
            {"all": [{"field": "ecog", "equals": 0}, {"field": "nlr", "below": 3}]},
            {"ecog": None, "nlr": 4},
            False,
        ),
        ({"undetermined": {"field": "nlr", "below": 3}}, {"nlr": None}, True),
        ({"field": "nlr", "is_unknown": True}, {"nlr": 1.0}, False),
        ({"field": "nlr", "between": [1, 2]}, {"nlr": 2}, True),
        ({"field": "last_prior_regimen", "in_group": "stride"}, {"last_prior_regimen": None}, None),
    ],
)
def test_conditions_follow_three_valued_logic(
    raw: object, facts: dict[str, object], expected: bool | None
) -> None:
    vocabulary = Vocabulary(
        named={},
        groups={"stride": frozenset({"tremelimumab_durvalumab"})},
        regimens=frozenset({"tremelimumab_durvalumab"}),
    )
    assert evaluate(parse_condition(raw, vocabulary), facts, vocabulary) is expected


def _amended_copy(tmp_path: Path, table: str, old: str, new: str) -> Path:
    data_dir = tmp_path / "rules"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / f"{table}.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return data_dir


@pytest.mark.parametrize(
    ("table", "old", "new", "message"),
    [
        (
            "first_line",
            "regimen: atezolizumab_bevacizumab",
            "regimen: atezo_bev",
            "unknown regimens",
        ),
        ("first_line", "{condition: fit_compensated}", "{condition: fit}", "FL-MAINT-ATEZO-BEV"),
        ("first_line", "trials: [IMbrave150]", "trials: []", "without citing a trial"),
        ("first_line", "arm: atezo_bev", "arm: experimental", "has no arm 'experimental'"),
        ("later_line", "id: LL-LENVATINIB-TACE", "id: LL-LENVATINIB-REGORAFENIB", "duplicate"),
        ("vocabulary", "high_tumour_burden:", "large_burden:", "high_tumour_burden"),
    ],
)
def test_an_amended_table_with_a_mistake_does_not_load(
    tmp_path: Path, table: str, old: str, new: str, message: str
) -> None:
    data_dir = _amended_copy(tmp_path, table, old, new)
    with pytest.raises(RuleDataError, match=re.escape(message)):
        load_rulebook(data_dir)
