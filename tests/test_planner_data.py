"""The planner's data files hold the review's words and the rule core's ids, nothing invented."""

from __future__ import annotations

import re

import yaml

from assistant.planner.verdict import VERDICTS_PATH
from clinical.rules.book import load_rulebook
from corpus.paths import REVIEW_PATH


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_hedged_rule_is_a_rule_of_the_core_and_quotes_the_review() -> None:
    raw = yaml.safe_load(VERDICTS_PATH.read_text(encoding="utf-8"))
    review = _squash(REVIEW_PATH.read_text(encoding="utf-8"))
    rule_ids = {parsed.rule.id for parsed in load_rulebook().all_rules()}
    assert raw["caution"]
    for entry in raw["caution"]:
        assert entry["rule"] in rule_ids, entry["rule"]
        assert _squash(entry["quote"]) in review, entry["quote"]
    assert raw["routine_checks"]
